"""What a change did to the labels: counts, transitions, class changes and per-annotation details."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labellint.diff.match import (
    KIND_BOX,
    KIND_SPAN,
    VIA_CONTENT,
    VIA_EXACT,
    VIA_ID,
    MatchOptions,
    MatchResult,
    annotation_kind,
    box_iou,
    match_annotations,
)
from labellint.model import Dataset

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class DiffOptions:
    """How to compare: matching thresholds and what counts as a geometry change."""

    match: MatchOptions = field(default_factory=MatchOptions)
    # A box coordinate must change by more than this to count as moved/resized: pixels, or image
    # fractions for normalised (YOLO without sizes) items. Re-exports add float noise below it.
    tolerance: float = 0.01
    normalized_tolerance: float = 1e-5


@dataclass(slots=True)
class SpecVersions:
    """The spec's version at both ends and the bump its semantic diff requires (None: unknown)."""

    base_version: str | None = None
    head_version: str | None = None
    required_bump: str | None = None


@dataclass(slots=True)
class LabelDiff:
    """The label-meaning diff of two dataset versions, ready to render."""

    items: dict[str, int]
    annotations: dict[str, int]
    transitions: list[dict[str, Any]]
    classes: dict[str, dict[str, int]]
    class_changes: dict[str, list[Any]]
    geometry: dict[str, Any]
    matching: dict[str, Any]
    # One entry per annotation that differs ("changes" in the JSON document).
    edits: list[dict[str, Any]]
    items_added: list[str]
    items_removed: list[str]
    # How many annotations the base side had (the denominator of LL505's share).
    base_annotations: int = 0
    spec: SpecVersions = field(default_factory=SpecVersions)
    # Problems the caller's change rules found in this diff (LL505 mass-relabel), as JSON objects.
    problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        counts = {k: v for k, v in self.annotations.items() if k != "unchanged"}
        item_counts = {k: v for k, v in self.items.items() if k != "unchanged"}
        return not any(counts.values()) and not any(item_counts.values()) and not self.class_changes_any

    @property
    def class_changes_any(self) -> bool:
        return any(self.class_changes.values())

    def to_json(self, base: str, head: str) -> dict[str, Any]:
        """The document of DESIGN §6, plus detail lists under further keys."""
        return {
            "schema_version": SCHEMA_VERSION,
            "base": base,
            "head": head,
            "items": self.items,
            "annotations": self.annotations,
            "transitions": self.transitions,
            "classes": self.classes,
            "spec": {
                "base_version": self.spec.base_version,
                "head_version": self.spec.head_version,
                "required_bump": self.spec.required_bump,
            },
            "class_changes": self.class_changes,
            "geometry": self.geometry,
            "matching": self.matching,
            "problems": self.problems,
            "items_added": self.items_added,
            "items_removed": self.items_removed,
            "changes": self.edits,
        }


def diff_datasets(
    base: Dataset,
    head: Dataset,
    options: DiffOptions = DiffOptions(),
    progress: Callable[[str], None] | None = None,
) -> LabelDiff:
    """Matches the two versions and describes every difference."""
    result = match_annotations(base, head, options.match, progress)
    if progress:
        progress("describing the changes")
    b2h, h2b = result.ann_base_to_head, result.ann_head_to_base
    pa = np.flatnonzero(b2h >= 0)
    pb = b2h[pa]
    relabeled = result.class_base[pa] != result.class_head[pb]
    moved, iou, shift = _geometry_changes(base, head, result, pa, pb, options)
    attributes = _attribute_changes(base, head, pa, pb, b2h, h2b)
    unchanged = ~(relabeled | moved | attributes)
    removed = np.flatnonzero(b2h < 0)
    added = np.flatnonzero(h2b < 0)
    names = result.class_names
    transitions = Counter(
        zip(result.class_base[pa[relabeled]].tolist(), result.class_head[pb[relabeled]].tolist(), strict=True)
    )
    counts = _annotation_counts(added, removed, relabeled, moved, attributes, unchanged)
    diff = LabelDiff(
        items=_item_counts(base, head, result, removed, added, pa[~unchanged]),
        annotations=counts,
        transitions=_transition_list(transitions, names),
        classes=_class_counts(base, head, result),
        class_changes=_class_changes(base, head, transitions, names),
        geometry=_geometry_summary(moved, iou, shift, options),
        matching=_matching_summary(result, pa),
        edits=_details(base, head, result, pa, pb, relabeled, moved, attributes, iou, removed, added),
        items_added=[_item_name(head, i) for i in np.flatnonzero(result.item_head_to_base < 0)],
        items_removed=[_item_name(base, i) for i in np.flatnonzero(result.item_base_to_head < 0)],
        base_annotations=base.n_annotations,
    )
    return diff


# --------------------------------------------------------------------------- summaries


def _annotation_counts(added, removed, relabeled, moved, attributes, unchanged) -> dict[str, int]:
    return {
        "added": len(added),
        "removed": len(removed),
        "relabeled": int(relabeled.sum()),
        "moved": int(moved.sum()),
        "attributes_changed": int(attributes.sum()),
        "unchanged": int(unchanged.sum()),
    }


def _transition_list(transitions: Counter, names: list[str]) -> list[dict[str, Any]]:
    """Relabels from one class to another, most frequent first (ties by the class names)."""
    return [
        {"from": names[f], "to": names[t], "count": c}
        for (f, t), c in sorted(transitions.items(), key=lambda kv: (-kv[1], names[kv[0][0]], names[kv[0][1]]))
    ]


def _geometry_summary(moved: np.ndarray, iou: np.ndarray, shift: np.ndarray, options: DiffOptions) -> dict[str, Any]:
    moved_iou = iou[moved]
    return {
        "tolerance": options.tolerance,
        "normalized_tolerance": options.normalized_tolerance,
        "moved": int(moved.sum()),
        "median_iou": _round(np.median(moved_iou)) if len(moved_iou) and np.isfinite(moved_iou).any() else None,
        "min_iou": _round(np.nanmin(moved_iou)) if len(moved_iou) and np.isfinite(moved_iou).any() else None,
        "max_shift": _round(np.nanmax(shift[moved])) if moved.any() and np.isfinite(shift[moved]).any() else None,
    }


def _matching_summary(result: MatchResult, pa: np.ndarray) -> dict[str, Any]:
    """How the matched pairs were found."""
    via = result.via[pa]
    return {
        "ids_trusted": result.ids_trusted,
        "identical": int((via == VIA_EXACT).sum()),
        "by_id": int((via == VIA_ID).sum()),
        "by_content": int((via == VIA_CONTENT).sum()),
    }


# --------------------------------------------------------------------------- parts


def _geometry_changes(base: Dataset, head: Dataset, result: MatchResult, pa, pb, options: DiffOptions):
    """Per matched pair: geometry changed beyond the tolerance, the IoU old→new and the largest shift."""
    kind = annotation_kind(base)[pa]
    head_kind = annotation_kind(head)[pb]
    box_a, box_b = base.ann_box[pa], head.ann_box[pb]
    normalized = base.item_normalized[np.maximum(base.ann_item[pa], 0)] if base.n_items else np.zeros(len(pa), bool)
    tolerance = np.where(normalized, options.normalized_tolerance, options.tolerance)
    with np.errstate(invalid="ignore"):
        shift = np.abs(box_a - box_b).max(axis=1) if len(pa) else np.empty(0)
    boxes = (kind == KIND_BOX) & (head_kind == KIND_BOX)
    moved = boxes & (shift > tolerance)
    spans = kind == KIND_SPAN
    if spans.any():
        moved |= spans & (base.spans()[pa] != head.spans()[pb]).any(axis=1)
    moved |= kind != head_kind
    # Polygons can change while the box stays (and the other way round).
    moved |= result.segmentation_base[pa] != result.segmentation_head[pb]
    iou = np.full(len(pa), np.nan)
    if boxes.any():
        iou[boxes] = box_iou(box_a[boxes], box_b[boxes])
    return moved, iou, np.where(boxes, shift, np.nan)


def _attribute_changes(base, head, pa, pb, b2h, h2b) -> np.ndarray:
    changed = np.zeros(len(pa), bool)
    if not base.ann_attributes and not head.ann_attributes:
        return changed
    index = np.full(base.n_annotations, -1, np.int64)
    index[pa] = np.arange(len(pa))
    candidates = {a for a in base.ann_attributes if b2h[a] >= 0}
    candidates.update(int(h2b[b]) for b in head.ann_attributes if h2b[b] >= 0)
    for a in candidates:
        k = index[a]
        if (base.ann_attributes.get(a) or {}) != (head.ann_attributes.get(int(pb[k])) or {}):
            changed[k] = True
    return changed


def _item_counts(base, head, result: MatchResult, removed, added, changed_anns) -> dict[str, int]:
    b2h = result.item_base_to_head
    matched = b2h >= 0
    changed = np.zeros(base.n_items, bool)
    if base.n_items and head.n_items:
        hb = np.maximum(b2h, 0)
        size_a = np.column_stack([base.item_width, base.item_height])
        size_b = np.column_stack([head.item_width[hb], head.item_height[hb]])
        changed |= matched & ~((size_a == size_b) | (np.isnan(size_a) & np.isnan(size_b))).all(axis=1)
    touched = np.concatenate([base.ann_item[removed], base.ann_item[changed_anns]])
    changed[touched[touched >= 0]] = True
    head_items = head.ann_item[added]
    head_items = head_items[head_items >= 0]
    back = result.item_head_to_base[head_items]
    changed[back[back >= 0]] = True
    changed &= matched
    return {
        "added": int((result.item_head_to_base < 0).sum()),
        "removed": int((~matched).sum()),
        "changed": int(changed.sum()),
        "unchanged": int((matched & ~changed).sum()),
    }


def _class_counts(base: Dataset, head: Dataset, result: MatchResult) -> dict[str, dict[str, int]]:
    n = len(result.class_names)
    count_a = np.bincount(result.class_base[result.class_base >= 0], minlength=n)
    count_b = np.bincount(result.class_head[result.class_head >= 0], minlength=n)
    return {name: {"base": int(count_a[k]), "head": int(count_b[k])} for k, name in enumerate(result.class_names)}


def _class_changes(base: Dataset, head: Dataset, transitions: Counter, names: list[str]) -> dict[str, list[Any]]:
    """Classes added, removed, renamed, merged or split, from the declared names and the transitions."""
    declared_a, declared_b = set(base.class_names), set(head.class_names)
    added, removed = declared_b - declared_a, declared_a - declared_b
    # Where most of each removed class's annotations went.
    targets: dict[str, Counter] = {}
    for (f, t), count in transitions.items():
        if names[f] in removed:
            targets.setdefault(names[f], Counter())[names[t]] += count
    into: dict[str, list[str]] = {}
    splits = []
    for source, counter in sorted(targets.items()):
        destinations = [t for t, c in counter.items() if c >= 0.2 * sum(counter.values())]
        if len(destinations) > 1 and sum(d in added for d in destinations) > 1:
            splits.append({"from": source, "to": sorted(destinations)})
        else:
            into.setdefault(counter.most_common(1)[0][0], []).append(source)
    renamed, merged = [], []
    for target, sources in sorted(into.items()):
        if len(sources) == 1 and target in added:
            renamed.append({"from": sources[0], "to": target})
        else:
            merged.append({"from": sorted(sources), "to": target})
    explained = {r["to"] for r in renamed} | {s for m in merged for s in m["from"]} | {r["from"] for r in renamed}
    explained |= {s["from"] for s in splits} | {d for s in splits for d in s["to"]}
    return {
        "added": sorted(added - explained),
        "removed": sorted(removed - explained),
        "renamed": renamed,
        "merged": merged,
        "split": splits,
    }


def _details(base, head, result, pa, pb, relabeled, moved, attributes, iou, removed, added) -> list[dict[str, Any]]:
    """One record per changed annotation: where it is and what changed."""
    names = result.class_names
    out: list[dict[str, Any]] = []
    where_base, where_head = _Places(base), _Places(head)
    changed = np.flatnonzero(relabeled | moved | attributes)
    # Rounded once as arrays: round() per value is slow over tens of thousands of records.
    ious = np.round(iou[changed], 4).tolist()
    boxes_base = np.round(base.ann_box[pa[changed]], 4).tolist()
    boxes_head = np.round(head.ann_box[pb[changed]], 4).tolist()
    flags = zip(relabeled[changed].tolist(), moved[changed].tolist(), attributes[changed].tolist(), strict=True)
    for n, (a, b, (is_relabel, is_move, is_attr)) in enumerate(
        zip(pa[changed].tolist(), pb[changed].tolist(), flags, strict=True)
    ):
        what = [w for w, flag in (("relabeled", is_relabel), ("moved", is_move), ("attributes", is_attr)) if flag]
        record = where_head(b, "head") | {"change": what, "annotation_base": where_base.ann_id(a)}
        record["class_base"] = names[result.class_base[a]]
        record["class_head"] = names[result.class_head[b]]
        if is_move and ious[n] == ious[n]:  # not NaN: both are boxes
            record["iou"] = ious[n]
            record["box_base"] = boxes_base[n]
            record["box_head"] = boxes_head[n]
        if is_attr:
            record["attributes_base"] = base.ann_attributes.get(a) or {}
            record["attributes_head"] = head.ann_attributes.get(b) or {}
        out.append(record)
    for a in removed.tolist():
        out.append(where_base(a, "base") | {"change": ["removed"], "class_base": names[result.class_base[a]]})
    for b in added.tolist():
        out.append(where_head(b, "head") | {"change": ["added"], "class_head": names[result.class_head[b]]})
    return out


class _Places:
    """Where annotations of one version are written, without building a Location per record."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.ids = dataset.ann_ids if len(dataset.ann_ids) else None
        self.items = dataset.ann_item
        self.files = dataset.ann_file
        self.index = dataset.ann_index
        self.names: dict[int, str] = {}

    def ann_id(self, a: int) -> str | None:
        value = self.ids[a] if self.ids is not None else None
        return None if value is None else str(value)

    def __call__(self, a: int, side: str) -> dict[str, Any]:
        source = self.dataset.files[int(self.files[a])]
        pointer = f"{source.annotation_pointer}/{int(self.index[a])}" if source.annotation_pointer is not None else None
        item = int(self.items[a])
        if item >= 0:
            name = self.names.get(item)
            if name is None:
                name = self.names[item] = _item_name(self.dataset, item)
        else:
            name = self.dataset.annotation_location(a).item
        return {"path": source.path, "pointer": pointer, "item": name, f"annotation_{side}": self.ann_id(a)}


def _item_name(dataset: Dataset, i: int) -> str:
    name = dataset.item_names[i] if len(dataset.item_names) == dataset.n_items else None
    return str(name) if name else str(dataset.item_ids[i])


def _round(value: float) -> float:
    return round(float(value), 4)
