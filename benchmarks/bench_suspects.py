"""End-to-end timing of `labellint suspects` (read labels + predictions, confident learning, write CSV)."""

# Plain script, not a test:  .venv/bin/python benchmarks/bench_suspects.py [--items 1000000]
#
# Writes a CSV label file (id, text, label; read by the csv reader) with 10% flipped labels, the matching predictions
# as .npy and as CSV, then runs the real command line in a subprocess for each and reports the
# wall time and the peak memory of the child process.

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CLI = [sys.executable, "-m", "labellint"]


def write_inputs(folder: Path, num_items: int, num_classes: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, num_classes, num_items)
    given = truth.copy()
    flipped = rng.random(num_items) < 0.10
    given[flipped] = (truth[flipped] + rng.integers(1, num_classes, flipped.sum())) % num_classes
    logits = rng.normal(0, 1, (num_items, num_classes))
    logits[np.arange(num_items), truth] += 3.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    names = [f"c{i}" for i in range(num_classes)]
    with (folder / "labels.csv").open("w") as stream:
        stream.write("id,text,label\n")
        stream.writelines(f"{i},item {i},{names[c]}\n" for i, c in enumerate(given))
    np.save(folder / "preds.npy", probs)
    header = "id," + ",".join(names)
    np.savetxt(
        folder / "preds.csv",
        np.column_stack([np.arange(num_items), probs]),
        delimiter=",",
        header=header,
        comments="",
        fmt=["%d"] + ["%.6f"] * num_classes,
    )
    return flipped


def run(folder: Path, predictions: str) -> tuple[float, float, float]:
    start = time.perf_counter()
    done = subprocess.run(
        [*CLI, "suspects", "labels.csv", "--predictions", predictions, "--format", "csv", "--output", "queue.csv"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def phases(folder: Path, predictions: str) -> str:
    """CPU seconds (process time, robust to a busy machine) of each phase, in this process."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from labellint.commands.labels import read_labels
    from labellint.quality import confident
    from labellint.quality.predictions import load_probabilities
    from labellint.quality.suspects import given_labels
    from labellint.sources import WorkTree

    clock = time.process_time
    start = clock()
    dataset = read_labels([str(folder / "labels.csv")], WorkTree())
    read = clock()
    names = sorted(set(dataset.class_names))
    probs, _ = load_probabilities(folder / predictions, [str(v) for v in dataset.item_ids.tolist()], names)
    loaded = clock()
    given, _ = given_labels(dataset, names, False)
    mask = confident.find_label_issues(given, probs)
    confident.rank_label_issues(mask, given, probs)
    confident.estimate_noise(given, probs)
    found = clock()
    return (
        f"  CPU by phase: read labels (csv reader) {read - start:.2f} s, load {predictions} {loaded - read:.2f} s, "
        f"confident learning + ranking + noise {found - loaded:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        flipped = write_inputs(folder, args.items, args.classes)
        print(f"{args.items:,} items x {args.classes} classes, {flipped.sum():,} flipped labels")
        for predictions in ("preds.npy", "preds.csv"):
            elapsed, peak, cpu = run(folder, predictions)
            rows = sum(1 for _ in (folder / "queue.csv").open()) - 1
            ids = np.loadtxt(folder / "queue.csv", delimiter=",", skiprows=1, usecols=0, dtype=np.int64, ndmin=1)
            precision = flipped[ids].mean() if rows else float("nan")
            recall = flipped[ids].sum() / flipped.sum()
            print(
                f"labellint suspects --predictions {predictions}: {elapsed:.2f} s wall, {cpu:.2f} s CPU (cumulative), "
                f"peak RSS {peak:.0f} MB (max over runs so far); {rows:,} suspects, "
                f"precision {precision:.3f}, recall {recall:.3f}"
            )
            print(phases(folder, predictions))


if __name__ == "__main__":
    main()
