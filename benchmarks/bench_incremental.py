"""`check` with a warm incremental cache after 10 of 100k YOLO files changed, beside a cold full run.

    python benchmarks/bench_incremental.py [--files 100000] [--changed 10] [--runs 2] [--data DIR] [--base CHECKOUT]

Generates the YOLO tree of bench_yolo.py (seed 0; its files' mtimes set an hour back, as a
checkout that is not brand new), then times fresh processes (wall, and CPU from the child's
rusage): the floors (stat every file: the least a run that must notice any edit can do; read
every file's bytes), `check --no-cache`, a cold cached run (no .labellint_cache/), a warm run with
nothing changed, and warm runs each after editing CHANGED other files (a box appended). It checks
that the warm report is byte-identical to a `--no-cache` report of the same tree, and prints an
in-process breakdown of one warm run (collect, cache groups, the rules run on the whole dataset).
With --base, the warm runs of another checkout (its `labellint` package on PYTHONPATH) are timed
too, alternated with this tree's, on a copy of the tree in a folder of its own (so the two caches
stay apart) that gets the same edits; its warm report must equal this tree's byte for byte.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_yolo import generate
from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

LABELLINT = str(Path(sys.executable).with_name("labellint"))
STAT_EVERY_FILE = "import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n for f in fs: os.stat(os.path.join(r,f))"
READ_EVERY_FILE = (
    "import os,sys\nfor r,_,fs in os.walk(sys.argv[1]):\n for f in fs: open(os.path.join(r,f),'rb').read()"
)


def age(root: Path, seconds: float = 3600) -> None:
    past = time.time() - seconds
    for folder, _, names in os.walk(root):
        for name in names:
            os.utime(os.path.join(folder, name), (past, past))


def edit(labels: list[Path], count: int, rng: random.Random) -> None:
    for path in rng.sample(labels, count):
        with open(path, "a") as stream:
            stream.write(f"{rng.randrange(8)} 0.5 0.5 0.1 0.1\n")


def check(root: Path, out: Path, *extra: str) -> list[str]:
    return [LABELLINT, "check", str(root), "--format", "json", "--exit-zero", "-o", str(out), *extra]


def check_at(checkout: Path, root: Path, out: Path) -> list[str]:
    """A warm `check --cache` of `root` by `checkout`'s labellint, run from root's parent (the
    cache sits at the working folder, and the report's paths read `yolo/...` as this tree's do)."""
    command = [sys.executable, "-m", "labellint", *check(root, out, "--cache")[1:]]
    line = " ".join(shlex.quote(part) for part in command)
    # exec: the shell becomes the check, so wait4's rusage is the check's alone.
    return ["sh", "-c", f"cd {shlex.quote(str(root.parent))} && PYTHONPATH={shlex.quote(str(checkout))} exec {line}"]


def edit_both(labels: list[Path], count: int, rng: random.Random, copy: Path | None) -> None:
    """`edit`, and the same lines appended to the same files of the copy's labels/."""
    for path in rng.sample(labels, count):
        row = f"{rng.randrange(8)} 0.5 0.5 0.1 0.1\n"
        for target in (path, copy / path.name) if copy is not None else (path,):
            with open(target, "a") as stream:
                stream.write(row)


def breakdown(root: Path) -> str:
    """Seconds of CPU per step of one warm run, in this process (each step wrapped in a timer)."""
    script = f"""
import sys, time
from pathlib import Path
import labellint.commands.check_cache as cc
spent = {{}}
def timed(name, function):
    def run(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0) + time.process_time() - start
    return run
cc.collect_labels = timed("collect (walk, claims)", cc.collect_labels)
cc._check_group = timed("cache groups (load, stat, read misses)", cc._check_group)
cc.finish_shards = timed("rules over the whole dataset", cc.finish_shards)
from labellint.commands.check import CheckRequest, run_check
from labellint.settings.resolve import resolve_settings
start = time.process_time()
run_check(CheckRequest(paths=[{str(root)!r}], cache=True), resolve_settings(None, None, Path({str(root)!r})))
total = time.process_time() - start
print("; ".join(f"{{k}} {{v:.2f}} s" for k, v in spent.items()) + f"; run_check {{total:.2f}} s CPU")
"""
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--changed", type=int, default=10)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--data", type=Path, help="folder to generate into (default: a temporary folder)")
    parser.add_argument("--base", type=Path, help="a checkout whose warm runs are timed beside this tree's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        root = args.data or Path(temp) / "yolo"
        if not (root / "data.yaml").exists():
            generate(root, args.files)
        os.chdir(root.parent)  # the cache sits at the working folder when there is no repository or config
        from labellint.commands.check_cache import cache_folder
        from labellint.settings.resolve import resolve_settings

        shutil.rmtree(cache_folder(resolve_settings(None, None, root)), ignore_errors=True)
        age(root)
        labels = sorted((root / "labels").iterdir())
        out, plain = Path(temp) / "warm.json", Path(temp) / "plain.json"
        print("| run | wall s (best) | CPU s (best) | CPU / stat floor | CPU / read floor | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        results = {
            "stat every file (floor)": measure([sys.executable, "-c", STAT_EVERY_FILE, str(root)], args.runs),
            "read every file (floor)": measure([sys.executable, "-c", READ_EVERY_FILE, str(root)], args.runs),
            "check --no-cache (full run)": measure(check(root, plain, "--no-cache"), args.runs, ok=(0, 1)),
            "check, cold cache": measure(check(root, out, "--cache"), 1, ok=(0, 1)),
        }
        copy = base_out = None
        if args.base:
            copy = root.parent / "base-checkout" / root.name
            if not copy.exists():
                shutil.copytree(root, copy)  # copy2: the same mtimes, an hour back
            shutil.rmtree(copy.parent / ".labellint_cache", ignore_errors=True)
            base_out = Path(temp) / "base.json"
            results["check, cold cache (base)"] = measure(check_at(args.base, copy, base_out), 1, ok=(0, 1))
        rng = random.Random(1)
        runs: dict[str, list] = {}
        for _ in range(args.runs):
            if copy is not None:
                runs.setdefault("check, warm, nothing changed (base)", []).append(
                    measure(check_at(args.base, copy, base_out), 1, ok=(0, 1))
                )
            runs.setdefault("check, warm, nothing changed", []).append(
                measure(check(root, out, "--cache"), 1, ok=(0, 1))
            )
        for _ in range(args.runs):
            edit_both(labels, args.changed, rng, copy / "labels" if copy is not None else None)
            if copy is not None:
                runs.setdefault(f"check, warm, {args.changed} files edited (base)", []).append(
                    measure(check_at(args.base, copy, base_out), 1, ok=(0, 1))
                )
            runs.setdefault(f"check, warm, {args.changed} files edited", []).append(
                measure(check(root, out, "--cache"), 1, ok=(0, 1))
            )
        for name, measured in runs.items():
            results[name] = {
                "best": min(r["best"] for r in measured),
                "cpu": min(r["cpu"] for r in measured),
                "rss": max(r["rss"] for r in measured),
            }
        stat_floor, read_floor = (results[k]["cpu"] for k in ("stat every file (floor)", "read every file (floor)"))
        for name, r in results.items():
            ratios = f"{r['cpu'] / stat_floor:.1f}x | {r['cpu'] / read_floor:.1f}x"
            print(f"| {name} | {r['best']:.2f} | {r['cpu']:.2f} | {ratios} | {r['rss']:.0f} |", flush=True)
        subprocess.run(check(root, plain, "--no-cache"), check=False, capture_output=True)
        same = out.read_bytes() == plain.read_bytes()
        print(f"\nwarm report byte-identical to --no-cache on the same tree: {same}")
        if base_out is not None:
            print(f"base's warm report byte-identical to this tree's: {base_out.read_bytes() == out.read_bytes()}")
        edit(labels, args.changed, rng)
        print("warm run with", args.changed, "edited, in process:", breakdown(root))


if __name__ == "__main__":
    main()
