"""Shared building blocks of the image readers (CVAT, LabelMe, KITTI, box tables): one columnar builder."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset
from labellint.readers._text import TextBuilder
from labellint.readers.base import issue

NO_BOX = (np.nan, np.nan, np.nan, np.nan)


@dataclass(slots=True)
class ShapeBuilder(TextBuilder):
    """A TextBuilder for images: no item text, declared classes kept, format fields per annotation."""

    # Boxes are the rule here, so they are kept dense (NaN rows for shapes without one).
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    # Classes the file declares (CVAT <meta><labels>, a names file), used or not, in their order.
    declared: list[str] = field(default_factory=list)
    shared_ids: bool = False
    # Boxes added as whole arrays (a table's columns), in order, before the rows of `boxes`.
    box_blocks: list[np.ndarray] = field(default_factory=list)

    def declare(self, name: str) -> None:
        if name not in self.classes:
            self.classes[name] = len(self.classes)
            self.declared.append(name)

    def add_shape(
        self,
        item: int,
        label: str,
        box: tuple[float, float, float, float] | None,
        line: int,
        fields: dict[str, Any] | None = None,
        attributes: dict[str, Any] | None = None,
        ann_id: Any = None,
        segmentation: Any = None,
        index: int = 0,
    ) -> int:
        """One annotation; `box` is x, y, w, h in pixels or None (a tag, a polyline, points).

        The appends of `add_annotation` for a shape (no span, text or annotator), written out:
        this runs once per shape of exports with millions of them.
        """
        a = len(self.ann_item)
        classes = self.classes
        self.ann_item.append(item)
        self.ann_class.append(classes[label] if label in classes else classes.setdefault(label, len(classes)))
        self.ann_start.append(-1)
        self.ann_end.append(-1)
        self.ann_line.append(line)
        self.ann_index.append(index)
        self.ann_ids.append(ann_id)
        self.ann_annotator.append(-1)
        self.boxes.append(NO_BOX if box is None else box)
        if attributes:
            self.ann_attributes[a] = attributes
        if segmentation is not None:
            self.ann_segmentation[a] = segmentation
        if fields:
            self.ann_fields[a] = fields
        return a

    def add_items(self, ids: list[str], lines: Any) -> None:
        """Many image items at once (named by their ids, no size): the hot path of image tables."""
        n = len(ids)
        self.item_ids.extend(ids)
        self.item_names.extend(ids)
        self.item_text.extend([None] * n)
        self.item_line.extend(lines)
        self.item_index.extend([0] * n)
        self.item_width.extend([np.nan] * n)
        self.item_height.extend([np.nan] * n)

    def add_boxes(self, items: Any, labels: list[str], boxes: list[tuple] | np.ndarray, lines: Any) -> None:
        """Many plain boxes (no fields, attributes or ids) at once: the hot path of box tables.

        `boxes` may be an (n, 4) array (x, y, w, h; NaN rows: no box), kept as it is.
        """
        n = len(items)
        classes = self.classes
        for label in dict.fromkeys(labels):  # new classes numbered in the order they first appear
            classes.setdefault(label, len(classes))
        self.ann_class.extend(map(classes.__getitem__, labels))
        self.ann_item.extend(items)
        self.ann_line.extend(lines)
        if isinstance(boxes, np.ndarray):
            self.box_blocks.extend([self._box_rows(), boxes.reshape(n, 4)])
            self.boxes = []
        else:
            self.boxes.extend(boxes)
        self.ann_start.extend([-1] * n)
        self.ann_end.extend([-1] * n)
        self.ann_index.extend([0] * n)
        self.ann_ids.extend([None] * n)
        self.ann_annotator.extend([-1] * n)

    def _box_rows(self) -> np.ndarray:
        # One pass over the flat numbers: asarray on a list of tuples inspects every tuple (a
        # third of a big CVAT export's build time).
        n = len(self.boxes)
        return np.fromiter(chain.from_iterable(self.boxes), np.float64, count=4 * n).reshape(n, 4)

    def problem(self, message: str, line: int = 0, code: str = "LL002", **where: Any) -> None:
        self.issues.append(issue(code, message, self.source.path, line=line or None, **where))

    def build(self) -> Dataset:
        ds = TextBuilder.build(self)
        if all(text is None for text in ds.item_text):
            ds.item_text = []  # images: no item has text (an empty list says so to the rules)
        ds.ann_box = np.concatenate([*self.box_blocks, self._box_rows()]) if self.box_blocks else self._box_rows()
        ds.classes = [ClassRef(name) for name in self.classes]
        self.source.shared_item_ids = self.shared_ids
        return ds


def points_box(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float]:
    """The extent of some points as x, y, w, h."""
    x0, y0 = float(xs.min()), float(ys.min())
    return x0, y0, float(xs.max()) - x0, float(ys.max()) - y0


def parse_number(text: str | None) -> float | None:
    """A float from an attribute value, None when absent or not a number."""
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # math, not numpy: this runs per attribute
