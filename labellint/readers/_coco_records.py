"""COCO records as typed structs, and the column helpers the COCO reader's two paths (whole and streamed) share."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import msgspec
import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile, ids_array
from labellint.readers._declared import repeats
from labellint.readers.base import issue


class CocoImage(msgspec.Struct, gc=False):
    id: int | str
    file_name: str | None = None
    width: float | None = None
    height: float | None = None


class CocoCategory(msgspec.Struct, gc=False):
    id: int | str
    name: str
    supercategory: str | None = None


class CocoAnnotation(msgspec.Struct, gc=False):
    image_id: int | str
    category_id: int | str
    id: int | str | None = None
    bbox: list[float] | None = None
    # Kept undecoded until a rule needs it: polygons are most of a COCO file's bytes.
    segmentation: msgspec.Raw = msgspec.Raw()
    area: float | None = None
    iscrowd: int | msgspec.UnsetType = msgspec.UNSET  # UNSET: absent (the repeated-key test counts keys)
    keypoints: list[float] | None = None
    num_keypoints: int | None = None
    attributes: dict[str, Any] | None = None


class CocoFile(msgspec.Struct, gc=False):
    images: list[CocoImage]
    annotations: list[CocoAnnotation] = []
    categories: list[CocoCategory] = []
    info: dict[str, Any] | None = None


def with_items(
    images: list[CocoImage],
    categories: list[CocoCategory],
    source: SourceFile,
    issues: list[ReaderIssue],
    image_index: list[int] | None = None,
    category_index: list[int] | None = None,
) -> Dataset:
    """A dataset of one COCO file with its classes and item columns (the annotations still to add);
    categories declared twice become LL003s in `issues`."""
    n_img = len(images)
    issues.extend(_repeated_categories(categories, source.path, category_index))
    classes = [ClassRef(c.name, c.id) for c in categories]
    dataset = Dataset(files=[source], classes=classes, issues=issues)
    dataset.item_ids = ids_array([im.id for im in images])
    dataset.item_names = [im.file_name for im in images]
    dataset.item_file = np.zeros(n_img, np.int32)
    dataset.item_line = np.zeros(n_img, np.int32)
    dataset.item_index = np.asarray(image_index if image_index is not None else np.arange(n_img), np.int32)
    dataset.item_width = _floats([im.width for im in images])
    dataset.item_height = _floats([im.height for im in images])
    dataset.item_normalized = np.zeros(n_img, bool)
    return dataset


def _repeated_categories(
    categories: list[CocoCategory], path: str, category_index: list[int] | None
) -> Iterator[ReaderIssue]:
    """LL003 at every category that repeats an earlier one's id (its annotations go to the first
    name) or name (two ids, one class), naming both records."""
    where = [f"/categories/{i}" for i in (category_index or range(len(categories)))]
    for later, first in repeats([c.id for c in categories]):
        again, before = categories[later], categories[first]
        if again.name == before.name:
            message = f"category id {again.id!r} ({again.name!r}) is declared again (first at {where[first]})"
        else:
            message = (
                f"category id {again.id!r} is declared again, as {again.name!r} (first as {before.name!r} at "
                f"{where[first]}): its annotations are read as {before.name!r}"
            )
        yield issue("LL003", message, path, pointer=where[later])
    for later, first in repeats([c.name for c in categories]):
        again, before = categories[later], categories[first]
        if again.id != before.id:
            message = (
                f"category name {again.name!r} is declared again, with id {again.id!r} "
                f"(first with id {before.id!r} at {where[first]}): one class under two ids"
            )
            yield issue("LL003", message, path, pointer=where[later])


def _floats(values: list[float | None]) -> np.ndarray:
    """float64, NaN where a value is absent."""
    if None not in values:
        return np.array(values, np.float64)
    return np.array([np.nan if v is None else v for v in values], np.float64)


def _present(values: list[Any], truthy: bool = False) -> dict[int, Any]:
    """{index: value} for the values that are there (not None; with `truthy`, not empty either)."""
    keep = list(values) if truthy else [v is not None for v in values]
    if all(keep):
        return dict(enumerate(values))
    return dict(zip(itertools.compress(range(len(values)), keep), itertools.compress(values, keep), strict=True))


def _keypoints(
    annotations: list[CocoAnnotation],
    source: SourceFile,
    issues: list[ReaderIssue],
    annotation_index: list[int] | None,
) -> dict[int, list[float]]:
    """COCO keypoints `[x, y, v, ...]` by annotation; a length that is not a multiple of 3, or a
    `num_keypoints` that is not the number of labelled points (v > 0), is an LL002."""
    out: dict[int, list[float]] = {}
    for a, record in enumerate(annotations):
        points = record.keypoints
        if points is None:
            continue
        index = annotation_index[a] if annotation_index is not None else a
        where = {"annotation": _str(record.id)}
        if len(points) % 3:
            message = f"`keypoints` must be [x, y, v] triples, found {len(points)} numbers"
            issues.append(issue("LL002", message, source.path, pointer=f"/annotations/{index}/keypoints", **where))
            continue
        out[a] = points
        labelled = sum(1 for v in points[2::3] if v > 0)
        if record.num_keypoints is not None and record.num_keypoints != labelled:
            message = (
                f"`num_keypoints` is {record.num_keypoints} but {labelled} of the "
                f"{len(points) // 3} keypoints are labelled (visibility > 0)"
            )
            issues.append(issue("LL002", message, source.path, pointer=f"/annotations/{index}/num_keypoints", **where))
    return out


def _lookup(keys: np.ndarray, refs: list[Any]) -> np.ndarray:
    """Index of each reference in `keys` (first occurrence), -1 where it is absent."""
    return IdLookup(keys)(refs)


class IdLookup:
    """Finds references in a set of ids (first occurrence), built once for many batches of references."""

    def __init__(self, keys: np.ndarray) -> None:
        self.keys = keys
        self.table: np.ndarray | None = None
        self.order: np.ndarray | None = None
        self.sorted_keys = keys
        self.positions: dict[Any, int] | None = None
        if keys.dtype != object and _dense(keys):
            # Small non-negative ids (most exports): a table indexed by id, a gather instead of a
            # binary search per reference (random probes into a sorted array miss the cache).
            unique, first = np.unique(keys, return_index=True)
            self.table = np.full(int(unique[-1]) + 1, -1, np.int32)
            self.table[unique] = first

    def __call__(self, refs: list[Any]) -> np.ndarray:
        keys, refs_array = self.keys, ids_array(refs)
        if self.table is not None and refs_array.dtype != object:
            inside = (refs_array >= 0) & (refs_array < len(self.table))
            return np.where(inside, self.table[np.where(inside, refs_array, 0)], -1).astype(np.int32)
        if keys.dtype != object and refs_array.dtype != object:
            if self.order is None:
                self.order = np.argsort(keys, kind="stable")
                self.sorted_keys = keys[self.order]
            order, sorted_keys = self.order, self.sorted_keys
            pos = np.searchsorted(sorted_keys, refs_array)
            pos_clipped = np.minimum(pos, max(len(keys) - 1, 0))
            found = (
                (pos < len(keys)) & (sorted_keys[pos_clipped] == refs_array) if len(keys) else np.zeros(len(refs), bool)
            )
            return np.where(found, order[pos_clipped] if len(keys) else -1, -1).astype(np.int32)
        if self.positions is None:
            self.positions = {}
            for index, key in enumerate(keys.tolist()):
                self.positions.setdefault(key, index)
        table = self.positions
        return np.fromiter((table.get(r, -1) for r in refs_array.tolist()), np.int32, count=len(refs))


def _dense(keys: np.ndarray) -> bool:
    """Whether integer ids are non-negative and below eight times their number (a small table)."""
    return len(keys) > 0 and int(keys.min()) >= 0 and int(keys.max()) < 8 * len(keys) + 1024


def _boxes(
    annotations: list[CocoAnnotation],
    boxes: list[list[float] | None],
    source: SourceFile,
    issues: list[ReaderIssue],
    annotation_index: list[int] | None,
    panoptic: bool = False,
) -> np.ndarray:
    """The (n, 4) xywh array; a box that is not 4 numbers is NaN and an LL002, and so is a missing
    one, unless no annotation of the file has geometry (image-level labels, as Datumaro's
    `coco_labels` writes) or the file is panoptic (the mask in the PNG is the geometry)."""
    n = len(boxes)
    if None not in boxes and set(map(len, boxes)) <= {4}:
        return np.fromiter(itertools.chain.from_iterable(boxes), np.float64, count=4 * n).reshape(n, 4)
    out = np.full((n, 4), np.nan)
    box_optional = panoptic or not any(_has_geometry(a) for a in annotations)
    for a in range(n):
        box = boxes[a]
        index = annotation_index[a] if annotation_index is not None else a
        if box is None:
            if not box_optional and not _has_segmentation(annotations[a].segmentation):
                issues.append(
                    issue(
                        "LL002",
                        "annotation has neither `bbox` nor `segmentation`",
                        source.path,
                        pointer=f"/annotations/{index}",
                        annotation=_str(annotations[a].id),
                    )
                )
        elif len(box) != 4:
            issues.append(
                issue(
                    "LL002",
                    f"`bbox` must have 4 numbers [x, y, width, height], found {len(box)}",
                    source.path,
                    pointer=f"/annotations/{index}/bbox",
                    annotation=_str(annotations[a].id),
                )
            )
        else:
            out[a] = box
    return out


def _has_geometry(annotation: CocoAnnotation) -> bool:
    return annotation.bbox is not None or annotation.keypoints is not None or _has_segmentation(annotation.segmentation)


def _segmentations(values: list[Any]) -> dict[int, Any]:
    """Kept segmentations by annotation index, leaving out absent ones (empty Raw, `null`, `[]`)."""
    if not set(map(type, values)) <= {msgspec.Raw}:
        return {i: v for i, v in enumerate(values) if _has_segmentation(v)}
    # All undecoded: sizes are enough, except that a short value may be `null` or `[]`.
    sizes = np.fromiter(map(len, values), np.int64, count=len(values))
    keep = sizes > 0
    for i in np.flatnonzero(keep & (sizes <= _SHORT_EMPTY)).tolist():
        keep[i] = _has_segmentation(values[i])
    return dict(zip(np.flatnonzero(keep).tolist(), itertools.compress(values, keep.tolist()), strict=True))


# Undecoded values at most this long may spell "no segmentation" (`null`, `[]`, `[ ]`); longer ones never do.
_SHORT_EMPTY = 16


def _has_segmentation(value: Any) -> bool:
    """Whether an annotation has a segmentation: `null` and `[]` (box-only exports write it) do not count."""
    if isinstance(value, msgspec.Raw):
        # Look at the bytes only of a short value: copying every polygon just to rule out `null` is slow.
        size = len(value)
        return size > _SHORT_EMPTY or (size > 0 and b"".join(bytes(value).split()) not in (b"null", b"[]"))
    return value is not None and not (isinstance(value, list) and not value)


def decode_segmentation(value: Any) -> Any:
    """A kept segmentation as Python data (polygons: lists of numbers; RLE: a dict)."""
    return msgspec.json.decode(value) if isinstance(value, msgspec.Raw) else value


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
