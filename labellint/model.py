"""The normalized dataset: columnar arrays for fast rules, with provenance for every record."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labellint.problem import Location
from labellint.segmentation.columns import combine

# Turns JSON pointers of one file into (line, column); built lazily, only for reported problems.
PointerLocator = Callable[[Sequence[str]], dict[str, tuple[int, int]]]


@dataclass(slots=True)
class SourceFile:
    """One label file that was read: its display path, the reader, and how to find records in it."""

    path: str
    reader: str
    # Prefixes of the JSON pointers of item and annotation records ("/images", "/annotations").
    item_pointer: str | None = None
    annotation_pointer: str | None = None
    # Full JSON pointers per record index, for nested formats (Label Studio `/0/annotations/1/result/2`);
    # when set they win over the prefixes above.
    item_pointers: list[str] | None = None
    annotation_pointers: list[str] | None = None
    locator: PointerLocator | None = None
    # Item ids name images across files (VOC's <filename>), not records inside this file (COCO).
    shared_item_ids: bool = False
    # What the file declared about itself (e.g. COCO `info`), for rules that need it.
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ClassRef:
    """A class as one source names it: the name and the source's own id (COCO id, YOLO index)."""

    name: str
    source_id: int | str | None = None


@dataclass(slots=True)
class ReaderIssue:
    """A problem a reader found while reading (LL001 unreadable, LL002 invalid structure)."""

    code: str
    message: str
    location: Location
    identity: str = ""


def ids_array(values: Sequence[Any]) -> np.ndarray:
    """Ids as written in the source: int64 when all are integers (fast to compare), else objects."""
    if set(map(type, values)) <= {int}:  # exactly int (bool is not an id); one C-level pass
        return np.fromiter(values, np.int64, count=len(values))  # twice as fast as asarray on a list
    return np.asarray(list(values), dtype=object)


def repeated(value: Any, shape: int | tuple[int, ...], dtype: Any) -> np.ndarray:
    """`value` in every cell of `shape`, as a read-only view of one element (np.broadcast_to): a column
    that is the same in every row (no box, no image size, no annotator) costs no memory per row.
    Nothing writes into a built Dataset's arrays; code that wants to must copy first."""
    return np.broadcast_to(np.array(value, dtype), shape)


@dataclass(slots=True, eq=False)
class DenseValues(Mapping[int, float]):
    """A number per annotation in one float64 array, NaN where the source has none, read as the sparse
    mapping {annotation: value} of the values present (10M floats: 80 MB instead of a 1 GB dict)."""

    values: np.ndarray

    def present(self) -> np.ndarray:
        """Indexes of the annotations that have a value, in order."""
        return np.flatnonzero(~np.isnan(self.values))

    def __len__(self) -> int:
        return int(np.count_nonzero(~np.isnan(self.values)))

    def __iter__(self) -> Iterator[int]:
        return iter(self.present().tolist())

    def __getitem__(self, a: int) -> float:
        if not isinstance(a, int | np.integer) or not 0 <= a < len(self.values) or np.isnan(self.values[a]):
            raise KeyError(a)
        return float(self.values[a])


@dataclass(slots=True)
class Dataset:
    """Items and annotations of one or more label files, as parallel arrays.

    Built-in rules work on whole arrays; `annotations()` gives a per-record view for plugins.
    Boxes are `x, y, w, h` in pixels, or in [0, 1] units for items whose `item_normalized` is
    set (YOLO without image sizes). Rows without a box (classification, NER) hold NaN.
    """

    files: list[SourceFile] = field(default_factory=list)
    classes: list[ClassRef] = field(default_factory=list)
    # What reading left out, said once to the user (files no reader claims); set by read_dataset.
    notes: list[str] = field(default_factory=list)
    # items
    item_ids: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    # The item's file name (None: it has none); empty list when no item has one (filled in when datasets merge).
    item_names: list[str | None] = field(default_factory=list)
    item_file: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    item_line: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    item_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    item_width: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    item_height: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    item_normalized: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    # The item's text for text tasks (classification, NER); empty list when no item has text.
    item_text: list[str | None] = field(default_factory=list)
    # Sparse, by item: the question an item's labels answer beyond its content (a Prodigy binary
    # answer's task, the media a Label Studio task's regions are on). Items with the same content
    # but different tasks are different questions (LL303 compares only the same question).
    item_task: dict[int, str] = field(default_factory=dict)
    # Sparse, by item: who answered an item that carries no annotation (a Prodigy reject).
    item_annotator: dict[int, str] = field(default_factory=dict)
    # Sparse, by item: why the item's labels are not known in full (a COCO image list with no
    # annotations at all, a shape dropped for want of a label). Its few or no labels are not an
    # answer, so LL303 does not compare them.
    item_labels_unknown: dict[int, str] = field(default_factory=dict)
    # annotations
    ann_ids: np.ndarray = field(default_factory=lambda: np.empty(0, object))
    ann_item: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    ann_class: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    ann_box: np.ndarray = field(default_factory=lambda: np.empty((0, 4), np.float64))
    ann_file: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    ann_line: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    ann_index: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    # Character offsets [start, end) of text spans (NER); -1 where the annotation is no span.
    # An empty array means no annotation has a span (it is filled in when datasets merge).
    ann_span: np.ndarray = field(default_factory=lambda: np.empty((0, 2), np.int64))
    # Who made each annotation: an index into `annotators`, -1 when the source does not say.
    ann_annotator: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    annotators: list[str] = field(default_factory=list)
    # Sparse per-annotation data, keyed by annotation index.
    ann_attributes: dict[int, dict[str, Any]] = field(default_factory=dict)
    # A dict, or (COCO) segmentation.columns.SegmentationColumns: the polygons already as flat arrays.
    ann_segmentation: Mapping[int, Any] = field(default_factory=dict)
    # The text a span says it covers, as written in the file (checked against the offsets).
    ann_text: dict[int, str] = field(default_factory=dict)
    # Keypoints as written ([x, y, v, ...]), for pose labels.
    ann_keypoints: dict[int, list[float]] = field(default_factory=dict)
    # The area a source stores beside a segmentation (COCO `area`), checked against it by LL208.
    ann_area: Mapping[int, float] = field(default_factory=dict)  # a dict, or DenseValues (COCO)
    # What the format itself records about an annotation beside its label attributes (CVAT shape
    # kind, z_order, track id; KITTI's 3D fields): kept for diff and plugins, never checked as attributes.
    ann_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    # References that did not resolve: annotation index -> the raw value written in the file.
    unresolved_item: dict[int, Any] = field(default_factory=dict)
    unresolved_class: dict[int, Any] = field(default_factory=dict)
    issues: list[ReaderIssue] = field(default_factory=list)

    @property
    def n_items(self) -> int:
        return len(self.item_file)

    @property
    def n_annotations(self) -> int:
        return len(self.ann_item)

    def spans(self) -> np.ndarray:
        """(n, 2) span offsets, -1 rows for annotations without a span."""
        if len(self.ann_span) == self.n_annotations:
            return self.ann_span
        return np.full((self.n_annotations, 2), -1, np.int64)

    def annotator_index(self) -> np.ndarray:
        """Annotator index per annotation, -1 where unknown."""
        if len(self.ann_annotator) == self.n_annotations:
            return self.ann_annotator
        return np.full(self.n_annotations, -1, np.int32)

    def text_of(self, item: int) -> str | None:
        return self.item_text[item] if self.item_text else None

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.classes]

    # ----------------------------------------------------------------- provenance
    def item_location(self, i: int) -> Location:
        """Where item `i` is written, with its id as the source writes it."""
        src = self.files[int(self.item_file[i])]
        line = int(self.item_line[i]) or None
        pointer = f"{src.item_pointer}/{int(self.item_index[i])}" if src.item_pointer else None
        if src.item_pointers is not None:
            pointer = src.item_pointers[int(self.item_index[i])]
        return Location(path=src.path, line=line, pointer=pointer, item=str(self.item_ids[i]))

    def annotation_location(self, a: int) -> Location:
        """Where annotation `a` is written, with its own and its item's source ids."""
        src = self.files[int(self.ann_file[a])]
        line = int(self.ann_line[a]) or None
        pointer = None
        if src.annotation_pointer is not None:
            pointer = f"{src.annotation_pointer}/{int(self.ann_index[a])}"
        if src.annotation_pointers is not None:
            pointer = src.annotation_pointers[int(self.ann_index[a])]
        item = int(self.ann_item[a])
        item_id = str(self.item_ids[item]) if item >= 0 else _raw(self.unresolved_item.get(a))
        ann_id = self.ann_ids[a] if len(self.ann_ids) else None
        return Location(
            path=src.path,
            line=line,
            pointer=pointer,
            item=item_id,
            annotation=None if ann_id is None else str(ann_id),
        )

    def annotation_identity(self, a: int) -> str:
        """Stable identity of annotation `a`: its source id, else its item, class and rounded box
        (so fingerprints survive reformatting and reordering)."""
        item = int(self.ann_item[a])
        item_key = str(self.item_ids[item]) if item >= 0 else _raw(self.unresolved_item.get(a))
        ann_id = self.ann_ids[a] if len(self.ann_ids) else None
        if ann_id is not None:
            return f"{item_key}#{ann_id}"
        cls = int(self.ann_class[a])
        cls_name = self.classes[cls].name if cls >= 0 else _raw(self.unresolved_class.get(a))
        if len(self.ann_span) == self.n_annotations and self.ann_span[a, 0] >= 0:
            return f"{item_key}#{cls_name}@{int(self.ann_span[a, 0])}:{int(self.ann_span[a, 1])}"
        box = ",".join(f"{v:.4g}" for v in self.ann_box[a])
        return f"{item_key}#{cls_name}@{box}"

    def class_name(self, a: int) -> str:
        """The class name of annotation `a` as written (or its unresolved raw reference)."""
        cls = int(self.ann_class[a])
        return self.classes[cls].name if cls >= 0 else _raw(self.unresolved_class.get(a))

    # ----------------------------------------------------------------- plugin view
    def annotations(self) -> Iterator[AnnotationView]:
        """One convenient object per annotation; slow, meant for plugin rules, not the hot path."""
        for a in range(self.n_annotations):
            yield AnnotationView(self, a)

    # ----------------------------------------------------------------- merging
    @classmethod
    def concat(cls, parts: Sequence[Dataset]) -> Dataset:
        """One dataset from several (files, items and classes re-indexed); order is kept."""
        parts = [p for p in parts if p is not None]
        if len(parts) == 1:
            return parts[0]
        out = cls()
        class_index: dict[ClassRef, int] = {}
        annotator_index: dict[str, int] = {}
        any_text = any(p.item_text for p in parts)
        any_names = any(p.item_names for p in parts)
        any_span = any(len(p.ann_span) for p in parts)
        item_arrays: dict[str, list[np.ndarray]] = {}
        ann_arrays: dict[str, list[np.ndarray]] = {}
        item_offset = ann_offset = file_offset = 0
        segmentations: list[tuple[Mapping[int, Any], int]] = []
        for part in parts:
            remap = np.empty(len(part.classes) + 1, np.int32)
            remap[-1] = -1  # index -1 (unresolved) stays -1
            for k, ref in enumerate(part.classes):
                remap[k] = class_index.setdefault(ref, len(class_index))
            annotator_remap = np.array(
                [annotator_index.setdefault(name, len(annotator_index)) for name in part.annotators] + [-1], np.int32
            )
            out.files.extend(part.files)
            if any_names:
                out.item_names.extend(part.item_names)
                out.item_names.extend([None] * (part.n_items - len(part.item_names)))
            if any_text:
                out.item_text.extend(part.item_text or [None] * part.n_items)
            if any_span:
                _collect(ann_arrays, "ann_span", part.spans())
            _collect(ann_arrays, "ann_annotator", annotator_remap[part.annotator_index()])
            _collect(item_arrays, "item_ids", part.item_ids)
            _collect(item_arrays, "item_file", part.item_file + file_offset)
            for name in ("item_line", "item_index", "item_width", "item_height", "item_normalized"):
                _collect(item_arrays, name, getattr(part, name))
            _collect(ann_arrays, "ann_ids", part.ann_ids)
            _collect(ann_arrays, "ann_item", np.where(part.ann_item >= 0, part.ann_item + item_offset, -1))
            _collect(ann_arrays, "ann_class", remap[part.ann_class])
            _collect(ann_arrays, "ann_file", part.ann_file + file_offset)
            for name in ("ann_box", "ann_line", "ann_index"):
                _collect(ann_arrays, name, getattr(part, name))
            for name in _SPARSE_BY_ANNOTATION:
                getattr(out, name).update({k + ann_offset: v for k, v in getattr(part, name).items()})
            segmentations.append((part.ann_segmentation, ann_offset))
            for name in _SPARSE_BY_ITEM:
                getattr(out, name).update({k + item_offset: v for k, v in getattr(part, name).items()})
            out.issues.extend(part.issues)
            item_offset += part.n_items
            ann_offset += part.n_annotations
            file_offset += len(part.files)
        out.ann_segmentation = combine(segmentations)
        out.classes = list(class_index)
        out.annotators = list(annotator_index)
        for name, arrays in {**item_arrays, **ann_arrays}.items():
            setattr(out, name, _concat_arrays(arrays))
        return out


# Dict fields keyed by annotation (or item) index, which concat shifts by the offsets (segmentations: combine).
_SPARSE_BY_ANNOTATION = (
    "ann_attributes",
    "ann_text",
    "ann_keypoints",
    "ann_area",
    "ann_fields",
    "unresolved_item",
    "unresolved_class",
)
_SPARSE_BY_ITEM = ("item_task", "item_annotator", "item_labels_unknown")


def _collect(store: dict[str, list[np.ndarray]], name: str, array: np.ndarray) -> None:
    store.setdefault(name, []).append(array)


def _concat_arrays(arrays: list[np.ndarray]) -> np.ndarray:
    # Integer ids from one file and string ids from another become one object array.
    if any(a.dtype == object for a in arrays) and not all(a.dtype == object for a in arrays):
        arrays = [a.astype(object) for a in arrays]
    same = _repeated_value(arrays)
    if same is not None:  # shards that all lack boxes stay without one value per row
        return repeated(same, (sum(len(a) for a in arrays), *arrays[0].shape[1:]), arrays[0].dtype)
    return np.concatenate(arrays)


def _repeated_value(arrays: list[np.ndarray]) -> np.ndarray | None:
    """The one element (as a 1-element array) of arrays that all repeat it in every cell, as `repeated`
    views do (same dtype and row shape; empty arrays add nothing), else None."""
    full = [a for a in arrays if a.size]
    if not full or any(a.dtype != arrays[0].dtype or a.shape[1:] != arrays[0].shape[1:] for a in arrays):
        return None
    if any(a.strides != (0,) * a.ndim for a in full):
        return None
    first = full[0].flat[0:1]
    if first.dtype == object:
        return first if all(a.flat[0] is first[0] for a in full) else None
    return first if all(a.flat[0:1].tobytes() == first.tobytes() for a in full) else None


def _raw(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(slots=True)
class AnnotationView:
    """A read-only view of one annotation for plugin rules."""

    dataset: Dataset
    index: int

    @property
    def id(self) -> str | None:
        value = self.dataset.ann_ids[self.index] if len(self.dataset.ann_ids) else None
        return None if value is None else str(value)

    @property
    def class_name(self) -> str:
        return self.dataset.class_name(self.index)

    @property
    def box(self) -> tuple[float, float, float, float] | None:
        box = self.dataset.ann_box[self.index]
        return None if np.isnan(box).all() else tuple(float(v) for v in box)

    @property
    def attributes(self) -> dict[str, Any]:
        return self.dataset.ann_attributes.get(self.index, {})

    @property
    def item_id(self) -> str:
        return self.dataset.annotation_location(self.index).item or ""

    @property
    def location(self) -> Location:
        return self.dataset.annotation_location(self.index)


def empty_dataset(source: SourceFile) -> Dataset:
    """A dataset with one file and nothing in it (a file that could not be read)."""
    return Dataset(files=[source])
