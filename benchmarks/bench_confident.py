"""Time confident-learning label-issue finding on 1M synthetic items x 10 classes."""

# Plain script, not a test:  .venv/bin/python benchmarks/bench_confident.py [--items N]

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labellint.quality.confident import find_label_issues


def synthetic_noisy_data(num_items: int, num_classes: int, noise_rate: float, seed: int):
    """(true labels, given labels, pred_probs): softmax of noisy logits favouring the true class,
    with `noise_rate` of the given labels replaced by a different, uniformly chosen class."""
    rng = np.random.default_rng(seed)
    true_labels = rng.integers(0, num_classes, size=num_items)
    logits = rng.normal(0.0, 1.0, size=(num_items, num_classes))
    logits[np.arange(num_items), true_labels] += 3.0
    logits -= logits.max(axis=1, keepdims=True)
    pred_probs = np.exp(logits)
    pred_probs /= pred_probs.sum(axis=1, keepdims=True)
    given = true_labels.copy()
    flipped = rng.random(num_items) < noise_rate
    # Adding 1..k-1 modulo k always lands on a different class, uniformly.
    shift = rng.integers(1, num_classes, size=int(flipped.sum()))
    given[flipped] = (given[flipped] + shift) % num_classes
    return true_labels, given, pred_probs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    true_labels, given, pred_probs = synthetic_noisy_data(args.items, args.classes, args.noise, args.seed)
    timings = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        issues = find_label_issues(given, pred_probs)  # default: prune_by_noise_rate
        timings.append(time.perf_counter() - start)
    injected = given != true_labels
    hits = int((issues & injected).sum())
    print(
        f"find_label_issues(filter_by='prune_by_noise_rate') on {args.items:,} x {args.classes}: "
        f"best {min(timings):.2f} s, median {float(np.median(timings)):.2f} s "
        f"over {args.repeats} runs"
    )
    print(
        f"flagged {int(issues.sum()):,} of {int(injected.sum()):,} injected errors; "
        f"precision {hits / max(int(issues.sum()), 1):.3f}, "
        f"recall {hits / max(int(injected.sum()), 1):.3f}"
    )


if __name__ == "__main__":
    main()
