"""Find likely label errors from out-of-sample predicted probabilities (confident learning)."""

# Method: Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
# Labels", JAIR 70 (2021). Tie-handling, calibration and rounding details were chosen so the
# results equal cleanlab 2.9.0 on the reference fixtures in shared/reference (see the tests).
#
# Conventions used throughout:
#   labels      (n,) ints in 0..k-1, the *given* (possibly noisy) labels
#   pred_probs  (n, k) out-of-sample probabilities; row i is the model's P(true class | item i)
#   joint[i, j] counts (or estimates) items whose given label is i and true label is j
#
# Multi-label data is reduced to one binary problem per class (one-vs-rest) and an item is
# flagged when any of its classes is (the union); see find_multilabel_issues.

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

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
ScoreMethod = Literal["self_confidence", "normalized_margin", "confidence_weighted_entropy"]
SCORE_METHODS: tuple[str, ...] = (
    "self_confidence",
    "normalized_margin",
    "confidence_weighted_entropy",
)

# Probabilities within this distance below a threshold still count as "at or above" it, so that
# a class whose every member has identical probability is confident for all of its members.
THRESHOLD_SLACK = 1e-6
# Thresholds never go below twice the slack, so a probability of exactly 0 is never confident.
MIN_THRESHOLD = 2 * THRESHOLD_SLACK
# Threshold for a class nobody was given: above any probability, so it is never confident.
ABSENT_CLASS_THRESHOLD = 2.0
# Floor used before dividing by, or taking the log of, a probability.
MIN_PROBABILITY = 1e-6
# Floor for divisions by row/column counts that may legitimately be zero.
MIN_COUNT = 1e-6


# --------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------


def _as_labels_and_probs(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray):
    """Validate and convert single-label inputs; returns (labels int64 (n,), pred_probs (n, k))."""
    probs = np.asarray(pred_probs, dtype=float)
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(f"pred_probs must have shape (n, k) with k >= 2, got {probs.shape}")
    given = np.asarray(labels)
    if given.ndim != 1 or given.shape[0] != probs.shape[0]:
        raise ValueError(f"labels must have shape ({probs.shape[0]},) to match pred_probs, got {given.shape}")
    # Whole-valued floats (e.g. read back from a CSV) are accepted; anything else is refused.
    whole_floats = given.dtype.kind == "f" and bool(np.all(np.mod(given, 1) == 0))
    if given.size and given.dtype.kind not in "iub" and not whole_floats:
        raise ValueError("labels must be integer class indices 0..k-1")
    given = given.astype(np.int64, copy=False)
    if given.size and (given.min() < 0 or given.max() >= probs.shape[1]):
        raise ValueError(f"labels must lie in 0..{probs.shape[1] - 1}")
    # min/max propagate NaN, so this one range check also rejects NaN and inf.
    if probs.size and not (probs.min() >= 0.0 and probs.max() <= 1.0):
        raise ValueError("pred_probs must be finite probabilities in [0, 1]")
    return given, probs


def _class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """How many items were given each class (zeros for classes nobody was given)."""
    return np.bincount(labels, minlength=num_classes)


# --------------------------------------------------------------------------------------------
# Thresholds and the confident joint
# --------------------------------------------------------------------------------------------


def confident_thresholds(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Per-class threshold t_j: the mean P(class j) over the items given class j. Shape (k,)."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
    num_classes = pred_probs.shape[1]
    thresholds = np.full(num_classes, ABSENT_CLASS_THRESHOLD)
    for cls in np.unique(labels):
        # np.mean over the gathered subset (pairwise summation) keeps thresholds bit-identical
        # to the reference values, which matters for items sitting exactly on a threshold.
        thresholds[cls] = np.mean(pred_probs[:, cls][labels == cls])
    return np.clip(thresholds, MIN_THRESHOLD, None)


@dataclass(frozen=True)
class ConfidentCounts:
    """Per-item result of confident counting.

    `has_confident_class[i]` is False when no class reached its threshold (item not counted);
    `true_label_guess[i]` is only meaningful where `has_confident_class[i]` is True.
    """

    has_confident_class: np.ndarray
    true_label_guess: np.ndarray


def confident_true_label_guess(pred_probs: np.ndarray, thresholds: np.ndarray) -> ConfidentCounts:
    """Guess each item's true class: the one class at/above its threshold, or argmax if several."""
    above = pred_probs >= np.asarray(thresholds) - THRESHOLD_SLACK
    num_above = above.sum(axis=1)
    # With several classes above their thresholds the most probable class wins (the paper's
    # argmax rule); note that argmax is taken over *all* classes, as the reference does.
    true_label_guess = np.where(num_above > 1, pred_probs.argmax(axis=1), above.argmax(axis=1))
    return ConfidentCounts(has_confident_class=num_above > 0, true_label_guess=true_label_guess)


def confident_joint(
    labels: Sequence[int] | np.ndarray,
    pred_probs: np.ndarray,
    *,
    thresholds: np.ndarray | None = None,
    calibrate: bool = True,
) -> np.ndarray:
    """Integer (k, k) confident joint C[given, true]; calibrated to the label counts by default."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
    num_classes = pred_probs.shape[1]
    if thresholds is None:
        thresholds = confident_thresholds(labels, pred_probs)
    counted = confident_true_label_guess(pred_probs, thresholds)
    mask = counted.has_confident_class
    flat = labels[mask] * num_classes + counted.true_label_guess[mask]
    joint = np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, -1)
    # Every class keeps at least one "correctly labelled" count on the diagonal, so no row or
    # column is empty and later divisions and per-class pruning stay well defined.
    np.fill_diagonal(joint, np.maximum(joint.diagonal(), 1))
    if calibrate:
        joint = calibrate_confident_joint(joint, labels)
    return joint


def calibrate_confident_joint(joint: np.ndarray, labels: Sequence[int] | np.ndarray) -> np.ndarray:
    """Rescale each row of C to the number of items given that class, then round to ints.

    Rows are rescaled because confident counting skips unconfident items, so raw row sums
    under-count; the paper's calibration (eq. 3) restores P(given label) exactly.
    """
    joint = np.asarray(joint, dtype=float)
    label_counts = _class_counts(np.asarray(labels, dtype=np.int64), joint.shape[0])
    row_sums = np.clip(joint.sum(axis=1), MIN_COUNT, None)
    calibrated = joint / row_sums[:, None] * label_counts[:, None]
    calibrated = calibrated / np.sum(calibrated) * label_counts.sum()
    return round_preserving_row_totals(calibrated)


def round_preserving_row_totals(matrix: np.ndarray) -> np.ndarray:
    """Round every entry to an int so that each row still sums to its rounded float total.

    Entries are rounded half-to-even. A row that ends up short gets +1 on the entries that
    were rounded down the most (largest value - rounded); a row that ends up over gets -1 on
    the entries that were rounded up the most (smallest value - rounded). Ties between equal
    residuals follow numpy's argsort order, reversed when adding, as the reference does.
    """
    values = np.atleast_2d(np.asarray(matrix, dtype=float))
    rounded = np.round(values)
    targets = np.round(values.sum(axis=1))
    num_cols = values.shape[1]
    while True:
        shortfall = np.round(targets - rounded.sum(axis=1))
        rows = np.flatnonzero(np.abs(shortfall) > 1e-6)
        if rows.size == 0:
            break
        order = np.argsort(values[rows] - rounded[rows], axis=1)
        adding = shortfall[rows] > 0
        order[adding] = order[adding, ::-1]
        num_changes = np.minimum(np.abs(shortfall[rows]).astype(int), num_cols)
        take = np.arange(num_cols)[None, :] < num_changes[:, None]
        step = np.where(adding, 1.0, -1.0)
        row_idx = np.broadcast_to(rows[:, None], order.shape)[take]
        rounded[row_idx, order[take]] += np.broadcast_to(step[:, None], order.shape)[take]
    return rounded.astype(np.int64)


# --------------------------------------------------------------------------------------------
# Joint distribution, noise matrices and noise rates
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoiseEstimate:
    """Estimated label-noise structure, all derived from the calibrated confident joint.

    joint[i, j]                  P(given=i, true=j); sums to 1
    noise_matrix[i, j]           P(given=i | true=j); columns sum to 1
    inverse_noise_matrix[j, i]   P(true=j | given=i); columns sum to 1
    prior_given[i], prior_true[j]  marginals of the joint
    noise_rate_given[i]          P(true != i | given=i): share of class-i labels that are wrong
    noise_rate_true[j]           P(given != j | true=j): share of true-j items mislabelled
    """

    joint: np.ndarray
    noise_matrix: np.ndarray
    inverse_noise_matrix: np.ndarray
    prior_given: np.ndarray
    prior_true: np.ndarray
    noise_rate_given: np.ndarray
    noise_rate_true: np.ndarray


def estimate_joint(
    labels: Sequence[int] | np.ndarray,
    pred_probs: np.ndarray,
    *,
    calibrated_joint: np.ndarray | None = None,
) -> np.ndarray:
    """Estimated joint P(given, true), shape (k, k), summing to 1 (normalised calibrated C)."""
    if calibrated_joint is None:
        calibrated_joint = confident_joint(labels, pred_probs, calibrate=True)
    calibrated_joint = np.asarray(calibrated_joint, dtype=float)
    return calibrated_joint / max(float(calibrated_joint.sum()), MIN_COUNT)


def _normalise_columns(matrix: np.ndarray) -> np.ndarray:
    """Divide each column by its sum; an all-zero column stays zero instead of becoming NaN."""
    sums = matrix.sum(axis=0)
    return np.divide(matrix, sums, out=np.zeros_like(matrix), where=sums > 0)


def estimate_noise(
    labels: Sequence[int] | np.ndarray,
    pred_probs: np.ndarray,
    *,
    calibrated_joint: np.ndarray | None = None,
) -> NoiseEstimate:
    """Joint, noise matrix P(given|true), inverse noise matrix P(true|given) and noise rates."""
    joint = estimate_joint(labels, pred_probs, calibrated_joint=calibrated_joint)
    noise_matrix = _normalise_columns(joint)
    inverse_noise_matrix = _normalise_columns(joint.T)
    return NoiseEstimate(
        joint=joint,
        noise_matrix=noise_matrix,
        inverse_noise_matrix=inverse_noise_matrix,
        prior_given=joint.sum(axis=1),
        prior_true=joint.sum(axis=0),
        noise_rate_given=1.0 - inverse_noise_matrix.diagonal(),
        noise_rate_true=1.0 - noise_matrix.diagonal(),
    )


# --------------------------------------------------------------------------------------------
# Per-item label-quality scores (higher = the given label looks more trustworthy)
# --------------------------------------------------------------------------------------------


def self_confidence(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """P(given label) for each item."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
    return pred_probs[np.arange(labels.size), labels]


def normalized_margin(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """(P(given) - max P(any other class) + 1) / 2, in [0, 1]."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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


# --------------------------------------------------------------------------------------------
# Finding label issues
# --------------------------------------------------------------------------------------------


def find_predicted_neq_given(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray):
    """Mask of items whose argmax prediction differs from the given label."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
    return pred_probs.argmax(axis=1) != labels


def _off_diagonal_mask(labels: np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Items counted off the diagonal of the (uncalibrated) confident joint."""
    counted = confident_true_label_guess(pred_probs, confident_thresholds(labels, pred_probs))
    return counted.has_confident_class & (counted.true_label_guess != labels)


def num_label_issues(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> int:
    """Estimated number of label errors: off-diagonal confident items the model also disputes."""
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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
    label_counts = _class_counts(labels, num_classes)
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
    labels, pred_probs = _as_labels_and_probs(labels, pred_probs)
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
