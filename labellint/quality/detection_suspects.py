"""Detection suspects: predicted boxes (with scores) against labelled boxes, image by image."""

# Kinds and scores (all in [0, 1], higher = more suspicious; the list is sorted by score):
#   missing-box     a prediction with score s >= score_threshold that no label matches at
#                   IoU >= match_iou (any class). score = s * (1 - best IoU with any label).
#   spurious-label  a label that no prediction of any class and any score overlaps at IoU
#                   >= spurious_iou. score = 1 - best IoU with any prediction.
#   wrong-class     a label matched (class-agnostic, one-to-one, IoU >= match_iou) to a
#                   confident prediction of another class, with no confident same-class
#                   prediction at IoU >= match_iou. score = s * IoU.
#   bad-location    a label matched to a confident same-class prediction with
#                   match_iou <= IoU < location_iou. score = s * (1 - IoU).

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labellint.quality.matching import iou_matrix, match_one_to_one

KINDS = ("missing-box", "spurious-label", "wrong-class", "bad-location")


@dataclass(slots=True)
class DetectionSuspect:
    """One suspect: the label index (or None for a missing box), the prediction index (or None)."""

    kind: str
    item: int
    label: int | None
    prediction: int | None
    given: int | None  # class index of the label
    suggested: int | None  # class index of the prediction
    score: float
    iou: float


def detection_suspects(
    label_item: np.ndarray,
    label_class: np.ndarray,
    label_box: np.ndarray,
    pred_item: np.ndarray,
    pred_class: np.ndarray,
    pred_box: np.ndarray,
    pred_score: np.ndarray,
    *,
    score_threshold: float = 0.5,
    match_iou: float = 0.5,
    location_iou: float = 0.75,
    spurious_iou: float = 0.1,
) -> list[DetectionSuspect]:
    """Every suspect, most suspicious first. Boxes are xywh; items are integer image indices."""
    out: list[DetectionSuspect] = []
    inputs = _Inputs(
        label_class, label_box, pred_class, pred_box, pred_score, score_threshold, match_iou, location_iou, spurious_iou
    )
    label_order = np.argsort(label_item, kind="stable")
    pred_order = np.argsort(pred_item, kind="stable")
    items = np.union1d(label_item, pred_item)
    label_bounds = np.searchsorted(label_item[label_order], [items, items + 1]) if len(items) else None
    pred_bounds = np.searchsorted(pred_item[pred_order], [items, items + 1]) if len(items) else None
    for position, item in enumerate(items.tolist()):
        labels = label_order[label_bounds[0][position] : label_bounds[1][position]]
        preds = pred_order[pred_bounds[0][position] : pred_bounds[1][position]]
        out.extend(_one_image(item, labels, preds, inputs))
    out.sort(key=lambda s: (-s.score, KINDS.index(s.kind), s.item, s.label if s.label is not None else -1))
    return out


@dataclass(frozen=True, slots=True)
class _Inputs:
    """Every label's and prediction's class, box and score (indexed by their position), and the thresholds."""

    label_class: np.ndarray
    label_box: np.ndarray
    pred_class: np.ndarray
    pred_box: np.ndarray
    pred_score: np.ndarray
    score_threshold: float
    match_iou: float
    location_iou: float
    spurious_iou: float


def _one_image(item: int, labels: np.ndarray, preds: np.ndarray, inputs: _Inputs) -> list[DetectionSuspect]:
    """The suspects of one image, given the positions of its labels and of its predictions."""
    ious = (
        iou_matrix(inputs.label_box[labels], inputs.pred_box[preds])
        if len(labels) and len(preds)
        else np.zeros((len(labels), len(preds)))
    )
    out = _spurious_labels(item, labels, ious, inputs)
    confident = np.flatnonzero(inputs.pred_score[preds] >= inputs.score_threshold)
    if confident.size == 0:
        return out
    conf_ious = ious[:, confident]
    if len(labels):
        rows, cols = match_one_to_one(conf_ious, inputs.match_iou)
    else:
        rows, cols = np.empty(0, int), np.empty(0, int)
    confident_preds = preds[confident]
    out += _missing_boxes(item, confident_preds, conf_ious, cols, inputs)
    out += _matched_labels(item, labels, confident_preds, conf_ious, rows, cols, inputs)
    return out


def _spurious_labels(item: int, labels: np.ndarray, ious: np.ndarray, inputs: _Inputs) -> list[DetectionSuspect]:
    """Labels that nothing the model predicted (at any score) overlaps."""
    out: list[DetectionSuspect] = []
    best_any = ious.max(axis=1) if ious.shape[1] else np.zeros(len(labels))
    for row in np.flatnonzero(best_any < inputs.spurious_iou):
        a = int(labels[row])
        out.append(
            DetectionSuspect(
                "spurious-label",
                item,
                a,
                None,
                int(inputs.label_class[a]),
                None,
                1.0 - float(best_any[row]),
                float(best_any[row]),
            )
        )
    return out


def _missing_boxes(
    item: int, confident: np.ndarray, conf_ious: np.ndarray, matched_cols: np.ndarray, inputs: _Inputs
) -> list[DetectionSuspect]:
    """Confident predictions that no label matches (`confident`: their positions; `conf_ious`:
    labels x those predictions; `matched_cols`: the ones paired to a label)."""
    out: list[DetectionSuspect] = []
    matched_preds = set(matched_cols.tolist())
    for col in range(confident.size):
        if col in matched_preds:
            continue
        p = int(confident[col])
        best = float(conf_ious[:, col].max()) if conf_ious.shape[0] else 0.0
        if best >= inputs.match_iou:
            continue  # overlaps a label well (a duplicate prediction of a labelled object), not a missing box
        score = float(inputs.pred_score[p]) * (1.0 - best)
        out.append(DetectionSuspect("missing-box", item, None, p, None, int(inputs.pred_class[p]), score, best))
    return out


def _matched_labels(
    item: int,
    labels: np.ndarray,
    confident: np.ndarray,
    conf_ious: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    inputs: _Inputs,
) -> list[DetectionSuspect]:
    """Labels paired to a confident prediction of another class (with no confident same-class one
    overlapping), or of their class but placed loosely."""
    out: list[DetectionSuspect] = []
    label_class, pred_class = inputs.label_class, inputs.pred_class
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        a, p = int(labels[row]), int(confident[col])
        iou, score = float(conf_ious[row, col]), float(inputs.pred_score[p])
        if pred_class[p] != label_class[a]:
            same = (pred_class[confident] == label_class[a]) & (conf_ious[row] >= inputs.match_iou)
            if not same.any():
                given, suggested = int(label_class[a]), int(pred_class[p])
                out.append(DetectionSuspect("wrong-class", item, a, p, given, suggested, score * iou, iou))
        elif iou < inputs.location_iou:
            given, suggested = int(label_class[a]), int(pred_class[p])
            out.append(DetectionSuspect("bad-location", item, a, p, given, suggested, score * (1.0 - iou), iou))
    return out
