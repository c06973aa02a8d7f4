"""Polygons and RLE masks of every annotation as flat arrays, decoded once and shared by LL207/LL208."""

from __future__ import annotations

import numpy as np

from labellint.rules.base import RuleContext
from labellint.segmentation.columns import SegmentationColumns
from labellint.segmentation.flatten import Segmentations, decode_compressed_counts, decode_rle, flatten

__all__ = ["Segmentations", "decode_compressed_counts", "decode_rle", "segmentations"]

# Edge pairs are tested in chunks so one huge polygon cannot blow up memory.
PAIR_CHUNK = 2_000_000


def segmentations(context: RuleContext) -> Segmentations:
    """The dataset's segmentations, flattened once per run (cached for the other rule)."""
    if "segmentations" not in context.cache:
        values = context.dataset.ann_segmentation
        # Readers that parsed their polygons into columns hand over the arrays; others are flattened here.
        context.cache["segmentations"] = values.flat if isinstance(values, SegmentationColumns) else flatten(values)
    return context.cache["segmentations"]


def rle_area_and_box(height: int, width: int, runs: np.ndarray) -> tuple[int, tuple[float, float, float, float] | None]:
    """Foreground pixels of a mask, and its tight box [x, y, w, h] (None when empty)."""
    ends = np.cumsum(runs)
    starts = ends - runs
    start, end = starts[1::2], ends[1::2]  # foreground runs: every second run
    keep = end > start
    start, end = start[keep], end[keep] - 1  # inclusive last pixel
    area = int((end - start + 1).sum())
    if not area or height == 0:
        return area, None
    first_col, last_col = start // height, end // height
    spans_columns = first_col != last_col
    top = np.where(spans_columns, 0, start % height).min()
    bottom = np.where(spans_columns, height - 1, end % height).max()
    x0, x1 = int(first_col.min()), int(last_col.max())
    return area, (float(x0), float(top), float(x1 - x0 + 1), float(bottom - top + 1))


def part_areas(seg: Segmentations) -> np.ndarray:
    """Shoelace area of every part (absolute)."""
    if not len(seg.part_size):
        return np.empty(0)
    x, y = seg.points[:, 0], seg.points[:, 1]
    cross = x * _following_values(seg, y) - _following_values(seg, x) * y
    used = seg.part_size > 0
    if used.all():
        return np.abs(np.add.reduceat(cross, seg.part_start)) / 2
    # reduceat reads an empty part as the next part's first value (or past the end): empty parts
    # (`[]` in a COCO segmentation; LL207 names them) have no area and are left out of the sums.
    areas = np.zeros(len(seg.part_size))
    if used.any():
        areas[used] = np.abs(np.add.reduceat(cross, seg.part_start[used])) / 2
    return areas


def _following_values(seg: Segmentations, values: np.ndarray) -> np.ndarray:
    """values[next_point(seg)], as a shift by one with each part's last point given its first point's
    value: the same numbers without a gather from all over the array per point."""
    out = np.empty_like(values)
    out[:-1] = values[1:]
    start, size = _nonempty_parts(seg)
    out[start + size - 1] = values[start]
    return out


def _nonempty_parts(seg: Segmentations) -> tuple[np.ndarray, np.ndarray]:
    """Start and size of the parts with points: an empty part's `start + size - 1` is the point
    before it, another part's last point, whose wrap-around it must not overwrite."""
    if seg.part_size.all():
        return seg.part_start, seg.part_size
    used = seg.part_size > 0
    return seg.part_start[used], seg.part_size[used]


def next_point(seg: Segmentations) -> np.ndarray:
    """Index of the point after each point, wrapping around inside its part."""
    following = np.arange(1, len(seg.points) + 1)
    start, size = _nonempty_parts(seg)
    following[start + size - 1] = start
    return following


def part_extents(seg: Segmentations) -> np.ndarray:
    """(parts, 4) min x, min y, max x, max y of every part."""
    if not len(seg.part_size):
        return np.empty((0, 4))
    used = seg.part_size > 0
    if not used.all():  # an empty part has no extent (NaN); the others as below
        extents = np.full((len(seg.part_size), 4), np.nan)
        if used.any():
            extents[used] = _extents(seg.points, seg.part_start[used])
        return extents
    return _extents(seg.points, seg.part_start)


def _extents(points: np.ndarray, starts: np.ndarray) -> np.ndarray:
    x, y = points[:, 0], points[:, 1]
    return np.stack(
        [
            np.minimum.reduceat(x, starts),
            np.minimum.reduceat(y, starts),
            np.maximum.reduceat(x, starts),
            np.maximum.reduceat(y, starts),
        ],
        axis=1,
    )
