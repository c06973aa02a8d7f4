"""Shared building blocks of the text readers: a columnar builder and label-field parsing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile, ids_array

# Keys a classification record may name its labels under, in the order they are tried.
LABEL_KEYS = ("label", "labels", "accept", "cats", "category", "class")
SPAN_KEYS = ("spans", "entities")


@dataclass(slots=True)
class TextBuilder:
    """Collects items and annotations of one file as Python lists, then makes the arrays once."""

    source: SourceFile
    issues: list[ReaderIssue] = field(default_factory=list)
    item_ids: list[Any] = field(default_factory=list)
    item_names: list[str | None] = field(default_factory=list)
    item_text: list[str | None] = field(default_factory=list)
    item_task: dict[int, str] = field(default_factory=dict)
    item_annotator: dict[int, str] = field(default_factory=dict)
    item_labels_unknown: dict[int, str] = field(default_factory=dict)
    item_line: list[int] = field(default_factory=list)
    item_index: list[int] = field(default_factory=list)
    item_width: list[float] = field(default_factory=list)
    item_height: list[float] = field(default_factory=list)
    ann_ids: list[Any] = field(default_factory=list)
    ann_item: list[int] = field(default_factory=list)
    ann_class: list[int] = field(default_factory=list)
    # Boxes are rare in text files: kept sparse (annotation index -> box), NaN elsewhere.
    ann_box: dict[int, tuple[float, float, float, float]] = field(default_factory=dict)
    ann_start: list[int] = field(default_factory=list)
    ann_end: list[int] = field(default_factory=list)
    ann_line: list[int] = field(default_factory=list)
    ann_index: list[int] = field(default_factory=list)
    ann_annotator: list[int] = field(default_factory=list)
    ann_text: dict[int, str] = field(default_factory=dict)
    ann_attributes: dict[int, dict[str, Any]] = field(default_factory=dict)
    ann_segmentation: dict[int, Any] = field(default_factory=dict)
    # What the format records about an annotation beside its attributes (see Dataset.ann_fields).
    ann_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    annotators: dict[str, int] = field(default_factory=dict)

    def add_item(
        self,
        item_id: Any,
        text: str | None,
        line: int = 0,
        index: int = 0,
        name: str | None = None,
        width: float = np.nan,
        height: float = np.nan,
    ) -> int:
        self.item_ids.append(item_id)
        self.item_text.append(text)
        self.item_names.append(name)
        self.item_line.append(line)
        self.item_index.append(index)
        self.item_width.append(width)
        self.item_height.append(height)
        return len(self.item_ids) - 1

    def add_annotation(
        self,
        item: int,
        label: str,
        *,
        line: int = 0,
        index: int = 0,
        span: tuple[int, int] = (-1, -1),
        text: str | None = None,
        box: tuple[float, float, float, float] | None = None,
        ann_id: Any = None,
        annotator: str | None = None,
        attributes: dict[str, Any] | None = None,
        segmentation: Any = None,
    ) -> int:
        a = len(self.ann_item)
        self.ann_item.append(item)
        self.ann_class.append(self.classes.setdefault(label, len(self.classes)))
        self.ann_start.append(span[0])
        self.ann_end.append(span[1])
        if box is not None:
            self.ann_box[a] = box
        self.ann_line.append(line)
        self.ann_index.append(index)
        self.ann_ids.append(ann_id)
        self.ann_annotator.append(
            -1 if annotator is None else self.annotators.setdefault(annotator, len(self.annotators))
        )
        if text is not None:
            self.ann_text[a] = text
        if attributes:
            self.ann_attributes[a] = attributes
        if segmentation is not None:
            self.ann_segmentation[a] = segmentation
        return a

    def add_spans(
        self,
        item: int,
        starts: list[int],
        ends: list[int],
        labels: list[str],
        texts: list[str | None],
        line: int,
        annotator: str | None,
    ) -> None:
        """Many spans of one item at once (the hot path of NER files)."""
        first, n = len(self.ann_item), len(starts)
        classes = self.classes
        self.ann_class.extend([classes[x] if x in classes else classes.setdefault(x, len(classes)) for x in labels])
        self.ann_start.extend(starts)
        self.ann_end.extend(ends)
        self.ann_item.extend([item] * n)
        self.ann_line.extend([line] * n)
        self.ann_index.extend([0] * n)
        self.ann_ids.extend([None] * n)
        who = -1 if annotator is None else self.annotators.setdefault(annotator, len(self.annotators))
        self.ann_annotator.extend([who] * n)
        self.ann_text.update({first + k: t for k, t in enumerate(texts) if t is not None})

    def add_text_items(self, ids: list[Any], texts: list[str | None], lines: list[int], index: list[int]) -> None:
        """Many text items at once (no names, no image sizes)."""
        n = len(ids)
        self.item_ids.extend(ids)
        self.item_text.extend(texts)
        self.item_names.extend([None] * n)
        self.item_line.extend(lines)
        self.item_index.extend(index)
        self.item_width.extend([np.nan] * n)
        self.item_height.extend([np.nan] * n)

    def add_span_columns(
        self,
        *,
        items: list[int],
        labels: list[str],
        starts: list[int],
        ends: list[int],
        texts: list[str],
        lines: list[int],
        index: list[int],
    ) -> None:
        """Many spans of many items at once, column by column (no ids, no annotators)."""
        first, n = len(self.ann_item), len(items)
        classes = self.classes
        self.ann_class.extend([classes[x] if x in classes else classes.setdefault(x, len(classes)) for x in labels])
        self.ann_item.extend(items)
        self.ann_start.extend(starts)
        self.ann_end.extend(ends)
        self.ann_line.extend(lines)
        self.ann_index.extend(index)
        self.ann_ids.extend([None] * n)
        self.ann_annotator.extend([-1] * n)
        self.ann_text.update(zip(range(first, first + n), texts, strict=True))

    def build(self) -> Dataset:
        n_items, n_anns = len(self.item_ids), len(self.ann_item)
        ds = Dataset(files=[self.source], issues=self.issues)
        ds.classes = [ClassRef(name) for name in self.classes]
        ds.item_ids = ids_array(self.item_ids)
        ds.item_names = self.item_names
        ds.item_text = self.item_text
        ds.item_task = self.item_task
        ds.item_annotator = self.item_annotator
        ds.item_labels_unknown = self.item_labels_unknown
        ds.item_file = np.zeros(n_items, np.int32)
        ds.item_line = np.asarray(self.item_line, np.int32)
        ds.item_index = np.asarray(self.item_index, np.int32)
        ds.item_width = np.asarray(self.item_width, np.float64)
        ds.item_height = np.asarray(self.item_height, np.float64)
        ds.item_normalized = np.zeros(n_items, bool)
        ds.ann_ids = np.empty(n_anns, object)
        ds.ann_ids[:] = self.ann_ids
        ds.ann_item = np.asarray(self.ann_item, np.int32)
        ds.ann_class = np.asarray(self.ann_class, np.int32)
        ds.ann_box = np.full((n_anns, 4), np.nan)
        for a, box in self.ann_box.items():
            ds.ann_box[a] = box
        ds.ann_file = np.zeros(n_anns, np.int32)
        ds.ann_line = np.asarray(self.ann_line, np.int32)
        ds.ann_index = np.asarray(self.ann_index, np.int32)
        ds.ann_span = np.empty((n_anns, 2), np.int64)
        ds.ann_span[:, 0] = self.ann_start
        ds.ann_span[:, 1] = self.ann_end
        ds.ann_annotator = np.asarray(self.ann_annotator, np.int32)
        ds.annotators = list(self.annotators)
        ds.ann_text = self.ann_text
        ds.ann_attributes = self.ann_attributes
        ds.ann_segmentation = self.ann_segmentation
        ds.ann_fields = self.ann_fields
        return ds


def positive_labels(value: Any, threshold: float) -> list[str] | str:
    """Labels named by a classification field: a string, a list of strings, or a spaCy `cats`
    dict (labels scoring at or above `threshold`). A string result is an error message."""
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, dict):
        labels = []
        for name, score in value.items():
            if isinstance(score, bool) or not isinstance(score, int | float):
                return f"`cats` score of {name!r} must be a number, found {type(score).__name__}"
            if score >= threshold:
                labels.append(str(name))
        return labels
    if isinstance(value, list) and all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
        return [str(v) for v in value]
    return f"labels must be a string, a list of strings or a `cats` object, found {_kind(value)}"


def parse_span(value: Any) -> tuple[int, int, str, str | None] | str:
    """(start, end, label, stated text) of a span written as an object (Prodigy/spaCy: start,
    end, label, text; doccano: start_offset, end_offset) or a [start, end, label] list."""
    if isinstance(value, list):
        if len(value) < 3:
            return f"a span list must be [start, end, label], found {len(value)} values"
        start, end, label = value[0], value[1], value[2]
        text = None
    elif isinstance(value, dict):
        start = value.get("start", value.get("start_offset"))
        end = value.get("end", value.get("end_offset"))
        label = value.get("label")
        if label is None and isinstance(value.get("labels"), list) and value["labels"]:
            label = value["labels"][0]
        text = value.get("text")
    else:
        return f"a span must be an object or a [start, end, label] list, found {_kind(value)}"
    for name, number in (("start", start), ("end", end)):
        if isinstance(number, bool) or not isinstance(number, int):
            return f"span `{name}` must be an integer, found {_kind(number)}"
    if not isinstance(label, str) or not label:
        return f"span `label` must be a non-empty string, found {_kind(label)}"
    if text is not None and not isinstance(text, str):
        return f"span `text` must be a string, found {_kind(text)}"
    return start, end, label, text


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"string {value!r}" if len(value) < 40 else "a string"
    return {dict: "an object", list: "a list", bool: "a boolean"}.get(type(value), f"{type(value).__name__} {value!r}")
