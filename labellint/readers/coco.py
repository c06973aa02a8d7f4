"""COCO JSON reader: images, categories and annotations (boxes, polygons and RLE kept)."""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile, ids_array
from labellint.readers._declared import repeats
from labellint.readers._encoding import utf8_text, utf16_problem
from labellint.readers._jsonkeys import duplicate_key_issues
from labellint.readers._jsonpos import JsonLocator, offset_from_message
from labellint.readers.base import SNIFF_BYTES, Candidate, ReadContext, Reader, issue
from labellint.readers.coco_panoptic import flatten, is_panoptic
from labellint.segmentation.columns import SegmentationColumns


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
    iscrowd: int = 0
    keypoints: list[float] | None = None
    num_keypoints: int | None = None
    attributes: dict[str, Any] | None = None


class CocoFile(msgspec.Struct, gc=False):
    images: list[CocoImage]
    annotations: list[CocoAnnotation] = []
    categories: list[CocoCategory] = []
    info: dict[str, Any] | None = None


_DECODER = msgspec.json.Decoder(CocoFile)
_IMAGES = re.compile(rb'"images"\s*:\s*\[')
_ANNOTATIONS = re.compile(rb'"annotations"\s*:\s*\[')
_COCO_LISTS = re.compile(rb'"(annotations|categories)"\s*:\s*\[')
# COCO captions: annotations that are free text about the image, with no class and no geometry.
_CAPTION = re.compile(rb'"caption"\s*:\s*"')
_GEOMETRY = re.compile(rb'"(bbox|segmentation|segments_info|keypoints)"\s*:')


class CocoReader(Reader):
    """Reads COCO detection/segmentation JSON (`images`, `annotations`, `categories`)."""

    name = "coco"
    suffixes = (".json",)
    description = "COCO JSON: images, categories, annotations with bbox, polygons or RLE"

    def claims(self, candidate: Candidate) -> bool:
        """An object with an `images` list and COCO's record keys (`file_name`, or `annotations`
        / `categories` lists), or annotations with `image_id` and `category_id`; Datumaro, SA-1B
        and other JSON with only an `annotations` key are not COCO."""
        head = utf8_text(candidate.head, partial=True).lstrip()
        if candidate.suffix != ".json" or not head.startswith(b"{"):
            return False
        if _CAPTION.search(head) and not _GEOMETRY.search(head):
            # Captions are descriptions, not labels: no class or geometry rule applies to them,
            # and their images would all be "unlabelled" (LL704). Skipped, named as captions.
            return False
        if _IMAGES.search(head):
            return b'"file_name"' in head or bool(_COCO_LISTS.search(head))
        # No `images` (an LL002 of its own): annotation records that point at images and categories.
        return bool(_ANNOTATIONS.search(head)) and b'"image_id"' in head and b'"category_id"' in head

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        reopen = context.opener(path)  # before reading: a file changed after this gives no lines
        # Some Windows tools write a BOM, or UTF-16: offsets and lines are those of the UTF-8.
        raw = context.read_bytes(path)
        data = utf8_text(raw)
        if data is raw and (problem := utf16_problem(raw)):
            # Found from the byte-order mark at the very start; the message names the bad byte.
            unreadable = issue("LL001", problem, display, line=1, column=1)
            return Dataset(files=[SourceFile(path=display, reader=self.name)], issues=[unreadable])
        source = SourceFile(
            path=display,
            reader=self.name,
            item_pointer="/images",
            annotation_pointer="/annotations",
            locator=JsonLocator(reopen, utf8_text, len(data)),
        )
        if is_panoptic(data[:SNIFF_BYTES]):
            return _read_leniently(data, source, None, panoptic=True)
        try:
            document = _decode(data)
        except msgspec.ValidationError as exc:
            return _read_leniently(data, source, str(exc))
        except msgspec.DecodeError as exc:
            if "out of range" in str(exc):
                # msgspec refuses numbers beyond a double (1e999); Python's json reads them as
                # infinity, so the record survives and the geometry rules can name it.
                return _read_leniently(data, source, str(exc))
            return _unreadable(data, source, exc)
        source.meta["info"] = document.info or {}
        issues = duplicate_key_issues(data, display)
        return _build(document.images, document.categories, document.annotations, source, issues)


def _decode(data: bytes) -> CocoFile:
    """The typed decode with the garbage collector paused: the records are `gc=False` structs, but
    their millions of lists and strings would otherwise trigger collections that find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _DECODER.decode(data)
    finally:
        if enabled:
            gc.enable()


def _unreadable(data: bytes, source: SourceFile, exc: Exception) -> Dataset:
    message = str(exc)
    where: dict[str, Any] = {}
    offset = offset_from_message(message)
    if offset is None and "truncated" in message:
        offset = len(data)  # the file ends too early: point at its end
        message = "the file ends before the JSON document does (truncated?)"
    if offset is not None:
        line = data.count(b"\n", 0, offset) + 1
        where = {"line": line, "column": offset - (data.rfind(b"\n", 0, offset) + 1) + 1}
    if not data.strip():
        message, where = "the file is empty", {"line": 1, "column": 1}
    text = f"cannot parse JSON: {message}"
    return Dataset(files=[source], issues=[issue("LL001", text, source.path, **where)])


def _pointer_from_validation(message: str) -> str | None:
    """msgspec names the failing place as `$.annotations[3].bbox`; turn it into a JSON pointer."""
    match = re.search(r"at `\$([^`]*)`", message)
    if not match:
        return None
    parts = re.findall(r"\.([^.\[]+)|\[(\d+)\]", match.group(1))
    return "".join(f"/{key or index}" for key, index in parts)


def _read_leniently(data: bytes, source: SourceFile, first_error: str | None, panoptic: bool = False) -> Dataset:
    """The slow path for files that break COCO's structure: keep every valid record, report the
    rest; also the path of COCO panoptic files, whose segments become the annotations."""
    try:
        document = msgspec.json.decode(data)
    except msgspec.DecodeError:
        import json

        try:
            document = json.loads(data)
        except ValueError as exc:
            return _unreadable(data, source, exc)
    issues: list[ReaderIssue] = []
    if not isinstance(document, dict):
        issues.append(issue("LL002", "a COCO file must be a JSON object with `images`", source.path, pointer=""))
        return Dataset(files=[source], issues=issues)
    segment_fields = None
    if panoptic:
        document, segment_fields = _segments_as_annotations(document, source, issues)
    records: dict[str, list[Any]] = {}
    for key, struct in (("images", CocoImage), ("categories", CocoCategory), ("annotations", CocoAnnotation)):
        raw = document.get(key, [])
        if key == "images" and key not in document:
            issues.append(issue("LL002", "missing required key `images`", source.path, pointer=""))
        if not isinstance(raw, list):
            issues.append(issue("LL002", f"`{key}` must be an array", source.path, pointer=f"/{key}"))
            raw = []
        records[key] = _convert_records(raw, key, struct, source, issues)
    info = document.get("info")
    source.meta["info"] = info if isinstance(info, dict) else {}
    if not issues and first_error:  # the typed decoder failed on something this path accepts; say what it was
        pointer = _pointer_from_validation(first_error)
        issues.append(issue("LL002", first_error.split(" - at ")[0], source.path, pointer=pointer))
    issues.extend(duplicate_key_issues(data, source.path))
    return _build(
        [r for _, r in records["images"]],
        [r for _, r in records["categories"]],
        [r for _, r in records["annotations"]],
        source,
        issues,
        image_index=[i for i, _ in records["images"]],
        annotation_index=[i for i, _ in records["annotations"]],
        category_index=[i for i, _ in records["categories"]],
        segment_fields=segment_fields,
    )


def _convert_records(
    raw: list[Any], key: str, struct: type, source: SourceFile, issues: list[ReaderIssue]
) -> list[tuple[int, Any]]:
    """(index, record) for each record of `key` that converts to `struct`; an LL002 for each other."""
    good = []
    for index, record in enumerate(raw):
        try:
            segmentation = None
            if struct is CocoAnnotation and isinstance(record, dict):
                # Raw only comes from bytes; this path keeps the decoded value instead.
                record = dict(record)
                segmentation = record.pop("segmentation", None)
            converted = msgspec.convert(record, struct)
            if segmentation is not None:
                converted.segmentation = segmentation
            good.append((index, converted))
        except msgspec.ValidationError as exc:
            inner = _pointer_from_validation(str(exc)) or ""
            reason = str(exc).split(" - at ")[0]
            what = key[:-1] if key != "categories" else "category"
            issues.append(issue("LL002", f"invalid {what}: {reason}", source.path, pointer=f"/{key}/{index}{inner}"))
    return good


def _segments_as_annotations(
    document: dict[str, Any], source: SourceFile, issues: list[ReaderIssue]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A panoptic document with its segments as the annotations (each at its own pointer)."""
    raw = document.get("annotations", [])
    flat, pointers, segment_fields, bad = flatten(raw if isinstance(raw, list) else [])
    source.annotation_pointer, source.annotation_pointers = None, pointers
    for pointer, reason in bad:
        issues.append(issue("LL002", f"invalid panoptic annotation: {reason}", source.path, pointer=pointer))
    return {**document, "annotations": flat}, segment_fields


def _build(
    images: list[CocoImage],
    categories: list[CocoCategory],
    annotations: list[CocoAnnotation],
    source: SourceFile,
    issues: list[ReaderIssue],
    image_index: list[int] | None = None,
    annotation_index: list[int] | None = None,
    category_index: list[int] | None = None,
    segment_fields: list[dict[str, Any]] | None = None,
) -> Dataset:
    """Columnar arrays from decoded records; references resolved with sorted-array lookups.
    `segment_fields`: the annotations are panoptic segments (their masks in PNGs, a box optional)."""
    n_img, n_ann = len(images), len(annotations)
    issues.extend(_repeated_categories(categories, source.path, category_index))
    item_ids = ids_array([im.id for im in images])
    classes = [ClassRef(c.name, c.id) for c in categories]
    dataset = Dataset(files=[source], classes=classes, issues=issues)
    dataset.item_ids = item_ids
    dataset.item_names = [im.file_name for im in images]
    dataset.item_file = np.zeros(n_img, np.int32)
    dataset.item_line = np.zeros(n_img, np.int32)
    dataset.item_index = np.asarray(image_index if image_index is not None else np.arange(n_img), np.int32)
    dataset.item_width = _floats([im.width for im in images])
    dataset.item_height = _floats([im.height for im in images])
    dataset.item_normalized = np.zeros(n_img, bool)

    # Each field read once into a list of its own: a list comprehension per field is the fastest
    # walk over structs (one loop filling eight lists, or zip(*records), measured slower).
    dataset.ann_ids = ids_array([a.id for a in annotations])
    dataset.ann_item = _lookup(item_ids, [a.image_id for a in annotations])
    dataset.ann_class = _lookup(ids_array([c.id for c in categories]), [a.category_id for a in annotations])
    panoptic = segment_fields is not None
    boxes = [a.bbox for a in annotations]
    dataset.ann_box = _boxes(annotations, boxes, source, issues, annotation_index, panoptic=panoptic)
    dataset.ann_file = np.zeros(n_ann, np.int32)
    dataset.ann_line = np.zeros(n_ann, np.int32)
    dataset.ann_index = np.asarray(annotation_index if annotation_index is not None else np.arange(n_ann), np.int32)
    for a in np.flatnonzero(dataset.ann_item < 0):
        dataset.unresolved_item[int(a)] = annotations[a].image_id
    for a in np.flatnonzero(dataset.ann_class < 0):
        dataset.unresolved_class[int(a)] = annotations[a].category_id
    dataset.ann_attributes = _present([a.attributes for a in annotations], truthy=True)
    # Parsed here into flat arrays, once: the rules use them as they are, and no msgspec.Raw slice
    # keeps the file's whole buffer alive.
    dataset.ann_segmentation = SegmentationColumns.from_values(_segmentations([a.segmentation for a in annotations]))
    dataset.ann_area = _present([a.area for a in annotations])
    has_keypoints = [a.keypoints for a in annotations].count(None) != n_ann
    dataset.ann_keypoints = _keypoints(annotations, source, issues, annotation_index) if has_keypoints else {}
    if segment_fields is not None:
        index = dataset.ann_index.tolist()
        dataset.ann_fields = {a: segment_fields[index[a]] for a in range(n_ann)}
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
    refs_array = ids_array(refs)
    if keys.dtype != object and refs_array.dtype != object and _dense(keys):
        # Small non-negative ids (most exports): a table indexed by id, a gather instead of a
        # binary search per reference (random probes into a sorted array miss the cache).
        unique, first = np.unique(keys, return_index=True)
        table = np.full(int(unique[-1]) + 1, -1, np.int32)
        table[unique] = first
        inside = (refs_array >= 0) & (refs_array < len(table))
        return np.where(inside, table[np.where(inside, refs_array, 0)], -1).astype(np.int32)
    if keys.dtype != object and refs_array.dtype != object:
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        pos = np.searchsorted(sorted_keys, refs_array)
        pos_clipped = np.minimum(pos, max(len(keys) - 1, 0))
        found = (pos < len(keys)) & (sorted_keys[pos_clipped] == refs_array) if len(keys) else np.zeros(len(refs), bool)
        return np.where(found, order[pos_clipped] if len(keys) else -1, -1).astype(np.int32)
    table: dict[Any, int] = {}
    for index, key in enumerate(keys.tolist()):
        table.setdefault(key, index)
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
