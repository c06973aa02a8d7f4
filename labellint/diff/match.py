"""Matches two versions of a dataset: items by name or id; annotations exactly, by id, then by content."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import numpy as np

from labellint.model import Dataset
from labellint.quality.matching import match_one_to_one
from labellint.segmentation.columns import SegmentationColumns

# How an annotation pair was found (per base annotation in `MatchResult.via`).
VIA_NONE, VIA_EXACT, VIA_ID, VIA_CONTENT = 0, 1, 2, 3
KIND_LABEL, KIND_BOX, KIND_SPAN = 0, 1, 2


@dataclass(frozen=True, slots=True)
class MatchOptions:
    """Thresholds of content matching."""

    # Pairs at or above this IoU match first (class-aware, then class-agnostic so relabels are found).
    iou: float = 0.5
    # A last class-aware pass down to this IoU pairs boxes that moved a lot.
    min_iou: float = 0.1
    # Ids are trusted when at least this share of same-id pairs on the same item agree in content.
    id_trust: float = 0.5
    # Pair the single unmatched annotation of a class on an item with the single one in the other
    # version when their areas differ by less than 1.5x.
    pair_lone: bool = True


@dataclass(slots=True)
class MatchResult:
    """Which item and annotation of one version is which in the other (-1: none)."""

    item_base_to_head: np.ndarray
    item_head_to_base: np.ndarray
    ann_base_to_head: np.ndarray
    ann_head_to_base: np.ndarray
    via: np.ndarray
    class_names: list[str]
    class_base: np.ndarray  # per base annotation: index into class_names
    class_head: np.ndarray
    ids_trusted: bool | None  # None: no shared ids to judge
    # A 64-bit digest of each annotation's polygon or mask as written (0: none), per version.
    segmentation_base: np.ndarray
    segmentation_head: np.ndarray


# --------------------------------------------------------------------------- items


def item_keys(dataset: Dataset) -> list[str]:
    """What names an item across versions: its file name, else its id (qualified by file when several)."""
    n = dataset.n_items
    names = dataset.item_names if len(dataset.item_names) == n else [None] * n
    several_files = len(dataset.files) > 1
    ids = dataset.item_ids.tolist()
    files = dataset.item_file.tolist()
    keys: list[str] = []
    for name, item_id, file_index in zip(names, ids, files, strict=True):
        if name:
            keys.append("n\0" + str(name))
            continue
        source = dataset.files[file_index]
        qualifier = source.path if several_files and not source.shared_item_ids else ""
        keys.append(f"i\0{qualifier}\0{item_id}")
    seen: dict[str, int] = {}
    if len(set(keys)) != len(keys):  # the same file name in two files: tell them apart by file
        for i, key in enumerate(keys):
            count = seen.get(key, 0)
            seen[key] = count + 1
            if count:
                keys[i] = f"{key}\0#{count}"
    return keys


def match_items(base: Dataset, head: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Index of each base item in head and of each head item in base (-1: removed / added)."""
    base_index = {key: i for i, key in enumerate(item_keys(base))}
    head_to_base = np.fromiter((base_index.get(k, -1) for k in item_keys(head)), np.int64, count=head.n_items)
    base_to_head = np.full(base.n_items, -1, np.int64)
    found = head_to_base >= 0
    base_to_head[head_to_base[found]] = np.flatnonzero(found)
    return base_to_head, head_to_base


# --------------------------------------------------------------------------- annotations


def annotation_kind(dataset: Dataset) -> np.ndarray:
    """Box, span or plain label, per annotation."""
    kind = np.full(dataset.n_annotations, KIND_LABEL, np.int8)
    kind[np.isfinite(dataset.ann_box).all(axis=1)] = KIND_BOX
    kind[dataset.spans()[:, 0] >= 0] = KIND_SPAN
    return kind


def union_classes(base: Dataset, head: Dataset) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Class names of both versions in one list (classes are the same when their names are), and
    each annotation's index into it; unresolved references are named by their raw value."""
    names: dict[str, int] = {}
    per_version = []
    for dataset in (base, head):
        table = np.array([names.setdefault(c.name, len(names)) for c in dataset.classes] + [-1], np.int64)
        index = table[dataset.ann_class]
        for a, raw in dataset.unresolved_class.items():
            index[a] = names.setdefault(f"<unknown {raw}>", len(names))
        per_version.append(index)
    return list(names), per_version[0], per_version[1]


@dataclass(slots=True)
class _Side:
    """One version's annotations as the passes compare them; `item` is the BASE item index (-1: none)."""

    dataset: Dataset
    item: np.ndarray
    cls: np.ndarray  # index into the union of both versions' class names
    kind: np.ndarray
    box: np.ndarray
    span: np.ndarray
    seg: np.ndarray | None = None  # segmentation digests, filled in by the identical-content pass


@dataclass(slots=True)
class _Pairing:
    """The pairs found so far: base -> head and head -> base (-1: none), and how each was found."""

    b2h: np.ndarray
    h2b: np.ndarray
    via: np.ndarray

    @classmethod
    def empty(cls, n_base: int, n_head: int) -> _Pairing:
        return cls(np.full(n_base, -1, np.int64), np.full(n_head, -1, np.int64), np.zeros(n_base, np.int8))

    def accept(self, a: np.ndarray, b: np.ndarray, how: int) -> None:
        self.b2h[a] = b
        self.h2b[b] = a
        self.via[a] = how

    def free(self, old: _Side, new: _Side) -> tuple[np.ndarray, np.ndarray]:
        """The still unpaired annotations of each version whose item is in both."""
        return np.flatnonzero((self.b2h < 0) & (old.item >= 0)), np.flatnonzero((self.h2b < 0) & (new.item >= 0))


def match_annotations(
    base: Dataset, head: Dataset, options: MatchOptions = MatchOptions(), progress: Callable[[str], None] | None = None
) -> MatchResult:
    """One-to-one annotation pairs: identical content first, then trusted ids, then IoU / span / label."""
    say = progress or (lambda _message: None)
    item_b2h, item_h2b = match_items(base, head)
    names, class_base, class_head = union_classes(base, head)
    old, new = _sides(base, head, item_h2b, class_base, class_head)
    pairing = _Pairing.empty(base.n_annotations, head.n_annotations)
    say("matching identical annotations")
    _pair_identical(old, new, pairing)
    say("matching by id")
    ids_trusted = _pair_trusted_ids(old, new, pairing, options.id_trust)
    say("matching by content")
    _pair_by_content(old, new, pairing, options)
    if options.pair_lone:
        _pair_lone_leftovers(old, new, pairing)
    b2h, h2b, via = pairing.b2h, pairing.h2b, pairing.via
    return MatchResult(item_b2h, item_h2b, b2h, h2b, via, names, class_base, class_head, ids_trusted, old.seg, new.seg)


def _sides(
    base: Dataset, head: Dataset, item_h2b: np.ndarray, class_base: np.ndarray, class_head: np.ndarray
) -> tuple[_Side, _Side]:
    """Both versions' annotations keyed by the BASE item index."""
    item_base = np.where(base.ann_item >= 0, base.ann_item, -1).astype(np.int64)
    if head.n_items:
        item_head = np.where(head.ann_item >= 0, item_h2b[np.maximum(head.ann_item, 0)], -1).astype(np.int64)
    else:  # no items at all (annotations may still dangle)
        item_head = np.full(head.n_annotations, -1, np.int64)
    old = _Side(base, item_base, class_base, annotation_kind(base), base.ann_box, base.spans())
    new = _Side(head, item_head, class_head, annotation_kind(head), head.ann_box, head.spans())
    return old, new


def _pair_identical(old: _Side, new: _Side, pairing: _Pairing) -> None:
    """Passes 1 and 2: identical content (item, class, geometry), which pairs most annotations of a
    real change; then the same polygon on the same item (a corrected box or a new class keeps it)."""
    old.seg, new.seg = segmentation_digests(old.dataset), segmentation_digests(new.dataset)
    cols_base = [old.item, old.cls, old.kind, old.seg, *old.box.T, *old.span.T]
    cols_head = [new.item, new.cls, new.kind, new.seg, *new.box.T, *new.span.T]
    a, b = _pair_equal_rows(cols_base, cols_head, old.item >= 0, new.item >= 0)
    pairing.accept(a, b, VIA_EXACT)
    if old.dataset.ann_segmentation and new.dataset.ann_segmentation:
        a, b = _pair_segmentations(old.seg, new.seg, old.item, new.item, pairing.b2h < 0, pairing.h2b < 0)
        pairing.accept(a, b, VIA_EXACT)


def _pair_trusted_ids(old: _Side, new: _Side, pairing: _Pairing, id_trust: float) -> bool | None:
    """Pass 3: the same source id on the same item, when ids are trustworthy across the versions;
    returns whether they are (None: no shared ids to judge)."""
    ids_base, ids_head = old.dataset.ann_ids, new.dataset.ann_ids
    if not (len(ids_base) and len(ids_head)):
        return None
    a, b = _pair_ids(ids_base, ids_head, old.item, new.item)
    ids_trusted = _ids_trusted(ids_base, ids_head, a, b, pairing.b2h, id_trust)
    if ids_trusted:
        free = (pairing.b2h[a] < 0) & (pairing.h2b[b] < 0)
        a, b = a[free], b[free]
        score = _scores(a, b, old.kind, old.box, new.box, old.span, new.span)
        compatible = (old.kind[a] == new.kind[b]) & ((old.cls[a] == new.cls[b]) | (score > 0))
        pairing.accept(a[compatible], b[compatible], VIA_ID)
    return ids_trusted


def _pair_by_content(old: _Side, new: _Side, pairing: _Pairing, options: MatchOptions) -> None:
    """Pass 4: IoU (boxes; of the polygon's extent where there is one), overlap (spans), the item
    (labels); one-to-one per item, same class first, then any class (relabels), then far moves."""
    same_class = lambda a, b: old.cls[a] == new.cls[b]  # noqa: E731
    any_class = lambda a, b: np.ones(len(a), bool)  # noqa: E731
    passes = [(options.iou, same_class), (options.iou, any_class), (options.min_iou, same_class)]
    match_box_base = match_box_head = None
    for threshold, class_test in passes:
        free_a, free_b = pairing.free(old, new)
        if not len(free_a) or not len(free_b):
            break
        if match_box_base is None:  # only for annotations still unpaired: decoding polygons is slow
            match_box_base = _match_boxes(old.dataset, free_a)
            match_box_head = _match_boxes(new.dataset, free_b)
        pa, pb = _pairs_on_same_item(old.item[free_a], new.item[free_b])
        pa, pb = free_a[pa], free_b[pb]
        keep = (old.kind[pa] == new.kind[pb]) & class_test(pa, pb)
        pa, pb = pa[keep], pb[keep]
        score = _scores(pa, pb, old.kind, match_box_base, match_box_head, old.span, new.span)
        allowed = (score >= threshold) & (score > 0)
        a, b = _assign(pa[allowed], pb[allowed], score[allowed], old.item[pa[allowed]])
        pairing.accept(a, b, VIA_CONTENT)


def _pair_lone_leftovers(old: _Side, new: _Side, pairing: _Pairing) -> None:
    """Pass 5: the one leftover of a class on an item in both versions is the same object, moved far
    (a rotated or flipped image): reported as moved with its IoU, not as removed + added."""
    free_a, free_b = pairing.free(old, new)
    key_a = _hash_rows([old.item[free_a], old.cls[free_a], old.kind[free_a]])
    key_b = _hash_rows([new.item[free_b], new.cls[free_b], new.kind[free_b]])
    lone_a, lone_b = _lone(key_a), _lone(key_b)
    a, b = _pair_by_key(key_a[lone_a], key_b[lone_b])
    a, b = free_a[lone_a][a], free_b[lone_b][b]
    # ...if it kept its size (a flip or rotation keeps the area; a different object rarely does).
    area_a = np.abs(old.box[a, 2] * old.box[a, 3])
    area_b = np.abs(new.box[b, 2] * new.box[b, 3])
    with np.errstate(invalid="ignore", divide="ignore"):
        similar = (old.kind[a] != KIND_BOX) | (np.minimum(area_a, area_b) >= np.maximum(area_a, area_b) / 1.5)
    pairing.accept(a[similar], b[similar], VIA_CONTENT)


# --------------------------------------------------------------------------- helpers


def _hash_rows(columns: list[np.ndarray]) -> np.ndarray:
    """A 64-bit hash per row of numeric columns (NaN and -0.0 normalised); collisions are checked later."""
    n = len(columns[0])
    h = np.full(n, 0xCBF29CE484222325, np.uint64)
    prime = np.uint64(0x100000001B3)
    for column in columns:
        column = np.asarray(column)
        if column.dtype.kind in "iub":
            bits = column.astype(np.int64).view(np.uint64)
        else:
            values = column.astype(np.float64) + 0.0  # -0.0 becomes 0.0
            bits = np.where(np.isnan(values), np.float64(-1.2345e300), values).view(np.uint64)
        h = (h ^ bits) * prime
        h ^= h >> np.uint64(29)
    return h


def _lone(keys: np.ndarray) -> np.ndarray:
    """Mask of keys that occur exactly once."""
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    return counts[inverse] == 1


def _pair_by_key(key_a: np.ndarray, key_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one pairs of equal keys (the k-th occurrence in A with the k-th in B), with one sort."""
    n_a = len(key_a)
    if not n_a or not len(key_b):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # Stable: within a run of equal keys, A's members come first and each side keeps file order.
    order = np.argsort(np.concatenate([key_a, key_b]), kind="stable")
    keys = np.concatenate([key_a, key_b])[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    group = np.cumsum(np.r_[True, keys[1:] != keys[:-1]]) - 1
    from_a = order < n_a
    count_a = np.bincount(group, weights=from_a, minlength=len(starts)).astype(np.int64)
    count_b = np.bincount(group, minlength=len(starts)) - count_a
    positions = np.flatnonzero(from_a)
    g = group[positions]
    rank = positions - starts[g]
    keep = rank < count_b[g]
    partner = starts[g[keep]] + count_a[g[keep]] + rank[keep]
    return order[positions[keep]].astype(np.int64), (order[partner] - n_a).astype(np.int64)


def _pair_equal_rows(
    cols_a: list[np.ndarray], cols_b: list[np.ndarray], mask_a: np.ndarray, mask_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    rows_a, rows_b = np.flatnonzero(mask_a), np.flatnonzero(mask_b)
    if not len(rows_a) or not len(rows_b):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    hash_a = _hash_rows([c[rows_a] for c in cols_a])
    hash_b = _hash_rows([c[rows_b] for c in cols_b])
    a, b = _pair_by_key(hash_a, hash_b)
    a, b = rows_a[a], rows_b[b]
    same = np.ones(len(a), bool)
    for col_a, col_b in zip(cols_a, cols_b, strict=True):  # a hash collision must not pair different rows
        va, vb = col_a[a], col_b[b]
        if va.dtype.kind == "f" or vb.dtype.kind == "f":
            same &= (va == vb) | (np.isnan(va) & np.isnan(vb))
        else:
            same &= va == vb
    return a[same], b[same]


def _pair_ids(ids_a: np.ndarray, ids_b: np.ndarray, item_a: np.ndarray, item_b: np.ndarray):
    rows_a = np.flatnonzero(item_a >= 0)
    rows_b = np.flatnonzero(item_b >= 0)
    if ids_a.dtype != object and ids_b.dtype != object:
        key_a = _hash_rows([item_a[rows_a], ids_a[rows_a]])
        key_b = _hash_rows([item_b[rows_b], ids_b[rows_b]])
    else:  # string ids: hash in Python (ids are not the hot path once content matched)

        def keys(ids: np.ndarray, items: np.ndarray, rows: np.ndarray) -> np.ndarray:
            values = ids[rows].tolist()
            return np.fromiter(
                (
                    hash((int(i), None if v is None else str(v)))
                    for i, v in zip(items[rows].tolist(), values, strict=True)
                ),
                np.int64,
                count=len(rows),
            )

        key_a, key_b = keys(ids_a, item_a, rows_a), keys(ids_b, item_b, rows_b)
    a, b = _pair_by_key(key_a, key_b)
    a, b = rows_a[a], rows_b[b]
    if ids_a.dtype == object or ids_b.dtype == object:
        same = np.fromiter(
            (x is not None and str(x) == str(y) for x, y in zip(ids_a[a].tolist(), ids_b[b].tolist(), strict=True)),
            bool,
            count=len(a),
        )
    else:
        same = ids_a[a] == ids_b[b]
    same &= item_a[a] == item_b[b]
    return a[same], b[same]


def _ids_trusted(ids_a, ids_b, a, b, b2h, share: float) -> bool | None:
    """Ids mean the same object in both versions when most base ids that still exist in head are on
    the same item and were already paired by identical content (a re-id'd file scatters them)."""
    if ids_a.dtype != object and ids_b.dtype != object:
        present = int(np.isin(ids_a, ids_b).sum())
    else:
        head_ids = {str(v) for v in ids_b.tolist() if v is not None}
        present = sum(1 for v in ids_a.tolist() if v is not None and str(v) in head_ids)
    if present == 0:
        return None
    agreeing = int((b2h[a] == b).sum())
    # Pairs not yet matched by content may be real edits; they count as neither for nor against.
    unpaired = int((b2h[a] < 0).sum())
    return agreeing / max(present - unpaired, 1) >= share


def segmentation_digests(dataset: Dataset) -> np.ndarray:
    """A 64-bit digest of each annotation's segmentation as written (0 where there is none), so
    polygons compare as integers: one hash per polygon instead of one comparison per pair."""
    digest = np.zeros(dataset.n_annotations, np.int64)
    sparse = dataset.ann_segmentation
    if isinstance(sparse, SegmentationColumns):  # parsed by the reader: digests of the numbers
        digest[sparse.keys] = sparse.digests()
    elif sparse:
        keys = np.fromiter(sparse.keys(), np.int64, count=len(sparse))
        values = sparse.values()
        try:
            if not all(isinstance(v, msgspec.Raw | bytes) for v in itertools.islice(values, 100)):
                raise TypeError
            # map: no Python frame per polygon (readers keep polygons as raw JSON bytes)
            digest[keys] = np.fromiter(map(hash, map(bytes, values)), np.int64, count=len(sparse))
        except TypeError:  # decoded polygons (plugin readers): hash their text
            digests = (hash(bytes(v)) if isinstance(v, msgspec.Raw | bytes) else hash(repr(v)) for v in values)
            digest[keys] = np.fromiter(digests, np.int64, count=len(sparse))
    return digest


def _pair_segmentations(seg_a, seg_b, item_a, item_b, free_a, free_b) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of still-free annotations with identical polygons on the same item."""
    rows_a = np.flatnonzero(free_a & (seg_a != 0) & (item_a >= 0))
    rows_b = np.flatnonzero(free_b & (seg_b != 0) & (item_b >= 0))
    if not len(rows_a) or not len(rows_b):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key_a = _hash_rows([item_a[rows_a], seg_a[rows_a]])
    key_b = _hash_rows([item_b[rows_b], seg_b[rows_b]])
    a, b = _pair_by_key(key_a, key_b)
    a, b = rows_a[a], rows_b[b]
    same = (seg_a[a] == seg_b[b]) & (item_a[a] == item_b[b])
    return a[same], b[same]


def _scores(a, b, kind_a, box_a, box_b, span_a, span_b) -> np.ndarray:
    """Similarity of each pair: box IoU, span IoU, or 1 for plain labels on the same item."""
    score = np.ones(len(a), np.float64)
    kinds = kind_a[a]
    boxes = kinds == KIND_BOX
    if boxes.any():
        score[boxes] = box_iou(box_a[a[boxes]], box_b[b[boxes]])
    spans = kinds == KIND_SPAN
    if spans.any():
        sa, sb = span_a[a[spans]].astype(np.float64), span_b[b[spans]].astype(np.float64)
        inter = np.clip(np.minimum(sa[:, 1], sb[:, 1]) - np.maximum(sa[:, 0], sb[:, 0]), 0, None)
        union = (sa[:, 1] - sa[:, 0]) + (sb[:, 1] - sb[:, 0]) - inter
        exact = (sa == sb).all(axis=1)  # identical empty spans are the same span
        score[spans] = np.where(exact, 1.0, np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))
    return score


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise IoU of x, y, w, h boxes (the diagonal of quality.matching.iou_matrix)."""
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2, bx2) - np.maximum(a[:, 0], b[:, 0]), 0, None)
    ih = np.clip(np.minimum(ay2, by2) - np.maximum(a[:, 1], b[:, 1]), 0, None)
    inter = iw * ih
    union = np.abs(a[:, 2] * a[:, 3]) + np.abs(b[:, 2] * b[:, 3]) - inter
    with np.errstate(invalid="ignore"):
        iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return np.nan_to_num(iou, nan=0.0)


def _pairs_on_same_item(item_a: np.ndarray, item_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (a, b) with the same item, without a Python loop over items."""
    order_b = np.argsort(item_b, kind="stable")
    sorted_b = item_b[order_b]
    lo = np.searchsorted(sorted_b, item_a, "left")
    hi = np.searchsorted(sorted_b, item_a, "right")
    counts = hi - lo
    total = int(counts.sum())
    pa = np.repeat(np.arange(len(item_a)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pb = order_b[np.repeat(lo, counts) + offsets]
    return pa, pb


def _assign(pa: np.ndarray, pb: np.ndarray, score: np.ndarray, item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Optimal one-to-one pairs among candidates: uncontested pairs directly, the rest by
    the Hungarian algorithm per item (only items where candidates compete)."""
    if not len(pa):
        return pa, pb
    _, inv_a, count_a = np.unique(pa, return_inverse=True, return_counts=True)
    _, inv_b, count_b = np.unique(pb, return_inverse=True, return_counts=True)
    simple = (count_a[inv_a] == 1) & (count_b[inv_b] == 1)
    out_a, out_b = [pa[simple]], [pb[simple]]
    rest = ~simple
    if rest.any():
        ra, rb, rs, ri = pa[rest], pb[rest], score[rest], item[rest]
        order = np.argsort(ri, kind="stable")
        ra, rb, rs, ri = ra[order], rb[order], rs[order], ri[order]
        bounds = np.flatnonzero(np.diff(ri)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(ri)], strict=True):
            rows, row_index = np.unique(ra[lo:hi], return_inverse=True)
            cols, col_index = np.unique(rb[lo:hi], return_inverse=True)
            matrix = np.zeros((len(rows), len(cols)))
            matrix[row_index, col_index] = rs[lo:hi]
            r, c = match_one_to_one(matrix, threshold=1e-12)
            out_a.append(rows[r])
            out_b.append(cols[c])
    return np.concatenate(out_a).astype(np.int64), np.concatenate(out_b).astype(np.int64)


def _match_boxes(dataset: Dataset, wanted: np.ndarray) -> np.ndarray:
    """The box content matching compares: the extent of the polygons where there are some (the
    polygon is the drawn shape; a stored bbox can be wrong), else the box."""
    boxes = dataset.ann_box.copy()
    for a in wanted.tolist():
        raw = dataset.ann_segmentation.get(a)
        if raw is None:
            continue
        try:
            value = msgspec.json.decode(raw) if isinstance(raw, msgspec.Raw | bytes) else raw
        except msgspec.DecodeError:
            continue
        if not isinstance(value, list):
            continue  # RLE masks: no polygon to take a box from
        points = [p for polygon in value if isinstance(polygon, list) for p in polygon if isinstance(p, int | float)]
        if len(points) < 4:
            continue
        xs, ys = points[0::2], points[1::2]
        boxes[a] = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    return boxes
