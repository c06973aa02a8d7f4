"""Agreement between annotators who each drew a set of boxes or spans per item (pairwise matching)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np

from labellint.model import Dataset
from labellint.quality.from_dataset import annotation_annotators, annotation_class_names, item_keys
from labellint.quality.matching import MatchAgreement, box_agreement, combine_agreements, span_agreement

SetKind = Literal["boxes", "spans"]


def set_kind(dataset: Dataset) -> SetKind | None:
    """Whether the labels are spans, boxes, or neither (classification: None)."""
    if len(dataset.ann_span) and (dataset.spans()[:, 0] >= 0).any():
        return "spans"
    if dataset.n_annotations and np.isfinite(dataset.ann_box).all(axis=1).any():
        return "boxes"
    return None


def has_geometry(dataset: Dataset, kind: SetKind) -> np.ndarray:
    """Which annotations are objects of this kind (task-level choices beside spans are not)."""
    if kind == "spans":
        return dataset.spans()[:, 0] >= 0
    return np.isfinite(dataset.ann_box).all(axis=1)


@dataclass(frozen=True)
class PairAgreement:
    """One annotator pair's pooled agreement over the items both saw (per mode for spans)."""

    first: str
    second: str
    items: int
    results: dict[str, MatchAgreement]
    # How many objects of each class both annotators drew on the shared items (both sides summed).
    class_counts: Counter


def pairwise_set_agreement(
    dataset: Dataset,
    kind: SetKind,
    *,
    iou: float = 0.5,
    seen: Mapping[str, set[str]] | None = None,
) -> list[PairAgreement]:
    """Per annotator pair, one-to-one matching on every item both annotators saw, pooled.

    ``seen`` says which items each annotator looked at (an item they saw and left empty is
    agreement on "nothing here" when the other drew nothing, else misses); by default an
    annotator saw the items where they drew something. Boxes match class-agnostically at
    IoU >= ``iou`` so label disagreements show in the confusion; spans give ``exact`` and
    ``overlap`` results, both label-aware.
    """
    keys = item_keys(dataset)
    resolved = np.flatnonzero((dataset.ann_item >= 0) & has_geometry(dataset, kind))
    item_of = keys[dataset.ann_item[resolved]].astype(str)
    annotator_of = annotation_annotators(dataset)[resolved].astype(str)
    labels = annotation_class_names(dataset)[resolved]
    groups = _groups(annotator_of, item_of)
    annotators = sorted(set(annotator_of.tolist()) | set(seen or {}))
    if seen is None:
        seen = {}
        for annotator, item in groups:
            seen.setdefault(annotator, set()).add(item)
    boxes = dataset.ann_box[resolved]
    spans = dataset.spans()[resolved]
    empty = np.empty(0, dtype=np.intp)
    pairs = []
    for first, second in combinations(annotators, 2):
        shared = sorted(seen.get(first, set()) & seen.get(second, set()))
        per_mode: dict[str, list[MatchAgreement]] = {}
        class_counts: Counter = Counter()
        for item in shared:
            rows_a, rows_b = groups.get((first, item), empty), groups.get((second, item), empty)
            la, lb = labels[rows_a].tolist(), labels[rows_b].tolist()
            class_counts.update(la)
            class_counts.update(lb)
            if kind == "boxes":
                per_mode.setdefault("boxes", []).append(
                    box_agreement(boxes[rows_a], boxes[rows_b], la, lb, threshold=iou)
                )
                continue
            spans_a = [(int(s), int(e), lab) for (s, e), lab in zip(spans[rows_a], la, strict=True)]
            spans_b = [(int(s), int(e), lab) for (s, e), lab in zip(spans[rows_b], lb, strict=True)]
            for mode in ("exact", "overlap"):
                per_mode.setdefault(mode, []).append(span_agreement(spans_a, spans_b, mode=mode))
        modes = ("boxes",) if kind == "boxes" else ("exact", "overlap")
        results = {mode: combine_agreements(per_mode.get(mode, [])) for mode in modes}
        pairs.append(PairAgreement(first, second, len(shared), results, class_counts))
    return pairs


def set_agreement_report(pairs: list[PairAgreement], kind: SetKind, iou: float, top: int = 10) -> dict:
    """JSON-ready figures: per pair, and pooled over all pairs (micro average)."""
    modes = ("boxes",) if kind == "boxes" else ("exact", "overlap")
    pooled = {mode: combine_agreements(pair.results[mode] for pair in pairs) for mode in modes}
    out: dict = {"kind": kind}
    if kind == "boxes":
        out["iou_threshold"] = iou
    out["pooled"] = {mode: _figures(result) for mode, result in pooled.items()}
    out["pairs"] = [
        {
            "a": pair.first,
            "b": pair.second,
            "items": pair.items,
            **{mode: _figures(result) for mode, result in pair.results.items()},
        }
        for pair in pairs
    ]
    confusion: Counter = Counter()
    for (first, second), count in pooled[modes[-1]].label_confusion.items():
        if first != second:
            confusion[tuple(sorted((str(first), str(second))))] += count
    class_counts: Counter = Counter()
    for pair in pairs:
        class_counts.update(pair.class_counts)
    same_label = pooled[modes[-1]].label_confusion
    out["per_class"] = {
        str(name): {
            "objects": count,
            # Specific agreement: matched with the same label, over all objects of the class.
            "specific_agreement": 2 * same_label.get((name, name), 0) / count,
        }
        for name, count in sorted(class_counts.items(), key=lambda kv: str(kv[0]))
    }
    out["confusion_pairs"] = [{"a": a, "b": b, "count": n} for (a, b), n in confusion.most_common(top)]
    return out


def _figures(result: MatchAgreement) -> dict:
    if result.tp + result.fp + result.fn == 0:
        f1 = None
        reason = "no objects on the items both annotators saw"
    else:
        f1, reason = result.f1, None
    return {
        "f1": f1,
        "reason": reason,
        "precision": result.precision if f1 is not None else None,
        "recall": result.recall if f1 is not None else None,
        "mean_iou": result.mean_iou,
        "label_agreement": result.label_agreement,
        "matched": result.tp,
        "only_a": result.fn,
        "only_b": result.fp,
    }


def _groups(annotator_of: np.ndarray, item_of: np.ndarray) -> dict[tuple[str, str], np.ndarray]:
    """Row indices per (annotator, item), from one sort instead of a loop over annotations."""
    if len(item_of) == 0:
        return {}
    pair_keys = np.char.add(np.char.add(annotator_of.astype(str), "\x1f"), item_of.astype(str))
    uniques, inverse = np.unique(pair_keys, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order])) + 1
    out = {}
    for key, rows in zip(uniques.tolist(), np.split(order, bounds), strict=True):
        annotator, item = key.split("\x1f", 1)
        out[(annotator, item)] = rows
    return out
