"""Confident learning's counting: per-class thresholds, the confident joint and the label noise it implies."""

# Method: Northcutt, Jiang & Chuang, "Confident Learning: Estimating Uncertainty in Dataset
# Labels", JAIR 70 (2021); labellint.quality.confident finds the label errors from these counts.
#
# Conventions used throughout (here, in label_scores and in confident):
#   labels      (n,) ints in 0..k-1, the *given* (possibly noisy) labels
#   pred_probs  (n, k) out-of-sample probabilities; row i is the model's P(true class | item i)
#   joint[i, j] counts (or estimates) items whose given label is i and true label is j

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Probabilities within this distance below a threshold still count as "at or above" it, so that
# a class whose every member has identical probability is confident for all of its members.
THRESHOLD_SLACK = 1e-6
# Thresholds never go below twice the slack, so a probability of exactly 0 is never confident.
MIN_THRESHOLD = 2 * THRESHOLD_SLACK
# Threshold for a class nobody was given: above any probability, so it is never confident.
ABSENT_CLASS_THRESHOLD = 2.0
# Floor for divisions by row/column counts that may legitimately be zero.
MIN_COUNT = 1e-6


# --------------------------------------------------------------------------------------------
# Input checking
# --------------------------------------------------------------------------------------------


def as_labels_and_probs(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray):
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


def class_counts(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """How many items were given each class (zeros for classes nobody was given)."""
    return np.bincount(labels, minlength=num_classes)


# --------------------------------------------------------------------------------------------
# Thresholds and the confident joint
# --------------------------------------------------------------------------------------------


def confident_thresholds(labels: Sequence[int] | np.ndarray, pred_probs: np.ndarray) -> np.ndarray:
    """Per-class threshold t_j: the mean P(class j) over the items given class j. Shape (k,)."""
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
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
    labels, pred_probs = as_labels_and_probs(labels, pred_probs)
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
    label_counts = class_counts(np.asarray(labels, dtype=np.int64), joint.shape[0])
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
