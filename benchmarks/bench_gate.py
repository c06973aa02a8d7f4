"""Time `labellint gate` on a million ratings against `agree` + `golden` and the cheapest read (a script)."""

# Run from anywhere:  .venv/bin/python benchmarks/bench_gate.py [--items N --raters M --repeat K]
# Writes a ratings CSV (string ids, as a real export has), a golden set and a spec with the
# agreement and golden gates, then times fresh processes: the cheapest read of the table (the
# csv module's rows, nothing else), `labellint agree`, `labellint golden` and `labellint gate`.
# Best of --repeat; wall from perf_counter, CPU from the children's rusage.

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FLOOR = "import csv, sys\nwith open(sys.argv[1], newline='') as f:\n    rows = sum(1 for _ in csv.reader(f))\n"


def write_inputs(folder: Path, n_items: int, n_raters: int, n_classes: int, n_gold: int, seed: int) -> Path:
    """ratings.csv (raters copy a hidden class 70% of the time), gold.csv and labelspec.yaml."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_items)
    noise = rng.integers(0, n_classes, (n_items, n_raters))
    labels = np.where(rng.random((n_items, n_raters)) < 0.7, truth[:, None], noise).ravel()
    items = np.repeat(np.arange(n_items), n_raters).astype(str)
    raters = np.tile(np.arange(n_raters), n_items).astype(str)
    rows = np.char.add(np.char.add(np.char.add("item", items), ",worker"), raters)
    rows = np.char.add(np.char.add(rows, ",class"), labels.astype(str))
    table = folder / "ratings.csv"
    table.write_text("item,annotator,label\n" + "\n".join(rows.tolist()) + "\n")
    gold = "".join(f"item{i},class{truth[i]}\n" for i in range(min(n_gold, n_items)))
    (folder / "gold.csv").write_text("item,label\n" + gold)
    classes = "".join(f"  class{k}: {{definition: class {k}}}\n" for k in range(n_classes))
    quality = (
        "quality:\n  agreement: {metric: krippendorff_alpha, min: 0.3, per_class_min: 0.3}\n"
        "  golden: {min_accuracy: 0.5, per_annotator: true}\n"
    )
    (folder / "labelspec.yaml").write_text(f"version: 1.0.0\ntask: classification\nclasses:\n{classes}{quality}")
    return table


def run(command: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    """Best (wall s, CPU s) of `repeat` fresh processes."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (wall, cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--gold", type=int, default=10_000, help="Items in the golden set.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    labellint = [sys.executable, "-m", "labellint"]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        table = write_inputs(folder, args.items, args.raters, args.classes, args.gold, args.seed)
        print(f"{args.items * args.raters:,} ratings ({table.stat().st_size / 1e6:.1f} MB), {args.gold:,} gold items")
        steps = {
            "csv.reader rows (floor)": [sys.executable, "-c", FLOOR, str(table)],
            "labellint agree": [*labellint, "agree", "ratings.csv", "--format", "json"],
            "labellint golden": [*labellint, "golden", "ratings.csv", "--gold", "gold.csv", "--format", "json"],
            "labellint gate": [
                *labellint,
                "gate",
                "--ratings",
                "ratings.csv",
                "--gold",
                "gold.csv",
                "--format",
                "json",
            ],
        }
        times = {label: run(command, folder, args.repeat) for label, command in steps.items()}
    floor = times["csv.reader rows (floor)"]
    print("| step | wall s | CPU s | wall / floor | CPU / floor |\n| --- | ---: | ---: | ---: | ---: |")
    for label, (wall, cpu) in times.items():
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / floor[0]:.2f} | {cpu / floor[1]:.2f} |")
    parts = [times["labellint agree"], times["labellint golden"]]
    gate = times["labellint gate"]
    wall_sum, cpu_sum = sum(p[0] for p in parts), sum(p[1] for p in parts)
    print(f"gate / (agree + golden): wall {gate[0] / wall_sum:.2f}, CPU {gate[1] / cpu_sum:.2f}")


if __name__ == "__main__":
    main()
