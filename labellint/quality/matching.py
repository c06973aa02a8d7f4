"""One-to-one matching of boxes and spans, and the agreement between two annotators' sets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

BoxFormat = Literal["xywh", "xyxy"]
MatchMethod = Literal["hungarian", "greedy"]
Span = tuple[int, int, Hashable]


# --------------------------------------------------------------------------- similarity matrices


def iou_matrix(boxes_a: ArrayLike, boxes_b: ArrayLike, box_format: BoxFormat = "xywh") -> np.ndarray:
    """IoU of every box in A with every box in B, shape (len(A), len(B)).

    Coordinates are continuous (COCO convention: area = w * h, no +1 pixel), so
    xyxy (0,0,10,10) vs (5,0,15,10) gives 1/3, not the VOC-style 0.375. Boxes default to COCO
    ``[x, y, width, height]``; pass ``box_format="xyxy"`` for corner pairs. Two boxes without
    area overlap have IoU 0, including degenerate zero-area boxes.
    """
    a = _as_corners(boxes_a, box_format)
    b = _as_corners(boxes_b, box_format)
    overlap_w = np.minimum.outer(a[:, 2], b[:, 2]) - np.maximum.outer(a[:, 0], b[:, 0])
    overlap_h = np.minimum.outer(a[:, 3], b[:, 3]) - np.maximum.outer(a[:, 1], b[:, 1])
    intersection = np.clip(overlap_w, 0, None) * np.clip(overlap_h, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = np.add.outer(area_a, area_b) - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def span_iou_matrix(spans_a: Sequence[Sequence], spans_b: Sequence[Sequence]) -> np.ndarray:
    """1-D IoU (overlap length / union length) of every span in A with every span in B.

    Spans are ``(start, end, ...)`` with ``end`` exclusive, like Python slices and character
    offsets in spaCy or brat; any trailing items such as the label are ignored here.
    """
    a = _span_bounds(spans_a)
    b = _span_bounds(spans_b)
    intersection = np.clip(np.minimum.outer(a[:, 1], b[:, 1]) - np.maximum.outer(a[:, 0], b[:, 0]), 0, None)
    union = np.add.outer(a[:, 1] - a[:, 0], b[:, 1] - b[:, 0]) - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def iou_pairs(boxes_a: ArrayLike, boxes_b: ArrayLike) -> np.ndarray:
    """IoU of the i-th box in A with the i-th box in B (xywh): `iou_matrix`'s figure for each pair,
    computed the same way, without the matrix."""
    a, b = _as_corners(boxes_a, "xywh"), _as_corners(boxes_b, "xywh")
    overlap_w = np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0])
    overlap_h = np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1])
    intersection = np.clip(overlap_w, 0, None) * np.clip(overlap_h, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a + area_b - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


def span_iou_pairs(spans_a: np.ndarray, spans_b: np.ndarray) -> np.ndarray:
    """1-D IoU of the i-th span in A with the i-th in B ((n, 2) start, end arrays), as `span_iou_matrix`."""
    a, b = np.asarray(spans_a, dtype=float).reshape(-1, 2), np.asarray(spans_b, dtype=float).reshape(-1, 2)
    if (a[:, 1] < a[:, 0]).any() or (b[:, 1] < b[:, 0]).any():
        raise ValueError("spans need end >= start")
    intersection = np.clip(np.minimum(a[:, 1], b[:, 1]) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    union = (a[:, 1] - a[:, 0]) + (b[:, 1] - b[:, 0]) - intersection
    return np.divide(intersection, union, out=np.zeros_like(intersection), where=union > 0)


# --------------------------------------------------------------------------- matching


def match_one_to_one(scores: ArrayLike, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Optimal one-to-one matching of rows to columns on a similarity matrix (e.g. IoU).

    Only pairs with ``score >= threshold`` and ``score > 0`` may match (so IoU exactly at the
    threshold matches, as in COCO, and disjoint boxes never do). Among all such matchings it
    returns one with the most pairs, and among those the largest total score - solved with
    the Hungarian algorithm (``scipy.optimize.linear_sum_assignment``), so unlike greedy
    matching it never loses a pair to input order. Returns ``(rows, cols)`` index arrays,
    sorted by row.
    """
    score = np.asarray(scores, dtype=float)
    if score.ndim != 2:
        raise ValueError(f"scores must be a 2-D matrix, got shape {score.shape}")
    allowed = (score >= threshold) & (score > 0)
    if not allowed.any():
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    # A per-pair bonus larger than any possible total score makes the number of matches the
    # first objective and the summed score only the tie-breaker.
    bonus = min(score.shape) * score[allowed].max() + 1.0
    weight = np.where(allowed, score + bonus, 0.0)
    # scipy.optimize costs ~0.45 s to import; only runs that match boxes pay it.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(weight, maximize=True)
    kept = allowed[rows, cols]
    return rows[kept], cols[kept]


def match_greedy(scores: ArrayLike, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Greedy-by-score matching: repeatedly take the best remaining allowed pair.

    Shown for comparison with :func:`match_one_to_one`; it can miss pairs (two boxes shifted
    against two others: greedy F1 0.5 where the optimal matching gives 1.0). Ties keep the
    row-major input order.
    """
    score = np.asarray(scores, dtype=float)
    candidate_rows, candidate_cols = np.nonzero((score >= threshold) & (score > 0))
    order = np.argsort(-score[candidate_rows, candidate_cols], kind="stable")
    used_rows, used_cols, rows, cols = set(), set(), [], []
    for row, col in zip(candidate_rows[order], candidate_cols[order], strict=True):
        if row not in used_rows and col not in used_cols:
            used_rows.add(row)
            used_cols.add(col)
            rows.append(row)
            cols.append(col)
    by_row = np.argsort(rows, kind="stable")
    return np.asarray(rows, dtype=np.intp)[by_row], np.asarray(cols, dtype=np.intp)[by_row]


# --------------------------------------------------------------------------- agreement


@dataclass(frozen=True)
class MatchAgreement:
    """How well annotator B's objects (boxes or spans) agree with annotator A's.

    ``tp`` matched pairs, ``fn`` A-only objects, ``fp`` B-only objects. Precision and recall
    treat A as the reference; ``f1 = 2 tp / (|A| + |B|)`` is symmetric. Units (images or
    documents) where neither annotator drew anything count as full agreement: on their own
    they give precision = recall = f1 = 1.0 and ``mean_iou`` None; pooled with other units
    they add nothing to the counts, i.e. they are skipped, and ``n_both_empty`` reports them.
    Precision (recall) is None when only A (B) has objects; ``mean_iou`` is None without
    matches. ``label_confusion`` counts (label in A, label in B) over matched pairs,
    including agreeing labels.
    """

    tp: int
    fp: int
    fn: int
    matched_ious: np.ndarray = field(repr=False)
    label_confusion: dict[tuple[Hashable, Hashable], int] = field(default_factory=dict)
    n_units: int = 1
    n_both_empty: int = 0

    @property
    def n_a(self) -> int:
        return self.tp + self.fn

    @property
    def n_b(self) -> int:
        return self.tp + self.fp

    @property
    def both_empty(self) -> bool:
        return self.n_a == 0 and self.n_b == 0

    @property
    def precision(self) -> float | None:
        if self.both_empty:
            return 1.0
        return self.tp / self.n_b if self.n_b else None

    @property
    def recall(self) -> float | None:
        if self.both_empty:
            return 1.0
        return self.tp / self.n_a if self.n_a else None

    @property
    def f1(self) -> float:
        if self.both_empty:
            return 1.0
        return 2 * self.tp / (self.n_a + self.n_b)

    @property
    def mean_iou(self) -> float | None:
        return float(self.matched_ious.mean()) if len(self.matched_ious) else None

    @property
    def label_agreement(self) -> float | None:
        """Share of matched pairs whose labels agree (None without labels or matches)."""
        total = sum(self.label_confusion.values())
        if total == 0:
            return None
        same = sum(count for (a, b), count in self.label_confusion.items() if a == b)
        return same / total


def box_agreement(
    boxes_a: ArrayLike,
    boxes_b: ArrayLike,
    labels_a: Sequence[Hashable] | None = None,
    labels_b: Sequence[Hashable] | None = None,
    *,
    threshold: float = 0.5,
    class_aware: bool = False,
    method: MatchMethod = "hungarian",
    box_format: BoxFormat = "xywh",
) -> MatchAgreement:
    """Agreement between two annotators' boxes on one image, matched one-to-one at IoU >= t.

    Class-agnostic matching (the default) separates localisation from labelling: label
    errors then show up in ``label_confusion`` rather than as FP + FN. With
    ``class_aware=True`` only boxes with equal labels may match.
    """
    iou = iou_matrix(boxes_a, boxes_b, box_format)
    return _agreement_on_scores(iou, labels_a, labels_b, threshold, class_aware, method)


def span_agreement(
    spans_a: Sequence[Span],
    spans_b: Sequence[Span],
    *,
    mode: Literal["exact", "overlap"] = "exact",
    label_aware: bool = True,
) -> MatchAgreement:
    """Agreement between two annotators' ``(start, end, label)`` spans (end exclusive).

    ``exact``: a pair matches only with identical boundaries (the usual strict NER F1).
    ``overlap``: any overlapping pair may match, one-to-one, preferring more and then
    larger-IoU pairs. With ``label_aware`` the labels must also be equal; otherwise the label
    mismatches are reported in ``label_confusion``. ``mean_iou`` is the mean span IoU.
    """
    if mode not in ("exact", "overlap"):
        raise ValueError(f"mode must be 'exact' or 'overlap', got {mode!r}")
    if mode == "exact":
        bounds_a, bounds_b = _span_bounds(spans_a), _span_bounds(spans_b)
        # Identity, not IoU, so that identical zero-length spans still match (with IoU 1).
        scores = (bounds_a[:, None, :] == bounds_b[None, :, :]).all(axis=2).astype(float)
    else:
        scores = span_iou_matrix(spans_a, spans_b)
    labels_a, labels_b = _span_labels(spans_a), _span_labels(spans_b)
    return _agreement_on_scores(scores, labels_a, labels_b, 0.0, label_aware, "hungarian")


def combine_agreements(results: Iterable[MatchAgreement]) -> MatchAgreement:
    """Pool per-unit results (micro average): counts, matched IoUs and confusions add up."""
    results = list(results)
    confusion: Counter = Counter()
    for result in results:
        confusion.update(result.label_confusion)
    ious = [result.matched_ious for result in results]
    return MatchAgreement(
        tp=sum(result.tp for result in results),
        fp=sum(result.fp for result in results),
        fn=sum(result.fn for result in results),
        matched_ious=np.concatenate(ious) if ious else np.empty(0),
        label_confusion=dict(confusion),
        n_units=sum(result.n_units for result in results),
        n_both_empty=sum(result.n_both_empty for result in results),
    )


# --------------------------------------------------------------------------- helpers


def _agreement_on_scores(
    scores: np.ndarray,
    labels_a: Sequence[Hashable] | None,
    labels_b: Sequence[Hashable] | None,
    threshold: float,
    same_label_only: bool,
    method: MatchMethod,
) -> MatchAgreement:
    n_a, n_b = scores.shape
    _check_labels(labels_a, n_a, "labels_a")
    _check_labels(labels_b, n_b, "labels_b")
    if same_label_only:
        if labels_a is None or labels_b is None:
            raise ValueError("class-aware matching needs labels for both annotators")
        # Matching on the masked matrix equals matching each class separately: the blocks
        # of different classes cannot interact once their cross scores are 0.
        same = np.array([[a == b for b in labels_b] for a in labels_a], dtype=bool)
        scores = np.where(same.reshape(n_a, n_b), scores, 0.0)
    if method == "hungarian":
        rows, cols = match_one_to_one(scores, threshold)
    elif method == "greedy":
        rows, cols = match_greedy(scores, threshold)
    else:
        raise ValueError(f"method must be 'hungarian' or 'greedy', got {method!r}")
    confusion: Counter = Counter()
    if labels_a is not None and labels_b is not None:
        confusion.update((labels_a[row], labels_b[col]) for row, col in zip(rows, cols, strict=True))
    tp = len(rows)
    return MatchAgreement(
        tp=tp,
        fp=n_b - tp,
        fn=n_a - tp,
        matched_ious=scores[rows, cols],
        label_confusion=dict(confusion),
        n_both_empty=int(n_a == 0 and n_b == 0),
    )


def _as_corners(boxes: ArrayLike, box_format: BoxFormat) -> np.ndarray:
    """Boxes as an (n, 4) float array of x1, y1, x2, y2."""
    array = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if box_format == "xywh":
        if (array[:, 2:] < 0).any():
            raise ValueError("box width and height must be non-negative")
        return np.column_stack([array[:, :2], array[:, :2] + array[:, 2:]])
    if box_format == "xyxy":
        if (array[:, 2:] < array[:, :2]).any():
            raise ValueError("xyxy boxes need x2 >= x1 and y2 >= y1")
        return array
    raise ValueError(f"box_format must be 'xywh' or 'xyxy', got {box_format!r}")


def _span_bounds(spans: Sequence[Sequence]) -> np.ndarray:
    bounds = np.array([(span[0], span[1]) for span in spans], dtype=float).reshape(-1, 2)
    if (bounds[:, 1] < bounds[:, 0]).any():
        raise ValueError("spans need end >= start")
    return bounds


def _span_labels(spans: Sequence[Sequence]) -> list[Hashable] | None:
    """The third field of every span, or None when any span has no label."""
    if any(len(span) < 3 for span in spans):
        return None
    return [span[2] for span in spans]


def _check_labels(labels: Sequence[Hashable] | None, expected: int, name: str) -> None:
    if labels is not None and len(labels) != expected:
        raise ValueError(f"{name} has {len(labels)} labels for {expected} objects")
