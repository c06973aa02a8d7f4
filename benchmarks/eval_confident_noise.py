"""Precision/recall of confident-learning filters against symmetric label noise we injected."""

# Plain script, not a test:  .venv/bin/python benchmarks/eval_confident_noise.py
#
# Setup: a Gaussian-mixture dataset (isotropic classes with random centres); labels are
# corrupted with symmetric noise (each flipped label goes to a uniformly chosen *other* class);
# out-of-sample pred_probs come from k-fold numpy softmax regression trained on the noisy
# labels; each filter's flagged set is scored against the set of flipped items.

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labellint.quality.confident import FILTER_BY_METHODS, find_label_issues

NOISE_RATES = (0.05, 0.10, 0.20, 0.40)


def gaussian_mixture(num_items: int, num_classes: int, num_features: int, spread: float, rng):
    """Features and true labels: balanced classes, unit-variance blobs around random centres."""
    centres = rng.normal(0.0, spread, size=(num_classes, num_features))
    true_labels = rng.permutation(np.arange(num_items) % num_classes)
    features = centres[true_labels] + rng.normal(size=(num_items, num_features))
    return features, true_labels


def inject_symmetric_noise(labels: np.ndarray, num_classes: int, rate: float, rng):
    """Flip exactly round(rate * n) labels, each to a uniformly chosen different class."""
    noisy = labels.copy()
    flipped = rng.choice(labels.size, size=round(rate * labels.size), replace=False)
    noisy[flipped] = (noisy[flipped] + rng.integers(1, num_classes, size=flipped.size)) % num_classes
    return noisy


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row maximum so exp never overflows."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def fit_softmax_regression(features, labels, num_classes, *, steps=300, rate=0.5, l2=1e-3):
    """Weights (d+1, k) of multinomial logistic regression by full-batch gradient descent."""
    design = np.column_stack([features, np.ones(len(features))])
    targets = np.eye(num_classes)[labels]
    weights = np.zeros((design.shape[1], num_classes))
    for _ in range(steps):
        gradient = design.T @ (softmax(design @ weights) - targets) / len(design)
        weights -= rate * (gradient + l2 * weights)
    return weights


def out_of_sample_probs(features, labels, num_classes, num_folds, rng):
    """Each item's probabilities from a model that never saw it (k-fold cross-fitting)."""
    features = (features - features.mean(axis=0)) / features.std(axis=0)
    folds = rng.permutation(len(labels)) % num_folds
    pred_probs = np.zeros((len(labels), num_classes))
    for fold in range(num_folds):
        held_out = folds == fold
        weights = fit_softmax_regression(features[~held_out], labels[~held_out], num_classes)
        design = np.column_stack([features[held_out], np.ones(int(held_out.sum()))])
        pred_probs[held_out] = softmax(design @ weights)
    return pred_probs


def evaluate(args) -> list[dict]:
    """One row per (noise rate, filter), averaged over seeds."""
    rows: dict[tuple[float, str], list[tuple[int, int, int]]] = {}
    accuracies: dict[float, list[float]] = {}
    for seed in range(args.seed, args.seed + args.seeds):
        rng = np.random.default_rng(seed)
        features, true_labels = gaussian_mixture(args.items, args.classes, args.features, args.spread, rng)
        for noise_rate in NOISE_RATES:
            noisy = inject_symmetric_noise(true_labels, args.classes, noise_rate, rng)
            pred_probs = out_of_sample_probs(features, noisy, args.classes, args.folds, rng)
            accuracies.setdefault(noise_rate, []).append(float(np.mean(pred_probs.argmax(axis=1) == true_labels)))
            injected = noisy != true_labels
            for filter_by in args.filters:
                flagged = find_label_issues(noisy, pred_probs, filter_by=filter_by)
                counts = (int(flagged.sum()), int((flagged & injected).sum()), int(injected.sum()))
                rows.setdefault((noise_rate, filter_by), []).append(counts)
    table = []
    for (noise_rate, filter_by), counts in rows.items():
        flagged, hits, injected = (sum(column) for column in zip(*counts, strict=True))
        table.append(
            {
                "noise": noise_rate,
                "filter_by": filter_by,
                "injected": injected / len(counts),
                "flagged": flagged / len(counts),
                "precision": hits / flagged if flagged else float("nan"),
                "recall": hits / injected if injected else float("nan"),
                "model_accuracy": float(np.mean(accuracies[noise_rate])),
            }
        )
    return table


def markdown_table(table: list[dict]) -> str:
    """The evaluation rows as a GitHub-flavoured markdown table."""
    lines = [
        "| noise | filter_by | injected | flagged | precision | recall | OOS acc. vs truth |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in table:
        lines.append(
            f"| {row['noise']:.0%} | {row['filter_by']} | {row['injected']:.0f} | "
            f"{row['flagged']:.0f} | {row['precision']:.3f} | {row['recall']:.3f} | "
            f"{row['model_accuracy']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--features", type=int, default=8)
    parser.add_argument("--spread", type=float, default=1.5, help="std of the class centres")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=3, help="results are pooled over seeds")
    parser.add_argument("--filters", nargs="+", default=list(FILTER_BY_METHODS))
    args = parser.parse_args()

    print(
        f"Gaussian mixture: {args.items} items, {args.classes} classes, {args.features} features, "
        f"centre spread {args.spread}; {args.folds}-fold numpy softmax regression; symmetric "
        f"noise; pooled over seeds {args.seed}..{args.seed + args.seeds - 1}.\n"
    )
    print(markdown_table(evaluate(args)))


if __name__ == "__main__":
    main()
