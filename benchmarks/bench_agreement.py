"""Time the agreement statistics on one million synthetic ratings (a script, not a test)."""

# Run from anywhere:  .venv/bin/python benchmarks/bench_agreement.py [--items N --raters M] [--no-cli]
# The last part writes the ratings as a CSV (string ids, as a real export has) and runs
# `labellint agree TABLE --format json` on it end to end in a fresh process.

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

# A plain script is run with benchmarks/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labellint.quality import agreement
from labellint.quality.ratings import Ratings


def synthetic_long_form(n_items: int, n_raters: int, n_classes: int, seed: int):
    """Every rater labels every item; raters copy a hidden true class 70% of the time."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_items)
    noise = rng.integers(0, n_classes, (n_items, n_raters))
    labels = np.where(rng.random((n_items, n_raters)) < 0.7, truth[:, None], noise)
    item_ids = np.repeat(np.arange(n_items), n_raters)
    rater_ids = np.tile(np.arange(n_raters), n_items)
    return item_ids, rater_ids, labels.ravel()


def timed(label: str, work: Callable):
    start = time.perf_counter()
    result = work()
    print(f"{label:<36} {time.perf_counter() - start:8.3f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cli", action="store_true", help="Skip the end-to-end `labellint agree` run.")
    args = parser.parse_args()

    columns = synthetic_long_form(args.items, args.raters, args.classes, args.seed)
    print(f"{len(columns[0]):,} ratings: {args.items:,} items x {args.raters} raters, {args.classes} classes")
    as_text = [np.char.add(prefix, column.astype(str)) for prefix, column in zip("iwl", columns, strict=True)]
    timed("Ratings.from_long, string ids/labels", lambda: Ratings.from_long(*as_text))
    ratings = timed("Ratings.from_long, integer ids/labels", lambda: Ratings.from_long(*columns))
    alpha = timed("krippendorff_alpha nominal", lambda: agreement.krippendorff_alpha(ratings))
    fleiss = timed("fleiss_kappa", lambda: agreement.fleiss_kappa(ratings))
    pbar = timed("percent_agreement_item_mean", lambda: agreement.percent_agreement_item_mean(ratings))
    timed("krippendorff_alpha ordinal", lambda: agreement.krippendorff_alpha(ratings, "ordinal"))
    timed("top_confusions", lambda: agreement.top_confusions(ratings, limit=5))
    print(f"alpha={alpha.value:.4f} fleiss={fleiss.value:.4f} P-bar={pbar.value:.4f}")
    if not args.no_cli:
        end_to_end(columns)


def end_to_end(columns) -> None:
    """`labellint agree` on the same ratings written as a CSV, timed as a user runs it."""
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "ratings.csv"
        start = time.perf_counter()
        items, raters, labels = columns
        lines = np.char.add(
            np.char.add(np.char.add(np.char.add("item", items.astype(str)), ",worker"), raters.astype(str)),
            np.char.add(",class", labels.astype(str)),
        )
        table.write_text("item,annotator,label\n" + "\n".join(lines.tolist()) + "\n")
        print(f"{'write CSV':<36} {time.perf_counter() - start:8.3f} s  ({table.stat().st_size / 1e6:.1f} MB)")
        executable = Path(sys.executable).with_name("labellint")
        command = [str(executable), "agree", str(table), "--format", "json"]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"labellint agree failed: {done.stderr}")
        print(f"{'labellint agree (CSV, end to end)':<36} {elapsed:8.3f} s")


if __name__ == "__main__":
    main()
