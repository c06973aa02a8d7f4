"""Vectorised box helpers shared by the geometry rules: sizes, thresholds, same-item pairs."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from labellint.rules.base import RuleContext
from labellint.spec.model import Geometry

# Pairs are generated in chunks so a crowded image cannot blow up memory.
PAIR_CHUNK = 2_000_000


def has_box(context: RuleContext) -> np.ndarray:
    """Annotations that carry a box and belong to a known item."""
    ds = context.dataset
    return ~np.isnan(ds.ann_box).all(axis=1) & (ds.ann_item >= 0)


def item_sizes(context: RuleContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per annotation: its image's width and height (1 for normalized items) and normalized flag."""
    ds = context.dataset
    item = np.where(ds.ann_item >= 0, ds.ann_item, 0)
    if ds.n_items == 0:
        empty = np.full(ds.n_annotations, np.nan)
        return empty, empty.copy(), np.zeros(ds.n_annotations, bool)
    normalized = ds.item_normalized[item]
    width = np.where(normalized, 1.0, ds.item_width[item])
    height = np.where(normalized, 1.0, ds.item_height[item])
    return width, height, normalized


def class_setting(context: RuleContext, field: str, default: Any = None) -> list[Any]:
    """A geometry setting per dataset class index, plus one last entry for unknown classes."""
    spec = context.spec
    key = f"geometry:{field}"
    if key in context.cache:
        return context.cache[key]
    values: list[Any] = []
    for ref in context.dataset.classes:
        values.append(_setting(spec.class_geometry(spec.resolve_class(ref.name) or ref.name), field) if spec else None)
    values.append(_setting(spec.geometry, field) if spec else None)
    values = [default if v is None else v for v in values]
    context.cache[key] = values
    return values


def _setting(geometry: Geometry, field: str) -> Any:
    if field == "tolerance":
        return geometry.inside_image.tolerance if geometry.inside_image else None
    return getattr(geometry, field)


def per_annotation(context: RuleContext, field: str, default: float = np.nan) -> np.ndarray:
    """A numeric geometry setting looked up for every annotation by its class (NaN = none)."""
    values = np.array([default if v is None else v for v in class_setting(context, field, default)], np.float64)
    return values[context.dataset.ann_class]  # index -1 picks the dataset-wide default


def same_item_pairs(context: RuleContext) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All pairs (i, j), i < j, of boxed annotations on the same item, in blocks of about PAIR_CHUNK
    pairs (the order is that of one list): a 10M-box dataset has some 50M pairs, too many to hold."""
    if "pair_positions" not in context.cache:
        ds = context.dataset
        candidates = np.flatnonzero(has_box(context))
        order = candidates[np.argsort(ds.ann_item[candidates], kind="stable")]
        items = ds.ann_item[order]
        # For each position, the end of its item's run: partners are the positions after it.
        boundaries = np.flatnonzero(np.diff(items)) + 1
        run_end = np.repeat(np.append(boundaries, len(order)), np.diff(np.concatenate(([0], boundaries, [len(order)]))))
        context.cache["pair_positions"] = (order, run_end - np.arange(len(order)) - 1)
    order, counts = context.cache["pair_positions"]
    for _block, first_pos, offsets in pair_blocks(counts, PAIR_CHUNK):
        yield order[first_pos], order[first_pos + 1 + offsets]


def pair_blocks(counts: np.ndarray, chunk: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Enumerates pairs (position i, its k-th partner) for `counts[i]` partners each, in blocks of
    about `chunk` pairs (at least one position per block) so memory stays bounded.

    Yields (block, first, offsets): the positions of the block, and per pair its position and k.
    """
    cumulative = np.cumsum(counts)
    start = 0
    while start < len(counts):
        base = cumulative[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(cumulative, base + chunk, side="right")))
        block = np.arange(start, min(stop, len(counts)))
        block_counts = counts[block]
        total = int(block_counts.sum())
        if total:
            first = np.repeat(block, block_counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(block_counts) - block_counts, block_counts)
            yield block, first, offsets
        start = int(block[-1]) + 1


def pair_iou(boxes: np.ndarray, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """IoU of box pairs (xywh, continuous coordinates, no +1)."""
    x, y, w, h = (np.ascontiguousarray(boxes[:, k]) for k in range(4))  # gathers from columns, no (n, 4) copies
    ax, bx, ay, by = x[first], x[second], y[first], y[second]
    aw, bw, ah, bh = w[first], w[second], h[first], h[second]
    # Broken boxes (inf, NaN) give NaN here, which no limit reaches; the rules that own them report them.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ix = np.clip(np.minimum(ax + aw, bx + bw) - np.maximum(ax, bx), 0, None)
        iy = np.clip(np.minimum(ay + ah, by + bh) - np.maximum(ay, by), 0, None)
        inter = ix * iy
        union = aw * ah + bw * bh - inter
        return np.where(union > 0, inter / union, 0.0)


# Slack on the area-ratio bound, far above the rounding of the IoU arithmetic on the boxes it applies to.
_RATIO_SLACK = 1e-6


def may_reach_iou(boxes: np.ndarray, first: np.ndarray, second: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Which pairs can have IoU >= `limit` (per pair): IoU <= min(area) / max(area), so a pair of
    very different sizes cannot, and `pair_iou` need not look at it. Only pairs of plain boxes
    (finite, positive size, not tiny next to their coordinates, where rounding stays negligible)
    are ruled out; every other pair is kept for the exact test."""
    # Only the pairs' own boxes are looked at: callers pass blocks of pairs, and a pass over every
    # box per block would cost more than the block.
    plain_first, a = _plain_and_area(boxes[first])
    plain_second, b = _plain_and_area(boxes[second])
    with np.errstate(invalid="ignore"):
        too_different = np.minimum(a, b) < limit * (1 - _RATIO_SLACK) * np.maximum(a, b)
    return ~(too_different & plain_first & plain_second)


def _plain_and_area(boxes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which boxes are plain (finite, positive size, not tiny next to their coordinates), and their areas."""
    x, y, w, h = (boxes[:, k] for k in range(4))
    area = w * h
    with np.errstate(invalid="ignore", over="ignore"):
        plain = (
            np.isfinite(boxes).all(axis=1)
            & np.isfinite(area)
            & (w > 0)
            & (h > 0)
            & (w >= _RATIO_SLACK * np.abs(x))
            & (h >= _RATIO_SLACK * np.abs(y))
        )
    return plain, area


def fmt_box(box: np.ndarray) -> str:
    """A box as a person reads it: [x, y, w, h] with few digits."""
    return "[" + ", ".join(f"{v:.4g}" for v in box) + "]"


def drawn_sides(context: RuleContext) -> tuple[np.ndarray, np.ndarray, dict[int, float]]:
    """Each box's width and height as drawn, and the turned ones' angles. A turned rectangle
    (a Label Studio or CVAT `rotation`; the readers keep its four corners as the polygon and
    their envelope as the box) is measured along its own sides: the envelope of a thin box
    turned 45 degrees is square, but the object is as thin as it was drawn. Out-of-bounds checks
    keep the envelope (where the pixels are); size and aspect rules take these sides."""
    if "geometry:drawn" in context.cache:  # LL203 and LL204 both ask
        return context.cache["geometry:drawn"]
    ds = context.dataset
    width, height = ds.ann_box[:, 2].copy(), ds.ann_box[:, 3].copy()
    turned: dict[int, float] = {}
    corners: list[list[float]] = []
    fields, polygons = ds.ann_fields, ds.ann_segmentation
    for a in [a for a, kept in fields.items() if "rotation" in kept]:  # the turned ones, found cheaply
        degrees = _degrees(fields[a]["rotation"])
        polygon = polygons.get(a) if degrees else None
        if type(polygon) is list and len(polygon) == 1 and len(polygon[0]) == 8:
            turned[a] = degrees
            corners.append(polygon[0][:6])
    if corners:
        x0, y0, x1, y1, x2, y2 = np.asarray(corners, np.float64).T
        at = np.fromiter(turned, np.int64, count=len(turned))
        width[at], height[at] = np.hypot(x1 - x0, y1 - y0), np.hypot(x2 - x1, y2 - y1)
    context.cache["geometry:drawn"] = width, height, turned
    return width, height, turned


def _degrees(value: Any) -> float:
    """A `rotation` field as degrees (CVAT keeps the attribute's text), 0 when unturned."""
    try:
        degrees = float(value)
    except (TypeError, ValueError):
        return 0.0
    return degrees if math.isfinite(degrees) and degrees % 360 else 0.0  # math: per box, scalar


def fmt_drawn(box: np.ndarray, sides: tuple[float, float], degrees: float | None) -> str:
    """A box as `fmt_box`, and for a turned one also the sides it was drawn with."""
    if degrees is None:
        return fmt_box(box)
    return f"{fmt_box(box)} (turned {degrees:g} degrees, drawn {sides[0]:.4g} x {sides[1]:.4g})"
