"""CVAT shapes' geometry: a shape element's attributes as a box and extra fields (both CVAT walks share it)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from labellint.readers._rotation import rotated_box
from labellint.readers._shapes import parse_number, points_box

SHAPES = ("box", "polygon", "polyline", "points", "mask", "ellipse", "cuboid", "skeleton", "tag")
# Shape attributes that are the format's own, kept in `ann_fields` (never label attributes).
FIELDS = ("z_order", "group_id", "source", "rotation", "keyframe")


def read_shape(
    tag: str, attrib: dict[str, str], track: dict[str, Any] | None
) -> tuple[tuple[float, float, float, float] | None, dict[str, Any], Any] | str:
    """(box, format fields, polygon segmentation or None) of a shape with these XML attributes
    (`track`: the fields of the track it is a frame of), or a message saying what is wrong."""
    box = plain_box(attrib) if tag == "box" else None
    extra: dict[str, Any] = {}
    if box is None:
        found = geometry(tag, attrib)
        if isinstance(found, str):
            return found
        box, extra = found
    fields = {"shape": tag}
    for key in FIELDS:  # a loop, not a comprehension: a third less time on a million shapes
        if key in attrib:
            fields[key] = attrib[key]
    segmentation = None
    if extra:
        fields.update(extra)
        segmentation = fields.pop("polygon", None)
    if track:
        fields.update(track)
    if tag == "box" and "rotation" in attrib:
        degrees = parse_number(attrib["rotation"])
        if degrees is None:
            return f"a <box>'s `rotation` must be a number of degrees, not {attrib['rotation']!r}"
        # Turned about the box's centre: the corners are the polygon, their envelope the box.
        turned = rotated_box(*box, degrees, about="centre")
        box, segmentation = turned["box"], turned.get("segmentation")
    return box, fields, segmentation


def plain_box(attrib: dict[str, str]) -> tuple[float, float, float, float] | None:
    """A <box>'s x, y, w, h when its four corners are finite numbers (the common case, read with
    fewer calls), else None: `geometry` then reads it and says what is wrong."""
    try:
        a, b, c, d = float(attrib["xtl"]), float(attrib["ytl"]), float(attrib["xbr"]), float(attrib["ybr"])
    except (KeyError, ValueError):
        return None
    # One check for all four: a NaN or an infinity makes the sum one. (So does an overflow of
    # finite corners, which `geometry` then reads the same way.)
    return (a, b, c - a, d - b) if math.isfinite(a + b + c + d) else None


def geometry(tag: str, attrib: dict[str, str]) -> tuple[tuple[float, float, float, float] | None, dict[str, Any]] | str:
    """(box, extra fields) of a shape, or a message saying what is wrong with it."""
    get = attrib.get
    if tag in ("tag", "skeleton", "cuboid"):
        return None, {}  # image-level label; skeleton/cuboid geometry is kept out of the 2D box rules
    if tag in ("box", "mask", "ellipse"):
        keys = {
            "box": ("xtl", "ytl", "xbr", "ybr"),
            "mask": ("left", "top", "width", "height"),
            "ellipse": ("cx", "cy", "rx", "ry"),
        }[tag]
        numbers = [parse_number(get(k)) for k in keys]
        if any(n is None for n in numbers):
            missing = [k for k, n in zip(keys, numbers, strict=True) if n is None]
            return f"<{tag}> needs numeric {', '.join(missing)}"
        a, b, c, d = numbers
        if tag == "box":
            return (a, b, c - a, d - b), {}
        if tag == "ellipse":
            return (a - c, b - d, 2 * c, 2 * d), {}
        return (a, b, c, d), {"rle": get("rle", "")}
    coords = points(get("points"))
    if coords is None:
        return f"<{tag}> needs `points` as x,y pairs separated by `;`"
    if tag == "polygon":
        return points_box(coords[:, 0], coords[:, 1]), {"polygon": [coords.ravel().tolist()]}
    # A line or a set of points has no box (a one-point or straight extent would be "degenerate").
    return None, {"points": coords.ravel().tolist()}


def points(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    try:
        pairs = [tuple(map(float, pair.split(","))) for pair in text.strip().split(";")]
    except ValueError:
        return None
    if any(len(pair) != 2 for pair in pairs):
        return None
    return np.asarray(pairs, np.float64)
