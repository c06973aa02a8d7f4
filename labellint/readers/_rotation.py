"""Turned rectangles (Label Studio and CVAT `rotation`) as the corners and envelope the geometry rules check."""

from __future__ import annotations

import math
from typing import Any, Literal


def rotated_box(
    x: float, y: float, w: float, h: float, degrees: float, about: Literal["corner", "centre"] = "corner"
) -> dict[str, Any]:
    """A rectangle's geometry in pixels, turned `degrees` clockwise (image y points down) about
    its top-left corner (Label Studio: `x`, `y` are that corner before the turn) or its centre
    (CVAT for images 1.1: `xtl`..`ybr` are the unturned box). A turned one is kept as its four
    corners (the polygon) with their envelope as the box, so the geometry rules see the region
    the annotator drew; the angle is kept in `ann_fields["rotation"]`. A box without positive
    size is left unturned for LL202 to report."""
    if degrees % 360 == 0 or not (w > 0 and h > 0):
        return {"box": (x, y, w, h), "fields": {"rotation": degrees} if degrees else None}
    # Plain floats, not numpy: this runs once per turned box, and four corners are too few for arrays.
    angle = math.radians(degrees)
    cos, sin = math.cos(angle), math.sin(angle)
    # Corners in drawing order: top-left, top-right, bottom-right, bottom-left, relative to the pivot.
    offsets = ((0.0, 0.0), (w, 0.0), (w, h), (0.0, h))
    if about == "centre":
        offsets = tuple((dx - w / 2, dy - h / 2) for dx, dy in offsets)
        x, y = x + w / 2, y + h / 2
    xs = [x + dx * cos - dy * sin for dx, dy in offsets]
    ys = [y + dx * sin + dy * cos for dx, dy in offsets]
    low_x, low_y = min(xs), min(ys)
    return {
        "box": (low_x, low_y, max(xs) - low_x, max(ys) - low_y),
        "segmentation": [[c for corner in zip(xs, ys, strict=True) for c in corner]],
        "fields": {"rotation": degrees},
    }
