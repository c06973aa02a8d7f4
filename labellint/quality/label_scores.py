"""Per-item label-quality scores from predicted probabilities, and ranking flagged items by them."""

# Every score is higher where the given label looks more trustworthy.

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from labellint.quality.confident_joint import as_labels_and_probs, confident_thresholds

ScoreMethod = Literal["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
SCORE_METHODS: tuple[str, ...] = (
    "self_confidence",
    "normalized_margin",
    "confidence_weighted_entropy",
)

# Floor used before dividing by, or taking the log of, a probability.
MIN_PROBABILITY = 1e-6


def self_confidence(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """P(given label) for each item."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    return pred_probs[np.arange(labels.size), labels]


def normalized_margin(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """(P(given) - max P(any other class) + 1) / 2, in [0, 1]."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    rows = np.arange(labels.size)
    own = pred_probs[rows, labels]
    others = pred_probs.copy()
    others[rows, labels] = -np.inf
    return (own - others.max(axis=1) + 1.0) / 2.0


def normalized_entropy(pred_probs: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row divided by log(k), so it lies in [0, 1]."""
    pred_probs = np.asarray(pred_probs, dtype=float)
    # 0 * log 0 is taken as 0; log(1) = 0 is substituted to avoid the warning.
    plogp = pred_probs * np.log(np.where(pred_probs > 0, pred_probs, 1.0))
    return -plogp.sum(axis=1) / np.log(pred_probs.shape[1])


def confidence_weighted_entropy(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """log(1 + H/p) / (H/p) with H the normalised entropy and p = P(given): low = suspicious."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    own = np.clip(self_confidence(labels, pred_probs), MIN_PROBABILITY, None)
    ratio = normalized_entropy(pred_probs) / own
    # x -> log(1 + x) / x maps [0, inf) onto (0, 1], decreasing; the floor keeps x = 0 finite.
    return np.log(ratio + 1.0) / np.clip(ratio, MIN_PROBABILITY, None)


def cross_entropy_loss(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """-log P(given label): a loss, HIGHER = more suspicious; ranks items like self-confidence."""
    own = np.clip(self_confidence(labels, pred_probs), MIN_PROBABILITY, None)
    return -np.log(own)


def adjust_pred_probs(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Subtract each class's confident threshold, shift to non-negative, renormalise rows.

    This removes the per-class bias of over/under-confident models before scoring.
    """
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    thresholds = confident_thresholds(labels, pred_probs)
    shifted = pred_probs - thresholds + thresholds.max()
    return shifted / shifted.sum(axis=1, keepdims=True)


_SCORERS = {
    "self_confidence": self_confidence,
    "normalized_margin": normalized_margin,
    "confidence_weighted_entropy": confidence_weighted_entropy,
}


def label_quality_scores(
    labels: Sequence[int] | np.ndarray,
    pred_probs: np.ndarray,
    *,
    method: ScoreMethod = "self_confidence",
    adjust: bool = False,
) -> np.ndarray:
    """Per-item score in [0, 1]; lower means the given label is more likely wrong."""
    if method not in _SCORERS:
        raise ValueError(f"method must be one of {SCORE_METHODS}, got {method!r}")
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    if adjust:
        pred_probs = adjust_pred_probs(labels, pred_probs)
    return _SCORERS[method](labels, pred_probs)


def rank_label_issues(
    issues: np.ndarray,
    labels: Sequence[int] | np.ndarray,
    pred_probs: np.ndarray,
    *,
    rank_by: ScoreMethod = "self_confidence",
    adjust: bool = False,
) -> np.ndarray:
    """Indices of the flagged items, most suspicious (lowest score) first.

    `issues` is a boolean mask of length n or an array of indices. Equal scores are ordered
    by numpy's default argsort over the ascending indices, as the reference does.
    """
    issues = np.asarray(issues)
    indices = np.flatnonzero(issues) if issues.dtype == bool else np.unique(issues.astype(np.int64))
    scores = label_quality_scores(labels, pred_probs, method=rank_by, adjust=adjust)
    return indices[np.argsort(scores[indices])]
