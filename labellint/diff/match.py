"""Matches two versions of a dataset: items by name or id; annotations exactly, by id, then by content."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import msgspec
import numpy as np

from labellint.model import Dataset
from labellint.quality.matching import match_one_to_one

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


def match_annotations(
    base: Dataset, head: Dataset, options: MatchOptions = MatchOptions(), progress: Callable[[str], None] | None = None
) -> MatchResult:
    """One-to-one annotation pairs: identical content first, then trusted ids, then IoU / span / label."""
    say = progress or (lambda _message: None)
    item_b2h, item_h2b = match_items(base, head)
    names, class_base, class_head = union_classes(base, head)
    # Both versions' annotations keyed by the BASE item index; -1 where the item has no counterpart.
    item_base = np.where(base.ann_item >= 0, base.ann_item, -1).astype(np.int64)
    if head.n_items:
        item_head = np.where(head.ann_item >= 0, item_h2b[np.maximum(head.ann_item, 0)], -1).astype(np.int64)
    else:  # no items at all (annotations may still dangle)
        item_head = np.full(head.n_annotations, -1, np.int64)
    kind_base, kind_head = annotation_kind(base), annotation_kind(head)
    box_base, box_head = base.ann_box, head.ann_box
    span_base, span_head = base.spans(), head.spans()

    b2h = np.full(base.n_annotations, -1, np.int64)
    h2b = np.full(head.n_annotations, -1, np.int64)
    via = np.zeros(base.n_annotations, np.int8)

    def accept(a: np.ndarray, b: np.ndarray, how: int) -> None:
        b2h[a] = b
        h2b[b] = a
        via[a] = how

    # 1. identical content (item, class, geometry): most annotations of a real change.
    say("matching identical annotations")
    seg_base, seg_head = segmentation_digests(base), segmentation_digests(head)
    cols_base = [item_base, class_base, kind_base, seg_base, *box_base.T, *span_base.T]
    cols_head = [item_head, class_head, kind_head, seg_head, *box_head.T, *span_head.T]
    a, b = _pair_equal_rows(cols_base, cols_head, item_base >= 0, item_head >= 0)
    accept(a, b, VIA_EXACT)

    # 2. the same polygon on the same item (a corrected box or a new class keeps its polygon).
    if base.ann_segmentation and head.ann_segmentation:
        a, b = _pair_segmentations(seg_base, seg_head, item_base, item_head, b2h < 0, h2b < 0)
        accept(a, b, VIA_EXACT)

    # 3. the same source id on the same item, when ids are trustworthy across the versions.
    say("matching by id")
    ids_trusted = None
    if len(base.ann_ids) and len(head.ann_ids):
        a, b = _pair_ids(base.ann_ids, head.ann_ids, item_base, item_head)
        ids_trusted = _ids_trusted(base.ann_ids, head.ann_ids, a, b, b2h, options.id_trust)
        if ids_trusted:
            free = (b2h[a] < 0) & (h2b[b] < 0)
            a, b = a[free], b[free]
            score = _scores(a, b, kind_base, box_base, box_head, span_base, span_head)
            compatible = (kind_base[a] == kind_head[b]) & ((class_base[a] == class_head[b]) | (score > 0))
            accept(a[compatible], b[compatible], VIA_ID)

    # 4. content: IoU (boxes; of the polygon's extent where there is one), overlap (spans), the item
    #    (labels); one-to-one per item, same class first, then any class (relabels), then far moves.
    say("matching by content")
    same_class = lambda a, b: class_base[a] == class_head[b]  # noqa: E731
    any_class = lambda a, b: np.ones(len(a), bool)  # noqa: E731
    passes = [(options.iou, same_class), (options.iou, any_class), (options.min_iou, same_class)]
    match_box_base = match_box_head = None
    for threshold, class_test in passes:
        free_a = np.flatnonzero((b2h < 0) & (item_base >= 0))
        free_b = np.flatnonzero((h2b < 0) & (item_head >= 0))
        if not len(free_a) or not len(free_b):
            break
        if match_box_base is None:  # only for annotations still unpaired: decoding polygons is slow
            match_box_base = _match_boxes(base, free_a)
            match_box_head = _match_boxes(head, free_b)
        pa, pb = _pairs_on_same_item(item_base[free_a], item_head[free_b])
        pa, pb = free_a[pa], free_b[pb]
        keep = (kind_base[pa] == kind_head[pb]) & class_test(pa, pb)
        pa, pb = pa[keep], pb[keep]
        score = _scores(pa, pb, kind_base, match_box_base, match_box_head, span_base, span_head)
        allowed = (score >= threshold) & (score > 0)
        a, b = _assign(pa[allowed], pb[allowed], score[allowed], item_base[pa[allowed]])
        accept(a, b, VIA_CONTENT)

    # 5. the one leftover of a class on an item in both versions is the same object, moved far
    #    (a rotated or flipped image): reported as moved with its IoU, not as removed + added.
    if options.pair_lone:
        free_a = np.flatnonzero((b2h < 0) & (item_base >= 0))
        free_b = np.flatnonzero((h2b < 0) & (item_head >= 0))
        key_a = _hash_rows([item_base[free_a], class_base[free_a], kind_base[free_a]])
        key_b = _hash_rows([item_head[free_b], class_head[free_b], kind_head[free_b]])
        lone_a, lone_b = _lone(key_a), _lone(key_b)
        a, b = _pair_by_key(key_a[lone_a], key_b[lone_b])
        a, b = free_a[lone_a][a], free_b[lone_b][b]
        # ...if it kept its size (a flip or rotation keeps the area; a different object rarely does).
        area_a = np.abs(box_base[a, 2] * box_base[a, 3])
        area_b = np.abs(box_head[b, 2] * box_head[b, 3])
        with np.errstate(invalid="ignore", divide="ignore"):
            similar = (kind_base[a] != KIND_BOX) | (np.minimum(area_a, area_b) >= np.maximum(area_a, area_b) / 1.5)
        accept(a[similar], b[similar], VIA_CONTENT)
    return MatchResult(
        item_b2h, item_h2b, b2h, h2b, via, names, class_base, class_head, ids_trusted, seg_base, seg_head
    )


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
    if sparse:
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
