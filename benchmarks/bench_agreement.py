"""Time the agreement statistics on one million synthetic ratings (a script, not a test)."""

# Run from anywhere:  .venv/bin/python benchmarks/bench_agreement.py [--items N --raters M]

from __future__ import annotations

import argparse
import sys
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


if __name__ == "__main__":
    main()
