"""Generates 100k small YOLO label files and times `labellint check` on them (one fresh process per run)."""

# .venv/bin/python benchmarks/bench_yolo.py [--files 100000] [--runs 3] [--profile]

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

HERE = Path(__file__).resolve().parent
LABELLINT = str(Path(sys.executable).with_name("labellint"))
NAMES = ["car", "truck", "pedestrian", "cyclist", "bus", "traffic_light", "sign", "dog"]


def generate(root: Path, files: int, seed: int = 0) -> int:
    """`files` label files of 0-12 boxes each under root/labels, with data.yaml; returns the box count."""
    rng = random.Random(seed)
    labels = root / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    (root / "data.yaml").write_text("names:\n" + "".join(f"  {i}: {n}\n" for i, n in enumerate(NAMES)))
    boxes = 0
    for index in range(files):
        lines = []
        for _ in range(rng.randint(0, 12)):
            w, h = rng.uniform(0.01, 0.3), rng.uniform(0.01, 0.3)
            cx, cy = rng.uniform(w / 2, 1 - w / 2), rng.uniform(h / 2, 1 - h / 2)
            lines.append(f"{rng.randrange(len(NAMES))} {cx:.6f} {cy:.6f} {w:.6f} {h:.6f}\n")
        boxes += len(lines)
        (labels / f"{index:06d}.txt").write_text("".join(lines))
    return boxes


def breakdown(root: Path) -> None:
    """Seconds spent collecting (walk + sniff), reading (the YOLO reader) and running the rules."""
    from labellint.engine import run_rules
    from labellint.readers.base import ReadContext
    from labellint.rules import RuleContext, select_rules
    from labellint.sources import WorkTree
    from labellint.sources.collect import Target, collect

    source = WorkTree()
    start = time.perf_counter()
    collected = collect([Target(str(root))], source, Path.cwd())
    collected_at = time.perf_counter()
    ((reader, files, options),) = collected.groups.values()
    dataset = reader.read(files, ReadContext(source.read_bytes, source.is_file, source.display, None, options))
    read_at = time.perf_counter()
    run_rules([rule() for rule in select_rules(None, [], [])], RuleContext(dataset, None))
    done = time.perf_counter()
    print(
        f"in process: collect {collected_at - start:.2f} s, read {read_at - collected_at:.2f} s "
        f"({(read_at - collected_at) / len(files) * 1e6:.0f} us per file), rules {done - read_at:.2f} s",
        file=sys.stderr,
    )


def profile(root: Path) -> None:
    """cProfile of the read step alone (in process), top functions by own time."""
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    profiler = cProfile.Profile()
    profiler.enable()
    dataset, _ = read_dataset(LabelSelection(paths=[str(root)]), Config(root=root), None, WorkTree())
    profiler.disable()
    print(f"read {dataset.n_items} items, {dataset.n_annotations} annotations", file=sys.stderr)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="folder to generate into (default: a temporary folder)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of reading")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = args.data or Path(temp) / "yolo"
        if not (root / "data.yaml").exists():
            start = time.perf_counter()
            boxes = generate(root, args.files)
            print(
                f"generated {args.files} files, {boxes} boxes in {time.perf_counter() - start:.1f} s", file=sys.stderr
            )
        cases = {
            "labellint check (default rules)": [LABELLINT, "check", str(root), "--format", "json", "-o", os.devnull],
            "labellint --version (startup)": [LABELLINT, "--version"],
            "python: read every file (floor)": [
                sys.executable,
                "-c",
                "import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n for f in fs: open(os.path.join(r,f),'rb').read()",
                str(root),
            ],
        }
        print("| command | files | best s | median s | peak RSS MiB |\n|---|---:|---:|---:|---:|")
        for name, cmd in cases.items():
            r = measure(cmd, args.runs, ok=(0, 1))
            print(f"| {name} | {args.files} | {r['best']:.2f} | {r['median']:.2f} | {r['rss']:.0f} |", flush=True)
        breakdown(root)
        if args.profile:
            profile(root)


if __name__ == "__main__":
    main()
