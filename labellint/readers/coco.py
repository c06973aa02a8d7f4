"""COCO JSON reader: images, categories and annotations (boxes, polygons and RLE kept)."""

from __future__ import annotations

import gc
import re
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from labellint.model import Dataset, ReaderIssue, SourceFile, ids_array
from labellint.readers._coco_records import (
    CocoAnnotation,
    CocoCategory,
    CocoFile,
    CocoImage,
    _boxes,
    _keypoints,
    _lookup,
    _present,
    _segmentations,
    decode_segmentation,  # noqa: F401  (the reporters import it from here)
    with_items,
)
from labellint.readers._coco_stream import NotStreamable, decode_head, read_streamed
from labellint.readers._encoding import utf8_text, utf16_problem
from labellint.readers._jsonkeys import duplicate_key_issues
from labellint.readers._jsonpos import JsonLocator, offset_from_message
from labellint.readers.base import SNIFF_BYTES, Candidate, ReadContext, Reader, issue
from labellint.readers.coco_panoptic import flatten, is_panoptic
from labellint.readers.coco_tasks import mark_task
from labellint.segmentation.columns import SegmentationColumns

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
        mapped = context.mapped(path)
        if mapped is not None and (dataset := _read_mapped(mapped, display, reopen, self.name)) is not None:
            return dataset
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
            head = decode_head(data)
            source.meta["info"] = head.info or {}
            dataset = read_streamed(data, head, source)
            mark_task(dataset, False, [])  # the streamed path reads no panoptic file and drops no record
            return dataset
        except (msgspec.DecodeError, NotStreamable):
            source.meta.pop("info", None)  # the whole-document decode below words the problem, as it always has
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


def _read_mapped(mapped: Any, display: str, reopen: Any, reader: str) -> Dataset | None:
    """A large file read streamed from its map, whose pages are dropped as the chunks are done: the
    process never holds the file's bytes as its own memory. None when the streamed path cannot
    vouch for the file (a BOM, UTF-16, panoptic, malformed): the usual read then says why."""
    head_bytes = mapped[:SNIFF_BYTES]
    if utf8_text(head_bytes, partial=True) is not head_bytes or is_panoptic(head_bytes):
        return None
    locator = JsonLocator(reopen, utf8_text, len(mapped))
    source = SourceFile(display, reader, item_pointer="/images", annotation_pointer="/annotations", locator=locator)
    try:
        head = decode_head(mapped)
        source.meta["info"] = head.info or {}
        dataset = read_streamed(mapped, head, source)
    except (msgspec.DecodeError, NotStreamable):
        return None
    mark_task(dataset, False, [])
    return dataset


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
    kept = {i for i, _ in records["annotations"]}
    raw = document.get("annotations")
    # The images of annotations that could not be read: their labels are not known in full.
    dropped = (
        [r.get("image_id") for i, r in enumerate(raw) if i not in kept and isinstance(r, dict)]
        if isinstance(raw, list)
        else []
    )
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
        dropped=dropped,
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
    dropped: list[Any] | None = None,
) -> Dataset:
    """Columnar arrays from decoded records; references resolved with sorted-array lookups.
    `segment_fields`: the annotations are panoptic segments (their masks in PNGs, a box optional)."""
    n_ann = len(annotations)
    dataset = with_items(images, categories, source, issues, image_index, category_index)
    item_ids = dataset.item_ids

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
    mark_task(dataset, panoptic, dropped or [])
    return dataset
