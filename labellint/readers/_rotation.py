"""Turned rectangles (Label Studio and CVAT `rotation`) as the corners and envelope the geometry rules check."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np


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
    angle = np.radians(degrees)
    cos, sin = np.cos(angle), np.sin(angle)
    # Corners in drawing order: top-left, top-right, bottom-right, bottom-left, relative to the pivot.
    along = np.array([0.0, w, w, 0.0])
    across = np.array([0.0, 0.0, h, h])
    if about == "centre":
        along, across = along - w / 2, across - h / 2
        x, y = x + w / 2, y + h / 2
    xs, ys = x + along * cos - across * sin, y + along * sin + across * cos
    low_x, low_y = float(xs.min()), float(ys.min())
    return {
        "box": (low_x, low_y, float(xs.max()) - low_x, float(ys.max()) - low_y),
        "segmentation": [np.column_stack([xs, ys]).ravel().tolist()],
        "fields": {"rotation": degrees},
    }
