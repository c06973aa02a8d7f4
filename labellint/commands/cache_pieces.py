"""Per-file pieces of a Dataset kept as one columnar dataset: recorded boundaries, slices back out.

A cached group is the concatenation of its files' pieces (each piece is what the reader makes of
that file alone). Each file's record says how many files, items, annotations and reader issues
its piece holds and which classes and annotators it names, in its own order; a run of
consecutive files sliced back out is then exactly the concatenation of their pieces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from labellint.model import _SPARSE_BY_ANNOTATION, _SPARSE_BY_ITEM, ClassRef, Dataset, SourceFile
from labellint.problem import Problem

ITEM_ARRAYS = ("item_ids", "item_file", "item_line", "item_index", "item_width", "item_height", "item_normalized")
ANNOTATION_ARRAYS = ("ann_ids", "ann_item", "ann_class", "ann_box", "ann_file", "ann_line", "ann_index")


@dataclass(slots=True)
class FileRecord:
    """One label file's entry: its key (stat and content digest) and its piece's extent."""

    path: str
    size: int
    mtime_ns: int | None  # None: modified too recently for its stat to be trusted next time
    digest: str
    files: int = 0
    items: int = 0
    annotations: int = 0
    issues: int = 0
    classes: tuple[ClassRef, ...] = ()  # the classes its piece names, in the piece's order
    annotators: tuple[str, ...] = ()
    # The cached rules' problems on this piece, subjects counted from the piece's first record.
    problems: list[Problem] = field(default_factory=list)


_FILE_FIELDS = tuple(f.name for f in fields(SourceFile))
_RECORD_FIELDS = tuple(f.name for f in fields(FileRecord))


@dataclass(slots=True)
class Pieces:
    """Pieces concatenated: the dataset and, per file, its record (in file order)."""

    dataset: Dataset
    records: list[FileRecord]

    def __reduce__(self):
        # 100k small objects unpickle one Python call each: the file entries and the records
        # travel as tuples of plain values (unpickled in C) and are rebuilt in one pass.
        files = [tuple(getattr(f, name) for name in _FILE_FIELDS) for f in self.dataset.files]
        records = [tuple(getattr(r, name) for name in _RECORD_FIELDS) for r in self.records]
        return (_rebuilt, (replace(self.dataset, files=[]), files, records))


def _rebuilt(dataset: Dataset, files: list[tuple], records: list[tuple]) -> Pieces:
    dataset.files = [SourceFile(*values) for values in files]
    return Pieces(dataset, [FileRecord(*values) for values in records])


def join(parts: Sequence[Dataset], records: list[FileRecord]) -> Pieces:
    """Pieces (or slices of pieces) concatenated in order, with the records they cover."""
    dataset = Dataset.concat(list(parts)) if parts else Dataset()
    return Pieces(dataset, records)


def record_piece(record: FileRecord, piece: Dataset, interned: dict) -> FileRecord:
    """`record` with the extent of its file's piece; equal class lists share one tuple (so the
    pickled cache holds each distinct list once)."""
    record.files, record.items, record.annotations = len(piece.files), piece.n_items, piece.n_annotations
    record.issues = len(piece.issues)
    classes, annotators = tuple(piece.classes), tuple(piece.annotators)
    record.classes = interned.setdefault(classes, classes)
    record.annotators = interned.setdefault(annotators, annotators)
    return record


def slice_records(pieces: Pieces, start: int, stop: int, offsets: np.ndarray) -> Dataset:
    """The concatenation of the pieces of records[start:stop], cut from the joined dataset;
    `offsets[k]` counts (files, items, annotations, issues) before record k."""
    whole, records = pieces.dataset, pieces.records
    (f0, i0, a0, s0), (f1, i1, a1, s1) = (tuple(int(v) for v in offsets[k]) for k in (start, stop))
    if (f0, i0, a0, s0) == (0, 0, 0, 0) and (f1, i1, a1, s1) == (
        len(whole.files),
        whole.n_items,
        whole.n_annotations,
        len(whole.issues),
    ):
        return whole
    out = Dataset(files=whole.files[f0:f1], issues=whole.issues[s0:s1])
    class_order = _positions(whole.classes, _ordered_union(r.classes for r in records[start:stop]))
    out.classes = [whole.classes[k] for k in class_order]
    for name in ITEM_ARRAYS:
        setattr(out, name, getattr(whole, name)[i0:i1])
    for name in ANNOTATION_ARRAYS:
        setattr(out, name, getattr(whole, name)[a0:a1])
    out.item_file = out.item_file - f0
    out.ann_file = out.ann_file - f0
    out.ann_item = np.where(out.ann_item >= 0, out.ann_item - i0, -1).astype(whole.ann_item.dtype)
    out.ann_class = _remapped(out.ann_class, class_order, len(whole.classes))
    out.item_names = whole.item_names[i0:i1]
    if whole.item_text and any(t is not None for t in whole.item_text[i0:i1]):
        out.item_text = whole.item_text[i0:i1]
    if len(whole.ann_span) == whole.n_annotations and (whole.ann_span[a0:a1] >= 0).any():
        out.ann_span = whole.ann_span[a0:a1]
    annotator_order = _positions(whole.annotators, _ordered_union(r.annotators for r in records[start:stop]))
    out.annotators = [whole.annotators[k] for k in annotator_order]
    if len(whole.ann_annotator) == whole.n_annotations:
        out.ann_annotator = _remapped(whole.ann_annotator[a0:a1], annotator_order, len(whole.annotators))
    for name in _SPARSE_BY_ANNOTATION:
        setattr(out, name, _sparse_slice(getattr(whole, name), a0, a1))
    # Segmentations are columns, not one of the dicts above (Dataset.concat combines them).
    out.ann_segmentation = _sparse_slice(whole.ann_segmentation, a0, a1)
    for name in _SPARSE_BY_ITEM:
        setattr(out, name, _sparse_slice(getattr(whole, name), i0, i1))
    return out


def _positions(whole: list, wanted: list) -> list[int]:
    at = {value: k for k, value in enumerate(whole)}
    return [at[value] for value in wanted]


def _ordered_union(lists) -> list:
    seen: dict = {}
    for values in lists:
        for value in values:
            seen.setdefault(value, None)
    return list(seen)


def _remapped(values: np.ndarray, order: list[int], size: int) -> np.ndarray:
    """Indexes into the whole list as indexes into `order` (-1, unresolved, stays -1)."""
    remap = np.full(size + 1, -1, np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    return remap[values]


def _sparse_slice(values: Mapping[int, Any], start: int, stop: int) -> dict:
    if isinstance(values, dict):
        return {k - start: v for k, v in values.items() if start <= k < stop}
    # Column-backed mappings (segmentations, dense areas) make each value on demand: only those in range.
    return {k - start: values[k] for k in values if start <= k < stop}
