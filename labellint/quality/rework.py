"""Rework from history: how many annotations were changed after they were first committed.

Versions of the labels are matched annotation to annotation, by content rather than by id
(exports often renumber every id): first identical content (item, class, box, span), then,
per item, a one-to-one IoU matching of what is left (boxes at IoU >= 0.5, spans on any
overlap; labels without geometry pair up in order), and boxes of the same class (or of a
class renamed under the same category id) left over on one item pair up by nearest centre (a
coordinate fix moves boxes beyond any overlap). Each annotation starts a *lineage* the
first time it is committed; a lineage is *reworked* when a later version relabels it, moves
it, or deletes it. Rework rate = reworked lineages / all lineages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from labellint.model import Dataset
from labellint.quality.from_dataset import annotation_class_names, content_keys, item_keys
from labellint.quality.matching import iou_matrix, iou_pairs, match_one_to_one, span_iou_matrix, span_iou_pairs

MOVE_IOU = 0.5


@dataclass
class VersionChange:
    """What one version did to the annotations of the one before."""

    label: str
    annotations: int
    unchanged: int = 0
    relabeled: int = 0
    moved: int = 0
    removed: int = 0
    added: int = 0
    # Classes renamed under the same category id: not rework, the annotations keep their meaning.
    renamed: dict[str, str] = field(default_factory=dict)


@dataclass
class ReworkResult:
    """Lineages over the history, what happened to them, and the class transitions seen."""

    lineages: int = 0
    reworked: int = 0
    changes: list[VersionChange] = field(default_factory=list)
    transitions: Counter = field(default_factory=Counter)

    @property
    def rate(self) -> float | None:
        return self.reworked / self.lineages if self.lineages else None


def rework(versions: list[tuple[str, Dataset]]) -> ReworkResult:
    """Rework over successive versions, oldest first (``(label, dataset)`` pairs)."""
    result = ReworkResult()
    previous: Dataset | None = None
    lineage = np.empty(0, dtype=np.int64)
    reworked = np.zeros(0, dtype=bool)
    for label, dataset in versions:
        change = VersionChange(label, dataset.n_annotations)
        current = np.full(dataset.n_annotations, -1, dtype=np.int64)
        if previous is not None and previous.n_annotations and dataset.n_annotations:
            change.renamed = _renamed_classes(previous, dataset)
            old_rows, new_rows, how = _match_versions(previous, dataset, change.renamed)
            current[new_rows] = lineage[old_rows]
            relabeled = how == "relabeled"
            moved = how == "moved"
            both = how == "relabeled+moved"
            change.unchanged = int(np.count_nonzero(how == "same"))
            change.relabeled = int(np.count_nonzero(relabeled | both))
            change.moved = int(np.count_nonzero(moved | both))
            reworked[lineage[old_rows[how != "same"]]] = True
            gone = np.ones(previous.n_annotations, dtype=bool)
            gone[old_rows] = False
            change.removed = int(gone.sum())
            reworked[lineage[gone]] = True
            old_names = _mapped_names(previous, change.renamed)[old_rows[relabeled | both]]
            new_names = annotation_class_names(dataset)[new_rows[relabeled | both]]
            result.transitions.update(zip(old_names.tolist(), new_names.tolist(), strict=True))
        elif previous is not None:
            change.removed = previous.n_annotations
            reworked[lineage] = True
        fresh = current < 0
        change.added = int(fresh.sum()) if previous is not None else 0
        current[fresh] = np.arange(len(reworked), len(reworked) + fresh.sum())
        reworked = np.concatenate([reworked, np.zeros(int(fresh.sum()), dtype=bool)])
        result.changes.append(change)
        previous, lineage = dataset, current
    result.lineages = len(reworked)
    result.reworked = int(reworked.sum())
    return result


def _mapped_names(dataset: Dataset, renamed: dict[str, str]) -> np.ndarray:
    """Class name per annotation, with renamed classes under their new name."""
    names = annotation_class_names(dataset)
    if not renamed:
        return names
    return np.asarray([renamed.get(name, name) for name in names.tolist()], dtype=object)


def _match_versions(old: Dataset, new: Dataset, renamed: dict[str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Matched (old row, new row) pairs and, per pair, same / relabeled / moved / relabeled+moved."""
    old_names = _mapped_names(old, renamed)
    old_keys, new_keys = content_keys(old, class_names=old_names), content_keys(new)
    old_exact, new_exact = _multiset_match(old_keys, new_keys)
    old_left = np.setdiff1d(np.arange(old.n_annotations), old_exact)
    new_left = np.setdiff1d(np.arange(new.n_annotations), new_exact)
    old_rows, new_rows = [old_exact], [new_exact]
    if len(old_left) and len(new_left):
        extra_old, extra_new = _match_leftovers(old, new, old_left, new_left, old_names)
        old_rows.append(extra_old)
        new_rows.append(extra_new)
    old_all = np.concatenate(old_rows).astype(np.intp)
    new_all = np.concatenate(new_rows).astype(np.intp)
    how = np.full(len(old_all), "same", dtype=object)
    n_exact = len(old_exact)
    if len(old_all) > n_exact:
        o, n = old_all[n_exact:], new_all[n_exact:]
        class_changed = old_names[o] != annotation_class_names(new)[n]
        geometry_changed = ~_same_geometry(old, new, o, n)
        labels = np.where(
            class_changed & geometry_changed,
            "relabeled+moved",
            np.where(class_changed, "relabeled", np.where(geometry_changed, "moved", "same")),
        )
        how[n_exact:] = labels
    return old_all, new_all, how


def _multiset_match(keys_a: np.ndarray, keys_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of equal keys, one-to-one (the k-th copy in A with the k-th copy in B)."""
    if not len(keys_a) or not len(keys_b):
        return np.empty(0, np.intp), np.empty(0, np.intp)
    _, codes = np.unique(np.concatenate([keys_a, keys_b]).astype(str), return_inverse=True)
    codes_a, codes_b = codes[: len(keys_a)], codes[len(keys_a) :]
    width = int(max(_rank(codes_a).max(), _rank(codes_b).max())) + 1
    combined_a = codes_a.astype(np.int64) * width + _rank(codes_a)
    combined_b = codes_b.astype(np.int64) * width + _rank(codes_b)
    _, rows_a, rows_b = np.intersect1d(combined_a, combined_b, assume_unique=True, return_indices=True)
    return rows_a.astype(np.intp), rows_b.astype(np.intp)


def _rank(codes: np.ndarray) -> np.ndarray:
    """0 for the first occurrence of each code, 1 for the second, and so on."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_codes)) + 1]
    sizes = np.diff(np.r_[starts, len(codes)])
    ranks = np.empty(len(codes), dtype=np.int64)
    ranks[order] = np.arange(len(codes)) - np.repeat(starts, sizes)
    return ranks


def _match_leftovers(
    old: Dataset, new: Dataset, old_left: np.ndarray, new_left: np.ndarray, old_names: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per item, one-to-one matching of the annotations that changed content."""
    old_items = np.asarray([*item_keys(old).tolist(), ""], dtype=object)[old.ann_item[old_left]].astype(str)
    new_items = np.asarray([*item_keys(new).tolist(), ""], dtype=object)[new.ann_item[new_left]].astype(str)
    old_groups, new_groups = _by_item(old_items, old_left), _by_item(new_items, new_left)
    shared = [item for item in old_groups if item in new_groups]
    # The usual change, one annotation relabelled or moved on its item, is matched for all items at once.
    single = [item for item in shared if len(old_groups[item]) == 1 == len(new_groups[item])]
    new_names, old_spans, new_spans = annotation_class_names(new), old.spans(), new.spans()
    sides = (old, new, old_names, new_names, old_spans, new_spans)
    pairs = [_match_single(*sides, [old_groups[t][0] for t in single], [new_groups[t][0] for t in single])]
    for item in (item for item in shared if len(old_groups[item]) != 1 or len(new_groups[item]) != 1):
        a, b = old_groups[item], new_groups[item]
        boxes_a, boxes_b = old.ann_box[a], new.ann_box[b]
        if _boxed(boxes_a).all() and _boxed(boxes_b).all():
            i, j = match_one_to_one(iou_matrix(boxes_a, boxes_b), MOVE_IOU)
            i, j = _pair_same_class_by_distance(old_names[a], new_names[b], old, new, a, b, i, j)
        elif (old_spans[a, 0] >= 0).all() and (new_spans[b, 0] >= 0).all():
            i, j = match_one_to_one(span_iou_matrix(old_spans[a], new_spans[b]), 1e-12)
        else:
            k = min(len(a), len(b))
            i, j = np.arange(k), np.arange(k)
        pairs.append((a[i], b[j]))
    return np.concatenate([p[0] for p in pairs]).astype(np.intp), np.concatenate([p[1] for p in pairs]).astype(np.intp)


def _by_item(keys: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
    """The rows of each item key, in row order (one sort, not a scan of every row per item)."""
    if not len(keys):
        return {}
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    cuts = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    return dict(zip(ordered[np.r_[0, cuts]].tolist(), np.split(rows[order], cuts), strict=True))


def _boxed(boxes: np.ndarray) -> np.ndarray:
    """Per row: a box that can be matched by overlap (finite, width and height not negative)."""
    return np.isfinite(boxes).all(axis=1) & (boxes[:, 2:] >= 0).all(axis=1)


def _match_single(old, new, old_names, new_names, old_spans, new_spans, a, b) -> tuple[np.ndarray, np.ndarray]:
    """Items with one changed annotation on each side, paired as the per-item matching would pair
    them: boxes at IoU >= MOVE_IOU or (moved beyond overlap) of the same class, spans that
    overlap, labels without geometry always."""
    a, b = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    boxed = _boxed(old.ann_box[a]) & _boxed(new.ann_box[b])
    spanned = ~boxed & (old_spans[a, 0] >= 0) & (new_spans[b, 0] >= 0)
    keep = ~boxed & ~spanned  # labels without geometry pair up
    iou = iou_pairs(old.ann_box[a[boxed]], new.ann_box[b[boxed]])
    keep[boxed] = ((iou >= MOVE_IOU) & (iou > 0)) | (old_names[a[boxed]] == new_names[b[boxed]])
    overlap = span_iou_pairs(old_spans[a[spanned]], new_spans[b[spanned]])
    keep[spanned] = (overlap >= 1e-12) & (overlap > 0)
    return a[keep], b[keep]


def _pair_same_class_by_distance(
    class_a: np.ndarray,
    class_b: np.ndarray,
    old: Dataset,
    new: Dataset,
    a: np.ndarray,
    b: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Adds pairs for boxes that moved too far to overlap: same class, same item, nearest centres.

    Within one image, a box of a class vanishing while another of that class appears is a
    moved box (a coordinate fix), not a deleted object plus a new one.
    """
    rest_a = np.setdiff1d(np.arange(len(a)), i)
    rest_b = np.setdiff1d(np.arange(len(b)), j)
    if not len(rest_a) or not len(rest_b):
        return i, j
    names_a, names_b = class_a[rest_a], class_b[rest_b]
    centre_a = old.ann_box[a[rest_a], :2] + old.ann_box[a[rest_a], 2:] / 2
    centre_b = new.ann_box[b[rest_b], :2] + new.ann_box[b[rest_b], 2:] / 2
    distance = np.hypot(*(centre_a[:, None, :] - centre_b[None, :, :]).transpose(2, 0, 1))
    same_class = names_a[:, None] == names_b[None, :]
    cost = np.where(same_class, distance, distance.max() * 10 + 1e6)
    # scipy.optimize costs ~0.45 s to import; only runs that match boxes pay it.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    keep = same_class[rows, cols]
    return np.r_[i, rest_a[rows[keep]]], np.r_[j, rest_b[cols[keep]]]


def _renamed_classes(old: Dataset, new: Dataset) -> dict[str, str]:
    """Classes renamed between versions: same source id (COCO category id), the old name gone."""
    old_names, new_names = set(old.class_names), set(new.class_names)
    by_id = {ref.source_id: ref.name for ref in new.classes if ref.source_id is not None}
    return {
        ref.name: by_id[ref.source_id]
        for ref in old.classes
        if ref.source_id in by_id and ref.name not in new_names and by_id[ref.source_id] not in old_names
    }


def _same_geometry(old: Dataset, new: Dataset, o: np.ndarray, n: np.ndarray) -> np.ndarray:
    box_old, box_new = np.round(old.ann_box[o], 2), np.round(new.ann_box[n], 2)
    same_box = ((box_old == box_new) | (np.isnan(box_old) & np.isnan(box_new))).all(axis=1)
    same_span = (old.spans()[o] == new.spans()[n]).all(axis=1)
    return same_box & same_span
