"""Shared building blocks of the image readers (CVAT, LabelMe, KITTI, box tables): one columnar builder."""

from __future__ import annotations

from dataclasses import dataclass, field
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
        *,
        fields: dict[str, Any] | None = None,
        **extra: Any,
    ) -> int:
        """One annotation; `box` is x, y, w, h in pixels or None (a tag, a polyline, points)."""
        a = self.add_annotation(item, label, line=line, **extra)
        self.boxes.append(NO_BOX if box is None else box)
        if fields:
            self.ann_fields[a] = fields
        return a

    def add_boxes(self, items: list[int], labels: list[str], boxes: list[tuple], lines: list[int]) -> None:
        """Many plain boxes (no fields, attributes or ids) at once: the hot path of box tables."""
        n = len(items)
        classes = self.classes
        self.ann_class.extend([classes[x] if x in classes else classes.setdefault(x, len(classes)) for x in labels])
        self.ann_item.extend(items)
        self.ann_line.extend(lines)
        self.boxes.extend(boxes)
        self.ann_start.extend([-1] * n)
        self.ann_end.extend([-1] * n)
        self.ann_index.extend([0] * n)
        self.ann_ids.extend([None] * n)
        self.ann_annotator.extend([-1] * n)

    def problem(self, message: str, line: int = 0, code: str = "LL002", **where: Any) -> None:
        self.issues.append(issue(code, message, self.source.path, line=line or None, **where))

    def build(self) -> Dataset:
        ds = TextBuilder.build(self)
        if all(text is None for text in ds.item_text):
            ds.item_text = []  # images: no item has text (an empty list says so to the rules)
        ds.ann_box = np.asarray(self.boxes, np.float64).reshape(len(self.boxes), 4)
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
    return value if np.isfinite(value) else None
