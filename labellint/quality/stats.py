"""Dataset label statistics: class counts, unsure rate, annotations per item, annotators."""

from __future__ import annotations

import numpy as np

from labellint.model import Dataset
from labellint.quality.from_dataset import (
    annotation_annotators,
    annotation_class_names,
    edge_case_counts,
    unsure_mask,
)
from labellint.spec.model import LabelSpec

HISTOGRAM_TOP = 10  # annotations per item: 0..9 one bin each, then "10+"


def dataset_stats(dataset: Dataset, spec: LabelSpec | None) -> dict:
    """The JSON-ready figures `labellint stats` prints (history and agreement are added by the caller)."""
    names = annotation_class_names(dataset)
    class_names, class_counts = np.unique(names.astype(str), return_counts=True) if len(names) else ([], [])
    resolved = dataset.ann_item >= 0
    classes = {}
    for name, count in sorted(zip(list(class_names), list(class_counts), strict=True), key=lambda kv: (-kv[1], kv[0])):
        on_items = np.unique(dataset.ann_item[resolved & (names == name)])
        classes[str(name)] = {
            "annotations": int(count),
            "items": len(on_items),
            "share": float(count / dataset.n_annotations),
        }
    unused = [] if spec is None else [name for name in spec.classes if name not in classes]

    per_item = np.bincount(dataset.ann_item[resolved], minlength=dataset.n_items) if dataset.n_items else np.empty(0)
    histogram = np.bincount(np.minimum(per_item, HISTOGRAM_TOP).astype(np.int64), minlength=HISTOGRAM_TOP + 1)
    per_item_figures = {
        "mean": float(per_item.mean()) if len(per_item) else None,
        "median": float(np.median(per_item)) if len(per_item) else None,
        "max": int(per_item.max()) if len(per_item) else None,
        "items_without_annotations": int(np.count_nonzero(per_item == 0)),
        "histogram": {
            (f"{k}+" if k == HISTOGRAM_TOP else str(k)): int(n) for k, n in enumerate(histogram.tolist()) if n
        },
    }
    return {
        "files": len(dataset.files),
        "items": dataset.n_items,
        "annotations": dataset.n_annotations,
        "classes": classes,
        "unused_classes": unused,
        "unsure": unsure_figures(dataset, spec),
        "edge_cases": edge_case_counts(dataset, spec),
        "annotations_per_item": per_item_figures,
        "annotators": _annotators(dataset),
    }


def spec_class_counts(dataset: Dataset, spec: LabelSpec) -> dict[str, int]:
    """Annotations per spec class (a label written as an alias counts for its class; 0 when unused)."""
    names, counts = np.unique(annotation_class_names(dataset).astype(str), return_counts=True)
    per_class = dict.fromkeys(spec.classes, 0)
    for name, count in zip(names.tolist(), counts.tolist(), strict=True):
        resolved = spec.resolve_class(name)
        if resolved is not None:
            per_class[resolved] += count
    return per_class


def unsure_figures(dataset: Dataset, spec: LabelSpec | None) -> dict:
    """The unsure rate `stats` prints and the unsure gate judges: annotations on the spec's unsure path."""
    if spec is None or spec.unsure is None:
        reason = "no spec" if spec is None else "the spec has no unsure path"
        return {"annotations": None, "items": None, "rate": None, "item_rate": None, "reason": reason}
    mask = unsure_mask(dataset, spec)
    flagged_items = np.unique(dataset.ann_item[mask & (dataset.ann_item >= 0)])
    path = f"class {spec.unsure.class_!r}" if spec.unsure.class_ else f"attribute {spec.unsure.attribute!r}"
    return {
        "annotations": int(mask.sum()),
        "items": len(flagged_items),
        "rate": float(mask.mean()) if dataset.n_annotations else None,
        "item_rate": len(flagged_items) / dataset.n_items if dataset.n_items else None,
        "reason": None,
        "path": path,
    }


def _annotators(dataset: Dataset) -> dict[str, int]:
    known = dataset.annotator_index() >= 0
    if not known.any():
        return {}
    names, counts = np.unique(
        annotation_annotators(dataset, fallback_to_file=False)[known].astype(str), return_counts=True
    )
    return {str(name): int(count) for name, count in zip(names, counts, strict=True)}
