"""Find likely label errors from out-of-sample predicted probabilities (confident learning)."""

# Method: Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
# Labels", JAIR 70 (2021). Tie-handling, calibration and rounding details were chosen so the
# results equal cleanlab 2.9.0 on the reference fixtures in shared/reference (see the tests).
#
# The counting (thresholds, the confident joint, noise) lives in confident_joint, which also sets
# out the conventions for `labels`, `pred_probs` and `joint`; the per-item scores in label_scores.
#
# Multi-label data is reduced to one binary problem per class (one-vs-rest) and an item is
# flagged when any of its classes is (the union); see find_multilabel_issues.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal, get_args

import numpy as np

from labellint.quality.confident_joint import (
    as_labels_and_probs,
    class_counts,
    confident_joint,
    confident_thresholds,
    confident_true_label_guess,
    estimate_joint,
    estimate_noise,
    round_preserving_row_totals,
)
from labellint.quality.label_scores import (
    MIN_PROBABILITY,
    SCORE_METHODS,
    ScoreMethod,
    confidence_weighted_entropy,
    cross_entropy_loss,
    label_quality_scores,
    normalized_margin,
    rank_label_issues,
    self_confidence,
)

# The public names; those from confident_joint and label_scores are re-exported for the callers
# and tests that predate the split.
__all__ = [
    "FILTER_BY_METHODS",
    "MIN_PROBABILITY",
    "SCORE_METHODS",
    "FilterBy",
    "ScoreMethod",
    "confidence_weighted_entropy",
    "confident_joint",
    "confident_thresholds",
    "cross_entropy_loss",
    "estimate_joint",
    "estimate_noise",
    "find_label_issues",
    "find_multilabel_issues",
    "find_multilabel_issues_per_class",
    "label_quality_scores",
    "normalized_margin",
    "num_label_issues",
    "rank_label_issues",
    "round_preserving_row_totals",
    "self_confidence",
]

FilterBy = Literal[
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
]
FILTER_BY_METHODS: tuple[str, ...] = get_args(FilterBy)


# --------------------------------------------------------------------------------------------
# Finding label issues
# --------------------------------------------------------------------------------------------


def find_predicted_neq_given(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray):
    """Mask of items whose argmax prediction differs from the given label."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    return pred_probs.argmax(axis=1) != labels


def _off_diagonal_mask(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Items counted off the diagonal of the (uncalibrated) confident joint."""
    counted = confident_true_label_guess(pred_probs, confident_thresholds(labels, pred_probs))
    return counted.has_confident_class & (counted.true_label_guess != labels)


def num_label_issues(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> int:
    """Estimated number of label errors: off-diagonal confident items the model also disputes."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    mask = _off_diagonal_mask(labels, pred_probs) & (pred_probs.argmax(axis=1) != labels)
    return int(mask.sum())


def _first_of_argsort(values: np.ndarray, count: int) -> np.ndarray:
    """The positions `np.argsort(values)[:count]` selects (as a set), usually without sorting.

    An O(n) partition finds the cut-off value. Only when equal values straddle the cut-off
    does the choice depend on the sort's internal order; then the full argsort is run so the
    selection is exactly the one the reference implementation makes.
    """
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    if count >= values.size:
        return np.arange(values.size)
    cutoff = np.partition(values, count - 1)[count - 1]
    below = np.flatnonzero(values < cutoff)
    tied = np.flatnonzero(values == cutoff)
    if below.size + tied.size == count:
        return np.concatenate([below, tied])
    return np.argsort(values)[:count]


def _prune_counts(calibrated_joint: np.ndarray, min_per_class: int, frac_noise: float):
    """How many items to remove per (given, true) cell, as an int matrix R[given, true].

    Each given class keeps at least `min_per_class` items: the diagonal is raised to that and
    the increase is taken evenly out of that row's non-zero off-diagonal cells. `frac_noise`
    scales the off-diagonal (removal) counts, the remainder going back to the diagonal.
    Fractions are truncated: when in doubt, remove fewer items.
    """
    counts = np.asarray(calibrated_joint, dtype=float)
    diagonal = counts.diagonal()
    kept = np.maximum(diagonal, min_per_class)
    raise_by = kept - diagonal
    nonzero_off_diagonal = np.maximum(np.count_nonzero(counts, axis=1) - 1.0, 1.0)
    reduced = np.maximum(counts - (raise_by / nonzero_off_diagonal)[:, None], 0.0)
    np.fill_diagonal(reduced, kept)
    scaled = reduced * frac_noise
    np.fill_diagonal(scaled, kept)
    np.fill_diagonal(scaled, kept + (reduced - scaled).sum(axis=1))
    return scaled.astype(np.int64)


def _prunable_classes(labels: np.ndarray, num_classes: int, min_per_class: int) -> np.ndarray:
    """Classes with enough members to prune: more than `min_per_class`, and never a lone item
    (a single member cannot be ranked against its own class; the reference skips it too)."""
    label_counts = class_counts(labels, num_classes)
    return np.flatnonzero((label_counts > min_per_class) & (label_counts > 1))


def _prune_by_noise_rate(
    labels: np.ndarray, pred_probs: np.ndarray, remove: np.ndarray, classes: np.ndarray
) -> np.ndarray:
    """For each off-diagonal cell (i, j) flag the remove[i, j] items given i with the largest
    margin P(j) - P(i): those the model most strongly believes are really class j."""
    mask = np.zeros(labels.size, dtype=bool)
    for given in classes:
        members = np.flatnonzero(labels == given)
        member_probs = pred_probs[members]
        for true in np.flatnonzero(remove[given] > 0):
            if true == given:
                continue
            negative_margin = -(member_probs[:, true] - member_probs[:, given])
            chosen = _first_of_argsort(negative_margin, int(remove[given, true]))
            mask[members[chosen]] = True
    return mask


def _prune_by_class(labels: np.ndarray, pred_probs: np.ndarray, remove: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """For each given class i flag its items with the lowest P(i); how many = the row's
    off-diagonal total (class size minus the kept diagonal)."""
    mask = np.zeros(labels.size, dtype=bool)
    for given in classes:
        members = np.flatnonzero(labels == given)
        num_errors = int(members.size - remove[given, given])
        chosen = _first_of_argsort(pred_probs[members, given], num_errors)
        mask[members[chosen]] = True
    return mask


def find_label_issues(
    labels: Sequence[int] | np.ndarray | Sequence[Iterable[int]],
    pred_probs: np.ndarray,
    *,
    filter_by: FilterBy = "prune_by_noise_rate",
    min_examples_per_class: int = 1,
    frac_noise: float = 1.0,
    return_index_ranked_by: ScoreMethod | None = None,
) -> np.ndarray:
    """Boolean mask (n,) of likely label errors, or ranked indices if `return_index_ranked_by`.

    filter_by (C = confident joint, calibrated for the pruning filters):
      prune_by_noise_rate  for each off-diagonal cell C[i, j], the C[i, j] items given i with
                           the largest margin P(j) - P(i)  (default; the paper's "PBNR")
      prune_by_class       for each class i, the (class size - C[i, i]) items given i with
                           the lowest P(i)  ("PBC")
      both                 flagged by both of the above
      confident_learning   items counted off the diagonal of the uncalibrated C  ("C_confusion")
      predicted_neq_given  argmax prediction differs from the given label (baseline)
      low_self_confidence, low_normalized_margin
                           the num_label_issues() lowest-scoring items under that score
    Except for the two low_* filters, an item predicted as its given label is never flagged.
    `min_examples_per_class` and `frac_noise` only affect the three pruning filters.

    Multi-label input (a list of class sets, or an (n, k) 0/1 matrix, with independent
    per-class pred_probs) is handled by `find_multilabel_issues` (one-vs-rest, union).
    """
    if filter_by not in FILTER_BY_METHODS:
        raise ValueError(f"filter_by must be one of {FILTER_BY_METHODS}, got {filter_by!r}")
    if not 0.0 <= frac_noise <= 1.0:
        raise ValueError(f"frac_noise must lie in [0, 1], got {frac_noise}")
    if min_examples_per_class < 0:
        raise ValueError("min_examples_per_class must be >= 0")
    if is_multilabel(labels):
        mask = find_multilabel_issues(
            labels,
            pred_probs,
            filter_by=filter_by,
            min_examples_per_class=min_examples_per_class,
            frac_noise=frac_noise,
        )
        if return_index_ranked_by is None:
            return mask
        raise ValueError("return_index_ranked_by is only supported for single-label data")
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
    mask = _single_label_issue_mask(labels, pred_probs, filter_by, min_examples_per_class, frac_noise)
    if return_index_ranked_by is not None:
        return rank_label_issues(mask, labels, pred_probs, rank_by=return_index_ranked_by)
    return mask


def _single_label_issue_mask(
    labels: np.ndarray,
    pred_probs: np.ndarray,
    filter_by: str,
    min_examples_per_class: int,
    frac_noise: float,
) -> np.ndarray:
    """The issue mask for one filter on validated single-label inputs."""
    if filter_by in ("low_self_confidence", "low_normalized_margin"):
        # These only rank; how many to flag comes from the confident-joint estimate. The count
        # already excludes items predicted as their given label, so no second filtering here
        # (the reference does not filter these two either).
        scores = label_quality_scores(labels, pred_probs, method=filter_by.removeprefix("low_"))
        mask = np.zeros(labels.size, dtype=bool)
        mask[_first_of_argsort(scores, num_label_issues(labels, pred_probs))] = True
        return mask
    if filter_by == "predicted_neq_given":
        return find_predicted_neq_given(labels, pred_probs)
    if filter_by == "confident_learning":
        mask = _off_diagonal_mask(labels, pred_probs)
    else:
        calibrated = confident_joint(labels, pred_probs, calibrate=True)
        remove = _prune_counts(calibrated, min_examples_per_class, frac_noise)
        classes = _prunable_classes(labels, pred_probs.shape[1], min_examples_per_class)
        if filter_by == "prune_by_noise_rate":
            mask = _prune_by_noise_rate(labels, pred_probs, remove, classes)
        elif filter_by == "prune_by_class":
            mask = _prune_by_class(labels, pred_probs, remove, classes)
        else:  # "both": flagged by both pruning rules
            mask = _prune_by_class(labels, pred_probs, remove, classes)
            mask &= _prune_by_noise_rate(labels, pred_probs, remove, classes)
    # An item the model itself predicts as its given label is not reported as an error.
    return mask & (pred_probs.argmax(axis=1) != labels)


# --------------------------------------------------------------------------------------------
# Multi-label
# --------------------------------------------------------------------------------------------


def is_multilabel(labels) -> bool:
    """True for an (n, k) 2-D array or a sequence whose items are collections of classes."""
    if isinstance(labels, np.ndarray):
        return labels.ndim == 2
    if isinstance(labels, Sequence) and len(labels) > 0:
        return isinstance(labels[0], (set, frozenset, list, tuple, np.ndarray))
    return False


def multilabel_matrix(labels, num_classes: int) -> np.ndarray:
    """(n, k) 0/1 int matrix from a list of class sets or an (n, k) indicator matrix."""
    if isinstance(labels, np.ndarray) and labels.ndim == 2:
        matrix = labels.astype(np.int64)
        if matrix.shape[1] != num_classes or not np.isin(matrix, (0, 1)).all():
            raise ValueError(f"multi-label matrix must be 0/1 with {num_classes} columns")
        return matrix
    matrix = np.zeros((len(labels), num_classes), dtype=np.int64)
    for row, classes in enumerate(labels):
        for cls in classes:
            if not 0 <= int(cls) < num_classes:
                raise ValueError(f"class {cls} outside 0..{num_classes - 1} in item {row}")
            matrix[row, int(cls)] = 1
    return matrix


def find_multilabel_issues_per_class(
    labels,
    pred_probs: np.ndarray,
    *,
    filter_by: FilterBy = "prune_by_noise_rate",
    min_examples_per_class: int = 1,
    frac_noise: float = 1.0,
) -> np.ndarray:
    """(n, k) mask: cell (i, c) flags item i's presence/absence of class c as a likely error.

    Each class is treated as its own binary problem (one-vs-rest): given label = "c present",
    probabilities [1 - P(c), P(c)], run through the single-label method unchanged.
    """
    probs = np.asarray(pred_probs, dtype=float)
    if probs.ndim != 2:
        raise ValueError(f"pred_probs must have shape (n, k), got {probs.shape}")
    if probs.size and not (probs.min() >= 0.0 and probs.max() <= 1.0):
        raise ValueError("pred_probs must be finite probabilities in [0, 1]")
    matrix = multilabel_matrix(labels, probs.shape[1])
    if matrix.shape[0] != probs.shape[0]:
        raise ValueError("labels and pred_probs disagree on the number of items")
    per_class = np.zeros(matrix.shape, dtype=bool)
    for cls in range(probs.shape[1]):
        binary_probs = np.column_stack([1.0 - probs[:, cls], probs[:, cls]])
        per_class[:, cls] = _single_label_issue_mask(
            matrix[:, cls], binary_probs, filter_by, min_examples_per_class, frac_noise
        )
    return per_class


def find_multilabel_issues(labels, pred_probs: np.ndarray, **options) -> np.ndarray:
    """(n,) mask: an item is flagged if ANY of its per-class (one-vs-rest) decisions is flagged.

    The union is used because a multi-label annotation is wrong as soon as one class is wrongly
    added or missed; reviewers fix the item as a whole. Options as in the per-class function.
    """
    return find_multilabel_issues_per_class(labels, pred_probs, **options).any(axis=1)
