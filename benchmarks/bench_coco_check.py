"""`check` on a generated COCO file against a gc-on msgspec typed decode of it, optionally against another tree."""

# .venv/bin/python benchmarks/bench_coco_check.py [--size 1m | --file PATH] [--runs 2] [--base-tree DIR]
#
# Fresh processes, alternated (floor, this tree, the base tree), best CPU (user + sys) and wall of
# --runs each. --base-tree is a labellint source tree (e.g. `git archive REV | tar -x -C DIR`)
# put first on PYTHONPATH, so the same installed entry points run the other tree's code.

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from run import LABELLINT, PY, dataset, measure

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="1m", choices=["10k", "100k", "1m"])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--base-tree", action="append", default=[], help="a tree to measure beside this one (repeatable)"
    )
    parser.add_argument("--only-trees", action="store_true", help="measure the --base-tree trees, not this tree")
    parser.add_argument("--file", help="a file made by generate_coco.py (its labelspec.yaml beside it), for --size's")
    args = parser.parse_args()
    path = Path(args.file) if args.file else dataset(args.size, 0)
    spec = str(path.parent / "labelspec.yaml")
    check = [LABELLINT, "check", str(path), "--spec", spec, "--format", "json", "-o", os.devnull]
    sides = {"msgspec typed decode, gc on (floor)": ([PY, os.path.join(HERE, "ref_msgspec.py"), str(path)], None)}
    if not args.only_trees:
        sides["labellint check (this tree)"] = (check, None)
    for tree in args.base_tree:
        sides[f"labellint check ({tree})"] = (check, tree)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    for _ in range(args.runs):
        for name, (cmd, tree) in sides.items():
            os.environ.pop("PYTHONPATH", None)
            if tree:
                os.environ["PYTHONPATH"] = tree
            results[name].append(measure(cmd, 1, ok=(0, 1)))
    os.environ.pop("PYTHONPATH", None)
    floor = {k: min(r[k] for r in results[next(iter(sides))]) for k in ("cpu", "best")}
    load = os.getloadavg()[0]
    print(f"{path.name}, {args.runs} runs each, alternated; load {load:.1f}; python {sys.version.split()[0]}")
    print("| command | best CPU s | best wall s | peak RSS MiB | CPU / floor | wall / floor |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, runs in results.items():
        cpu, wall, rss = min(r["cpu"] for r in runs), min(r["best"] for r in runs), max(r["rss"] for r in runs)
        ratios = f"{cpu / floor['cpu']:.2f}x | {wall / floor['best']:.2f}x"
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {rss:.0f} | {ratios} |")


if __name__ == "__main__":
    main()
