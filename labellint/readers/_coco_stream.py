"""COCO `annotations` decoded in chunks straight into columns: no Python object of an annotation outlives its chunk.

The document is decoded once with the annotations kept as one undecoded `msgspec.Raw` (msgspec still
checks their JSON, but builds nothing); runs of about `CHUNK_BYTES` of records (`_chunks`) are decoded
into typed structs, turned into columns and dropped. A large file comes as a read-only map: its pages
leave the resident set once decoded (file-backed pages mapped in count in RSS while they are there),
so the file's bytes are never held beside the columns. Anything this path does not vouch for
(annotations that are not an array of objects, a record that does not validate) raises
`NotStreamable`, and the reader falls back to its whole-document path, so every message and pointer
stays what that path says.
"""

from __future__ import annotations

import gc
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from labellint.model import Dataset, DenseValues, ReaderIssue, SourceFile, ids_array
from labellint.readers._coco_records import (
    CocoAnnotation,
    CocoCategory,
    CocoImage,
    IdLookup,
    _floats,
    _keypoints,
    _present,
    _segmentations,
    _str,
    with_items,
)
from labellint.readers._jsonkeys import DuplicateKey, duplicate_keys, key_issue
from labellint.readers.base import issue
from labellint.segmentation.columns import GrowingColumns, SegmentationColumns
from labellint.support.mapped import release

# Bytes of annotations decoded at once: their structs, lists and polygon bytes are the only
# per-annotation objects alive at a time (a few tens of MB).
CHUNK_BYTES = 8 * 1024 * 1024
# Where a run of records may end: a `}`, JSON whitespace, a comma.
_RUN_END = re.compile(rb"\}[ \t\r\n]*,")
# Repeated keys named per file, as the whole-document path names them.
KEY_LIMIT = 100


class CocoHead(msgspec.Struct, gc=False):
    images: list[CocoImage]
    annotations: msgspec.Raw = msgspec.Raw()
    categories: list[CocoCategory] = []
    info: dict[str, Any] | None = None


_HEAD = msgspec.json.Decoder(CocoHead)
_CHUNK = msgspec.json.Decoder(list[CocoAnnotation])


class NotStreamable(Exception):
    """The annotations are not a plain array of annotation objects: the whole-document path says why."""


def decode_head(data: bytes) -> CocoHead:
    """Images, categories and info decoded; annotations checked as JSON and kept as raw bytes."""
    return _without_gc(_HEAD.decode, data)


def read_streamed(data: Any, head: CocoHead, source: SourceFile) -> Dataset:
    """The dataset of the COCO file `data` (bytes, or a read-only map whose pages are released as
    they are done), whose head is decoded, its annotations read chunk by chunk; repeated keys (LL002)
    are searched in the head and in each chunk apart, and named in file order."""
    view = memoryview(head.annotations)
    start = _address(head.annotations) - _address(data)
    release(data, 0, len(data))  # the head's decode read every page; the chunks map back their own
    lines = LineCounter(data)
    repeats = _head_repeats(data, (start, start + len(view)) if len(view) else None, lines)
    dataset = with_items(head.images, head.categories, source, [])
    columns = _Columns(IdLookup(dataset.item_ids), IdLookup(ids_array([c.id for c in head.categories])), source)
    offset = 0
    for first_byte, chunk, records in _chunks(view):
        fields = _Fields.of(records)
        if chunk.count(b":") != fields.keys_accounted(records):
            repeats += _chunk_repeats(data, chunk, start + first_byte - 1, offset, lines)
        columns.add(records, fields, offset)
        offset += len(records)
        release(data, start + first_byte, start + first_byte + len(chunk) - 2)
    columns.fill(dataset)
    repeats.sort(key=lambda repeat: repeat.offset)
    dataset.issues[:0] = [key_issue(repeat, source.path) for repeat in repeats[:KEY_LIMIT]]
    return dataset


@dataclass(slots=True)
class _Fields:
    """The fields of a chunk's annotations, each read once into a list (a list comprehension per field is
    the fastest walk over structs), for the columns and for counting the keys."""

    ids: list[Any]
    boxes: list[list[float] | None]
    segmentations: list[Any]
    areas: list[float | None]
    attributes: list[dict[str, Any] | None]
    keypoints: list[list[float] | None]

    @classmethod
    def of(cls, annotations: list[CocoAnnotation]) -> _Fields:
        return cls(
            [a.id for a in annotations],
            [a.bbox for a in annotations],
            [a.segmentation for a in annotations],
            [a.area for a in annotations],
            [a.attributes for a in annotations],
            [a.keypoints for a in annotations],
        )

    def keys_accounted(self, annotations: list[CocoAnnotation]) -> int:
        """How many keys the decoded fields account for: at most the keys written (a field written twice,
        or as `null`, counts once or not at all). Every key has a colon, so a chunk with no more colons
        than this has exactly one key per field and no other key: none is repeated, and the search is
        skipped."""
        n = len(annotations)
        count = 2 * n  # image_id and category_id are required
        for values in (self.ids, self.boxes, self.areas, self.keypoints, self.attributes):
            count += n - values.count(None)
        count += n - [a.num_keypoints for a in annotations].count(None)
        count += n - [a.iscrowd for a in annotations].count(msgspec.UNSET)
        count += n - list(map(len, self.segmentations)).count(0)
        return count


def _head_repeats(data: Any, skip: tuple[int, int] | None, lines: LineCounter) -> list[DuplicateKey]:
    """Repeated keys outside the annotations array `data[skip[0]:skip[1]]` (bytes or a map), searched
    in a copy of the document with the array left empty (`[` + `]`: the annotations are most of a
    COCO file, and each chunk is searched apart), the repeats after the array then placed back at
    their offsets, lines and columns in the file."""
    if skip is None:  # no annotations: the head is the whole file
        return duplicate_keys(data if isinstance(data, bytes | bytearray) else data[:], KEY_LIMIT)
    start, stop = skip
    removed = stop - start - 2
    outside = data[: start + 1] + data[stop - 1 :]
    release(data, 0, len(data))
    found = []
    for repeat in duplicate_keys(outside, KEY_LIMIT):
        if repeat.offset > start:
            at = repeat.offset + removed
            repeat = DuplicateKey(repeat.key, repeat.pointer, *lines.line_column(at), at)
        found.append(repeat)
    return found


def _chunk_repeats(data: Any, chunk: bytearray, base: int, first: int, lines: LineCounter) -> list[DuplicateKey]:
    """Repeated keys of one chunk (`[` + annotations `first`... + `]`, its byte 1 at `base` in `data`)
    with the pointers, lines and columns they have in the whole file."""
    found = []
    for repeat in duplicate_keys(chunk, KEY_LIMIT):
        at = base + repeat.offset
        line, column = lines.line_column(at)
        index, _, rest = repeat.pointer[1:].partition("/")
        pointer = f"/annotations/{first + int(index)}/{rest}"
        found.append(DuplicateKey(repeat.key, pointer, line, column, at))
    return found


class LineCounter:
    """Lines and columns of offsets in `data` (bytes or a map), counted on from the last offset asked
    for: repeats come in file order, so the file is counted through about once (a map's pages are
    released behind the count)."""

    def __init__(self, data: Any) -> None:
        self.data = data
        self.offset, self.newlines, self.last_newline = 0, 0, -1

    def line_column(self, at: int) -> tuple[int, int]:
        """The 1-based line and column (in bytes) of offset `at`."""
        if at < self.offset:
            self.offset, self.newlines, self.last_newline = 0, 0, -1
        for piece in range(self.offset, at, _COUNT_BYTES):
            text = self.data[piece : min(piece + _COUNT_BYTES, at)]
            self.newlines += text.count(b"\n")
            if (newline := text.rfind(b"\n")) >= 0:
                self.last_newline = piece + newline
            release(self.data, piece, piece + len(text))
        self.offset = at
        return self.newlines + 1, at - self.last_newline


# Bytes of a map copied at a time to count its newlines.
_COUNT_BYTES = 1 << 24


def _without_gc(decode: Any, data: Any) -> Any:
    """A decode with the garbage collector paused: the records are `gc=False` structs, but their many
    lists and strings would otherwise trigger collections that find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return decode(data)
    except msgspec.ValidationError as exc:
        raise NotStreamable(str(exc)) from None
    finally:
        if enabled:
            gc.enable()


def _chunks(view: memoryview) -> Iterator[tuple[int, bytearray, list[CocoAnnotation]]]:
    """The records of the annotations array `view` (validated JSON) in runs of about CHUNK_BYTES: for
    each run its first byte's offset in `view`, the run as a JSON array, and its records decoded.

    A run ends at a `}` followed by a comma, found by a byte search; such a `}` may be inside a string
    or a nested object, but then `[` + the run + `]` is not JSON (an open string or object is never
    closed by the `]`), so only a run that decodes is taken, and a run that does not is made longer.
    Runs start after a `,` that ended the previous run: by induction every run is whole records."""
    first, end = 1, len(view) - 1  # inside the brackets
    while first < end:
        size = CHUNK_BYTES
        while True:
            found = _RUN_END.search(view, first + size, end) if first + size < end else None
            stop = found.start() + 1 if found else end
            chunk = _chunk(view, first, stop)
            try:
                records = _without_gc(_CHUNK.decode, chunk)
                break
            except msgspec.DecodeError:
                if found is None:
                    raise  # the rest of a valid array is whole records: a number msgspec refuses
                size *= 2  # a `}` inside a record: a longer run (doubling: few retries on any input)
        if records:
            yield first, chunk, records
        first = found.end() if found else end


def _chunk(view: memoryview, start: int, stop: int) -> bytearray:
    """The records in view[start:stop] as one JSON array."""
    chunk = bytearray(b"[")
    chunk += view[start:stop]
    chunk += b"]"
    return chunk


def _address(buffer: Any) -> int:
    """Where a buffer's bytes are in memory (a Raw's bytes are inside the decoded document's)."""
    return np.frombuffer(buffer, np.uint8).ctypes.data if len(buffer) else 0


@dataclass
class _Columns:
    """Annotation columns gathered chunk by chunk, and the problems found on the way (in file order)."""

    items: IdLookup
    classes: IdLookup
    source: SourceFile
    n: int = 0  # annotations so far: the columns grow in place by each chunk's rows
    ids: list[np.ndarray] = field(default_factory=list)  # per chunk: int64, or objects for other ids
    ann_item: np.ndarray = field(init=False)
    ann_class: np.ndarray = field(init=False)
    boxes: np.ndarray = field(init=False)
    areas: np.ndarray = field(init=False)
    segmentations: GrowingColumns = field(default_factory=GrowingColumns)
    attributes: dict[int, Any] = field(default_factory=dict)
    keypoints: dict[int, list[float]] = field(default_factory=dict)
    unresolved_item: dict[int, Any] = field(default_factory=dict)
    unresolved_class: dict[int, Any] = field(default_factory=dict)
    # Boxes not 4 numbers (annotation, count, id), or missing (count None): LL002 once the whole file
    # is known to have geometry.
    box_events: list[tuple[int, int | None, str | None]] = field(default_factory=list)
    keypoint_issues: list[ReaderIssue] = field(default_factory=list)
    any_geometry: bool = False

    def __post_init__(self) -> None:
        self.ann_item = np.empty(0, np.int32)
        self.ann_class = np.empty(0, np.int32)
        self.boxes = np.empty((0, 4), np.float64)
        self.areas = np.empty(0, np.float64)

    def add(self, annotations: list[CocoAnnotation], fields: _Fields, offset: int) -> None:
        n = len(annotations)
        rows = slice(offset, offset + n)
        self.n = offset + n
        for column in (self.ann_item, self.ann_class, self.boxes, self.areas):
            # realloc in place (the kernel moves a large block's pages, it does not copy them): the
            # number of records is known only at the end, and a copy per growth would double the peak.
            column.resize((self.n, *column.shape[1:]), refcheck=False)
        self.ids.append(ids_array(fields.ids))
        for refs, lookup, column, unresolved in (
            ([a.image_id for a in annotations], self.items, self.ann_item, self.unresolved_item),
            ([a.category_id for a in annotations], self.classes, self.ann_class, self.unresolved_class),
        ):
            found = lookup(refs)
            column[rows] = found
            unresolved.update((offset + a, refs[a]) for a in np.flatnonzero(found < 0).tolist())
        segmentations = _segmentations(fields.segmentations)
        self.boxes[rows] = self._boxes(annotations, fields.boxes, segmentations, offset)
        self.areas[rows] = _floats(fields.areas)
        self.segmentations.add(SegmentationColumns.from_values(segmentations), offset)
        self.attributes.update(_shifted(_present(fields.attributes, truthy=True), offset))
        if fields.keypoints.count(None) != n:
            index = list(range(offset, offset + n))
            found = _keypoints(annotations, self.source, self.keypoint_issues, index)
            self.keypoints.update(_shifted(found, offset))
            self.any_geometry = True

    def _boxes(
        self, annotations: list[CocoAnnotation], boxes: list[Any], segmentations: dict[int, Any], offset: int
    ) -> np.ndarray:
        n = len(boxes)
        if None not in boxes and set(map(len, boxes)) <= {4}:
            self.any_geometry = self.any_geometry or n > 0
            return np.fromiter(itertools.chain.from_iterable(boxes), np.float64, count=4 * n).reshape(n, 4)
        self.any_geometry = self.any_geometry or bool(segmentations) or n > boxes.count(None)
        out = np.full((n, 4), np.nan)
        for a, box in enumerate(boxes):
            if box is None:
                if a not in segmentations:
                    self.box_events.append((offset + a, None, _str(annotations[a].id)))
            elif len(box) != 4:
                self.box_events.append((offset + a, len(box), _str(annotations[a].id)))
            else:
                out[a] = box
        return out

    def fill(self, dataset: Dataset) -> None:
        """The gathered columns into `dataset`, and the problems into its issues."""
        n, ids = self.n, self.ids
        if any(a.dtype == object for a in ids) and not all(a.dtype == object for a in ids):
            ids = [a.astype(object) for a in ids]
        dataset.ann_ids = np.concatenate(ids) if len(ids) > 1 else ids[0] if ids else ids_array([])
        dataset.ann_item, dataset.ann_class, dataset.ann_box = self.ann_item, self.ann_class, self.boxes
        dataset.ann_file = np.zeros(n, np.int32)
        dataset.ann_line = np.zeros(n, np.int32)
        dataset.ann_index = np.arange(n, dtype=np.int32)
        dataset.unresolved_item, dataset.unresolved_class = self.unresolved_item, self.unresolved_class
        dataset.ann_attributes = self.attributes
        dataset.ann_segmentation = self.segmentations.joined
        dataset.ann_area = DenseValues(self.areas)
        dataset.ann_keypoints = self.keypoints
        for a, count, ann_id in self.box_events:
            if count is None and self.any_geometry:
                message = "annotation has neither `bbox` nor `segmentation`"
                dataset.issues.append(
                    issue("LL002", message, self.source.path, pointer=f"/annotations/{a}", annotation=ann_id)
                )
            elif count is not None:
                message = f"`bbox` must have 4 numbers [x, y, width, height], found {count}"
                pointer = f"/annotations/{a}/bbox"
                dataset.issues.append(issue("LL002", message, self.source.path, pointer=pointer, annotation=ann_id))
        dataset.issues.extend(self.keypoint_issues)


def _shifted(values: dict[int, Any], offset: int) -> dict[int, Any]:
    return {a + offset: v for a, v in values.items()} if offset else values
