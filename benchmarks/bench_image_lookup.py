"""`check` on 100k YOLO files with and without images: this tree against a base checkout, alternated.

    python benchmarks/bench_image_lookup.py --base /work/main [--files 100000] [--runs 3]

Three trees, generated once under a temporary folder: `labels/` without images, the same with a
few images in a sibling `images/` (the usual YOLO layout), and the label files flat beside an
`images/` folder holding a few of their stems (where the lookups find images). Each run is a fresh
`python -m labellint check . --format json -o FILE` process in the tree's folder with PYTHONPATH set to one
checkout; base and this tree alternate, so both see the same load. The two outputs must be the
same bytes. Also prints, in a fresh process per checkout, the CPU seconds of the rules that look
images up (LL303, LL701-LL704), the dataset read first and not counted.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_yolo import generate

ROOT = Path(__file__).resolve().parents[1]
IMAGE_RULES = ("LL303", "LL701", "LL702", "LL703", "LL704")


def trees(root: Path, files: int) -> dict[str, Path]:
    """The three trees (see the module docstring)."""
    from PIL import Image

    out = {
        "no images": root / "noimg",
        "few images, labels/ + images/": root / "someimg",
        "flat, few found": root / "flat",
    }
    for path in out.values():
        generate(path, files)
    out["flat, few found"] = out["flat, few found"] / "labels"  # checked there: labels beside images/
    for tree, folder in ((out["few images, labels/ + images/"], "images"), (out["flat, few found"], "images")):
        (tree / folder).mkdir()
        for index in (0, 1, 2, 3, files // 2):
            Image.new("RGB", (64, 48), (index % 251, 0, 0)).save(tree / folder / f"{index:06d}.png")
    return out


def run(checkout: Path, tree: Path, output: Path) -> float:
    """CPU seconds (user + system) of one fresh check process."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cmd = [sys.executable, "-m", "labellint", "check", ".", "--format", "json", "-o", str(output)]
    proc = subprocess.Popen(cmd, env=env, cwd=tree, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed")
    return usage.ru_utime + usage.ru_stime


def rule_seconds(tree: Path) -> float:
    """CPU seconds of the image-looking rules alone on this tree (this checkout), in this process."""
    from labellint.readers.base import ReadContext
    from labellint.rules import RuleContext, select_rules
    from labellint.sources import WorkTree
    from labellint.sources.collect import Target, collect

    os.chdir(tree)  # item names are relative to the working folder, as in `check .` run there
    source = WorkTree()
    ((reader, files, options),) = collect([Target(".")], source, Path.cwd()).groups.values()
    dataset = reader.read(files, ReadContext(source.read_bytes, source.is_file, source.display, None, options))
    context = RuleContext(dataset, None, work_tree=Path.cwd())
    start = time.process_time()
    for rule in select_rules(list(IMAGE_RULES), [], []):
        list(rule().check(context))
    return time.process_time() - start


def rules(checkout: Path, tree: Path) -> str:
    """rule_seconds in a fresh process importing labellint from `checkout`."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    cmd = [sys.executable, __file__, "--base", str(checkout), "--rules-only", str(tree)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, required=True, help="the checkout to compare against")
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rules-only", type=Path, help="(internal) print rule_seconds of this tree")
    args = parser.parse_args()
    if args.rules_only:
        print(f"{rule_seconds(args.rules_only):.3f}")
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        print(f"load average {os.getloadavg()[0]:.2f}")
        for name, tree in trees(root, args.files).items():
            base_cpu, this_cpu = [], []
            for _ in range(args.runs):
                base_cpu.append(run(args.base, tree, root / "base.json"))
                this_cpu.append(run(ROOT, tree, root / "this.json"))
            same = filecmp.cmp(root / "base.json", root / "this.json", shallow=False)
            print(
                f"{name}: check CPU best base {min(base_cpu):.2f} s, this {min(this_cpu):.2f} s "
                f"({min(this_cpu) / min(base_cpu):.2f}x); outputs {'identical' if same else 'DIFFER'}; "
                f"image rules alone: base {rules(args.base, tree)} s, this {rules(ROOT, tree)} s CPU"
            )
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
