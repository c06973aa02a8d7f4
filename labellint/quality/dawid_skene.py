"""Dawid-Skene (1979) consensus: EM over per-annotator confusion matrices, vectorised over ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class DawidSkeneResult:
    """Posterior class probabilities per item, class priors and each annotator's confusion matrix.

    ``posteriors[i, k]`` = P(true class of ``items[i]`` is ``classes[k]``); ``confusion[w, j, l]``
    = P(annotator ``annotators[w]`` says ``l`` | true class ``j``). ``history`` keeps the
    posteriors of every iteration when asked (iteration 0 = majority-vote fractions).
    """

    items: np.ndarray
    annotators: np.ndarray
    classes: np.ndarray
    posteriors: np.ndarray
    priors: np.ndarray
    confusion: np.ndarray
    iterations: int
    converged: bool
    history: list[np.ndarray] | None = None

    @property
    def labels(self) -> np.ndarray:
        """The most probable class per item (ties go to the first class in order)."""
        return self.classes[np.argmax(self.posteriors, axis=1)]

    def annotator_accuracy(self) -> np.ndarray:
        """Estimated accuracy per annotator: sum_j prior_j * P(says j | true j)."""
        return np.einsum("j,wjj->w", self.priors, self.confusion)


def majority_fractions(item_codes: np.ndarray, label_codes: np.ndarray, n_items: int, n_classes: int) -> np.ndarray:
    """Share of each item's ratings (repeats included) that gave each class."""
    counts = np.bincount(item_codes * n_classes + label_codes, minlength=n_items * n_classes).reshape(
        n_items, n_classes
    )
    return counts / counts.sum(axis=1, keepdims=True)


def dawid_skene(
    item_ids: ArrayLike,
    annotator_ids: ArrayLike,
    labels: ArrayLike,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    keep_history: bool = False,
) -> DawidSkeneResult:
    """Dawid-Skene EM on long-form ratings; repeated ratings by one annotator all count.

    Start from majority-vote fractions T; then repeat: M-step priors p_j = mean_i T_ij and
    confusion pi_w[j, l] proportional to sum_i T_ij n_iwl; E-step T_ij proportional to
    p_j prod_w prod_l pi_w[j, l]^n_iwl (in log space). Stops when no posterior moves more
    than ``tol`` or after ``max_iter`` iterations. Every step is a bincount over the ratings.
    """
    items, item_codes = np.unique(np.asarray(item_ids), return_inverse=True)
    annotators, annotator_codes = np.unique(np.asarray(annotator_ids), return_inverse=True)
    classes, label_codes = np.unique(np.asarray(labels), return_inverse=True)
    item_codes, annotator_codes, label_codes = (c.reshape(-1) for c in (item_codes, annotator_codes, label_codes))
    n_items, n_annotators, n_classes = len(items), len(annotators), len(classes)

    posteriors = majority_fractions(item_codes, label_codes, n_items, n_classes)
    history = [posteriors.copy()] if keep_history else None
    cell = annotator_codes * n_classes + label_codes  # (annotator, said) per rating
    n_cells = n_annotators * n_classes
    converged = False
    iterations = 0
    priors, confusion = _m_step(posteriors, item_codes, cell, n_cells, n_annotators, n_classes)
    while iterations < max_iter:
        iterations += 1
        with np.errstate(divide="ignore"):
            log_confusion = np.log(confusion)  # (w, j, l); a zero stays -inf: that answer rules j out
            log_priors = np.log(priors)
        per_rating = log_confusion[annotator_codes, :, label_codes]  # (ratings, j)
        log_post = np.tile(log_priors, (n_items, 1))
        for j in range(n_classes):
            log_post[:, j] += np.bincount(item_codes, weights=per_rating[:, j], minlength=n_items)
        new_posteriors = _normalise_log(log_post)
        change = np.abs(new_posteriors - posteriors).max()
        posteriors = new_posteriors
        if keep_history:
            history.append(posteriors.copy())
        priors, confusion = _m_step(posteriors, item_codes, cell, n_cells, n_annotators, n_classes)
        if change < tol:
            converged = True
            break
    return DawidSkeneResult(
        items=items,
        annotators=annotators,
        classes=classes,
        posteriors=posteriors,
        priors=priors,
        confusion=confusion,
        iterations=iterations,
        converged=converged,
        history=history,
    )


def _m_step(
    posteriors: np.ndarray, item_codes: np.ndarray, cell: np.ndarray, n_cells: int, n_annotators: int, n_classes: int
) -> tuple[np.ndarray, np.ndarray]:
    priors = posteriors.mean(axis=0)
    weighted = np.empty((n_annotators, n_classes, n_classes))
    for j in range(n_classes):
        weighted[:, j, :] = np.bincount(cell, weights=posteriors[item_codes, j], minlength=n_cells).reshape(
            n_annotators, n_classes
        )
    totals = weighted.sum(axis=2, keepdims=True)
    # An annotator never seen on (likely) class j: no evidence, so a uniform row.
    confusion = np.divide(weighted, totals, out=np.full_like(weighted, 1 / n_classes), where=totals > 0)
    return priors, confusion


def _normalise_log(log_post: np.ndarray) -> np.ndarray:
    top = log_post.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    weights = np.exp(log_post - top)
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=np.full_like(weights, 1 / weights.shape[1]), where=totals > 0)
