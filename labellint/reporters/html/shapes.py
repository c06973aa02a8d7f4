"""An annotation's geometry in image pixels, for drawing: its box, polygons and keypoints."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from labellint.model import Dataset
from labellint.readers.coco import decode_segmentation

# Roles a drawn annotation plays on its card, most important last (drawn on top).
OTHER, NEIGHBOUR, FLAGGED = "other", "neighbour", "flagged"


@dataclass(slots=True)
class Shape:
    """One annotation drawn on a card: a box (x, y, w, h), polygons and keypoints, in pixels."""

    annotation: int
    label: str
    role: str
    box: tuple[float, float, float, float] | None = None
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)
    keypoints: list[tuple[float, float]] = field(default_factory=list)

    def points(self) -> list[tuple[float, float]]:
        """Every drawn point (for the extent of the card's canvas)."""
        out = [p for polygon in self.polygons for p in polygon] + list(self.keypoints)
        if self.box is not None:
            x, y, w, h = self.box
            out += [(x, y), (x + w, y + h)]
        return out

    def svg_polygons(self) -> list[str]:
        """Each polygon as the `points` attribute of an SVG polygon."""
        return [" ".join(f"{x:.2f},{y:.2f}" for x, y in polygon) for polygon in self.polygons]


def shape_of(dataset: Dataset, a: int, role: str, scale: tuple[float, float]) -> Shape:
    """Annotation `a` in pixels; `scale` turns normalized units into pixels (1, 1 for pixel data)."""
    sx, sy = scale
    item = int(dataset.ann_item[a])
    normalized = item >= 0 and bool(dataset.item_normalized[item])
    fx, fy = (sx, sy) if normalized else (1.0, 1.0)
    shape = Shape(annotation=a, label=dataset.class_name(a), role=role)
    box = dataset.ann_box[a]
    if np.isfinite(box).all():
        shape.box = (float(box[0]) * fx, float(box[1]) * fy, float(box[2]) * fx, float(box[3]) * fy)
    segmentation = dataset.ann_segmentation.get(a)
    if segmentation is not None:
        shape.polygons = _polygons(decode_segmentation(segmentation), fx, fy)
    keypoints = dataset.ann_keypoints.get(a)
    if keypoints:
        shape.keypoints = _keypoints(keypoints, fx, fy)
    return shape


def _polygons(value, fx: float, fy: float) -> list[list[tuple[float, float]]]:
    """Plain polygons (COCO lists, YOLO-seg's flat list); RLE masks are drawn as their box only."""
    if not isinstance(value, list) or not value:
        return []
    rings = value if isinstance(value[0], list) else [value]
    out = []
    for ring in rings:
        if not isinstance(ring, list):
            continue
        numbers = [v for v in ring if isinstance(v, int | float) and math.isfinite(v)]
        points = [(numbers[i] * fx, numbers[i + 1] * fy) for i in range(0, len(numbers) - 1, 2)]
        if len(points) >= 2:
            out.append(points)
    return out


def _keypoints(values: list[float], fx: float, fy: float) -> list[tuple[float, float]]:
    """Visible keypoints (x, y, v with v > 0; pairs without a visibility flag count as visible)."""
    stride = 3 if len(values) % 3 == 0 else 2
    out = []
    for i in range(0, len(values) - 1, stride):
        x, y = values[i], values[i + 1]
        visible = stride == 2 or values[i + 2] > 0
        if visible and math.isfinite(x) and math.isfinite(y):
            out.append((x * fx, y * fy))
    return out
