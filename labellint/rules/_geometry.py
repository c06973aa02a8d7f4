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
    """Per annotation: its image's width and height (1 for normalized items) and normalized flag;
    computed once per run (four box rules ask; callers only read them)."""
    if "geometry:item sizes" not in context.cache:
        context.cache["geometry:item sizes"] = _item_sizes(context)
    return context.cache["geometry:item sizes"]


def _item_sizes(context: RuleContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    order, blocks = _pair_positions(context)
    for first_pos, second_pos in blocks:
        yield order[first_pos], order[second_pos]


def _pair_positions(context: RuleContext) -> tuple[np.ndarray, Iterator[tuple[np.ndarray, np.ndarray]]]:
    """The boxed annotations on known items in order of item (`order`), and the blocks of
    `same_item_pairs` as positions in it."""
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
    blocks = ((first_pos, first_pos + 1 + offsets) for _block, first_pos, offsets in pair_blocks(counts, PAIR_CHUNK))
    return order, blocks


def reaching_pairs(context: RuleContext, limits: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The same-item pairs (first, second) whose IoU is at least the lowest of `limits` (NaN: no
    limit), with that IoU, in the order of `same_item_pairs`. Computed once per run for each lowest
    limit: LL205 and LL206 both ask (0.9 by default), and each keeps the pairs that reach its own
    per-pair limit, which is never below this one."""
    limited = limits[~np.isnan(limits)]
    floor = float(limited.min()) if len(limited) else math.nan
    key = f"geometry:pairs reaching {floor!r}"
    if key not in context.cache:
        context.cache[key] = _pairs_reaching(context, floor)
    return context.cache[key]


def _pairs_reaching(context: RuleContext, floor: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.empty(0, np.int64)
    found = [(empty, empty, np.empty(0, np.float64))]
    if math.isnan(floor):  # no limit: no pair can reach it
        return found[0]
    order, blocks = _pair_positions(context)
    # The boxes in the pairs' order (by item): a pair's two boxes are then near each other in
    # memory, where gathers by annotation would jump about the whole array, pair after pair.
    columns = tuple(column[order] for column in _columns(context))
    x, _, w, _ = columns
    for first, second in blocks:
        if floor > 0:
            # A positive IoU needs the boxes to overlap along x, which most pairs on an image do
            # not: this test is a third of the IoU's work, and the IoU is then taken on fewer pairs.
            # A pair it drops has an IoU of 0 or NaN in `pair_iou` (no overlap, or broken boxes).
            # (A sweep over the boxes in order of x, making only the overlapping pairs, measured slower.)
            with np.errstate(invalid="ignore", over="ignore"):
                overlap = np.minimum(x[first] + w[first], x[second] + w[second]) - np.maximum(x[first], x[second])
            first, second = first[overlap > 0], second[overlap > 0]
        iou = _iou(columns, first, second)
        reached = iou >= floor
        found.append((order[first[reached]], order[second[reached]], iou[reached]))
    first, second, iou = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return first, second, iou


def _columns(context: RuleContext) -> tuple[np.ndarray, ...]:
    """The boxes' x, y, width and height as contiguous arrays (gathers from them are fast)."""
    if "geometry:columns" not in context.cache:
        boxes = context.dataset.ann_box
        context.cache["geometry:columns"] = tuple(np.ascontiguousarray(boxes[:, k]) for k in range(4))
    return context.cache["geometry:columns"]


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
    return _iou(tuple(np.ascontiguousarray(boxes[:, k]) for k in range(4)), first, second)


def _iou(columns: tuple[np.ndarray, ...], first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """`pair_iou` from the boxes' columns (gathers from columns, no (n, 4) copies)."""
    x, y, w, h = columns
    ax, bx, ay, by = x[first], x[second], y[first], y[second]
    aw, bw, ah, bh = w[first], w[second], h[first], h[second]
    # Broken boxes (inf, NaN) give NaN here, which no limit reaches; the rules that own them report them.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ix = np.clip(np.minimum(ax + aw, bx + bw) - np.maximum(ax, bx), 0, None)
        iy = np.clip(np.minimum(ay + ah, by + bh) - np.maximum(ay, by), 0, None)
        inter = ix * iy
        union = aw * ah + bw * bh - inter
        return np.where(union > 0, inter / union, 0.0)


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
