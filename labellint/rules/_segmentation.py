"""Polygons and RLE masks of every annotation as flat arrays, decoded once and shared by LL207/LL208."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from labellint.rules.base import RuleContext

# Edge pairs are tested in chunks so one huge polygon cannot blow up memory.
PAIR_CHUNK = 2_000_000


@dataclass(slots=True)
class Segmentations:
    """Every polygon part of every annotation, flattened: points, and per part where it starts."""

    points: np.ndarray  # (m, 2) x, y of every point of every valid part
    part_start: np.ndarray  # first point of each part in `points`
    part_size: np.ndarray  # number of points of each part
    part_ann: np.ndarray  # annotation index of each part
    part_number: np.ndarray  # 0-based number of the part inside its annotation's segmentation
    # Parts that are not x, y pairs: (annotation, part number, number of coordinates).
    odd_parts: list[tuple[int, int, int]] = field(default_factory=list)
    # Annotations whose segmentation is neither polygons nor an RLE mask: the reason.
    malformed: dict[int, str] = field(default_factory=dict)
    # RLE masks: annotation -> (height, width, run lengths starting with background).
    rle: dict[int, tuple[int, int, np.ndarray]] = field(default_factory=dict)


def segmentations(context: RuleContext) -> Segmentations:
    """The dataset's segmentations, flattened once per run (cached for the other rule)."""
    if "segmentations" not in context.cache:
        context.cache["segmentations"] = _flatten(context.dataset.ann_segmentation)
    return context.cache["segmentations"]


def _decode_all(values: dict[int, Any]) -> dict[int, Any]:
    """Undecoded JSON (msgspec.Raw, kept by readers) decoded in one call rather than one per record."""
    raw = [(a, v) for a, v in values.items() if isinstance(v, msgspec.Raw)]
    out = {a: v for a, v in values.items() if not isinstance(v, msgspec.Raw)}
    if raw:
        decoded = msgspec.json.decode(b"[" + b",".join(bytes(v) for _, v in raw) + b"]")
        out.update(zip((a for a, _ in raw), decoded, strict=True))
    return out


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def _flatten(values: dict[int, Any]) -> Segmentations:
    parts: list[list[float]] = []
    part_ann: list[int] = []
    part_number: list[int] = []
    odd: list[tuple[int, int, int]] = []
    malformed: dict[int, str] = {}
    rle: dict[int, tuple[int, int, np.ndarray]] = {}
    for a, value in sorted(_decode_all(values).items()):
        if isinstance(value, dict):
            mask = decode_rle(value)
            if isinstance(mask, str):
                malformed[a] = mask
            else:
                rle[a] = mask
            continue
        if not isinstance(value, list) or not value:
            malformed[a] = f"segmentation must be polygons or an RLE mask, found {type(value).__name__}"
            continue
        # YOLO writes one flat polygon; COCO a list of polygons.
        candidates = [value] if all(_is_number(v) for v in value) else value
        for number, part in enumerate(candidates):
            if not isinstance(part, list) or not all(_is_number(v) for v in part):
                malformed[a] = f"polygon {number + 1} is not a list of numbers"
                break
            if len(part) % 2:
                odd.append((a, number, len(part)))
                continue
            parts.append(part)
            part_ann.append(a)
            part_number.append(number)
    sizes = np.fromiter((len(p) // 2 for p in parts), np.int64, count=len(parts))
    flat = np.fromiter(itertools.chain.from_iterable(parts), np.float64, count=int(sizes.sum()) * 2)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])) if len(sizes) else np.empty(0, np.int64)
    return Segmentations(
        points=flat.reshape(-1, 2),
        part_start=starts.astype(np.int64),
        part_size=sizes,
        part_ann=np.asarray(part_ann, np.int64),
        part_number=np.asarray(part_number, np.int64),
        odd_parts=odd,
        malformed=malformed,
        rle=rle,
    )


def decode_rle(value: dict[str, Any]) -> tuple[int, int, np.ndarray] | str:
    """(height, width, runs) of a COCO RLE mask, or why it is invalid. Runs alternate background
    and foreground starting with background, in column-major pixel order."""
    size, counts = value.get("size"), value.get("counts")
    if not (isinstance(size, list) and len(size) == 2 and all(type(v) is int and v >= 0 for v in size)):
        return f"RLE `size` must be [height, width], found {size!r}"
    if isinstance(counts, str):
        runs = decode_compressed_counts(counts)
        if isinstance(runs, str):
            return runs
    elif isinstance(counts, list) and all(type(v) is int for v in counts):
        runs = np.asarray(counts, np.int64)
    else:
        return "RLE `counts` must be a list of integers or a compressed string"
    if (runs < 0).any():
        return "RLE `counts` has a negative run length"
    height, width = size
    if int(runs.sum()) != height * width:
        return f"RLE runs cover {int(runs.sum())} pixels, but `size` {height}x{width} has {height * width}"
    return height, width, runs


def decode_compressed_counts(text: str) -> np.ndarray | str:
    """Run lengths of COCO's compressed RLE string.

    Each value is written in 5-bit groups, least significant first, as characters offset by 48;
    bit 0x20 of a group says another group follows, bit 0x10 of the last group is the sign.
    From the third value on, a value is stored as the difference to the value two places back.
    """
    runs: list[int] = []
    value = shift = 0
    for char in text:
        group = ord(char) - 48
        if not 0 <= group < 64:
            return f"RLE `counts` has a character outside the compressed alphabet: {char!r}"
        value |= (group & 0x1F) << shift
        shift += 5
        if group & 0x20:
            continue
        if group & 0x10:
            value -= 1 << shift  # sign-extend the last group
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
        value = shift = 0
    if shift:
        return "RLE `counts` ends in the middle of a value"
    return np.asarray(runs, np.int64)


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
    following = next_point(seg)
    cross = x * y[following] - x[following] * y
    return np.abs(np.add.reduceat(cross, seg.part_start)) / 2


def next_point(seg: Segmentations) -> np.ndarray:
    """Index of the point after each point, wrapping around inside its part."""
    following = np.arange(1, len(seg.points) + 1)
    last = seg.part_start + seg.part_size - 1
    following[last] = seg.part_start
    return following


def part_extents(seg: Segmentations) -> np.ndarray:
    """(parts, 4) min x, min y, max x, max y of every part."""
    if not len(seg.part_size):
        return np.empty((0, 4))
    x, y = seg.points[:, 0], seg.points[:, 1]
    return np.stack(
        [
            np.minimum.reduceat(x, seg.part_start),
            np.minimum.reduceat(y, seg.part_start),
            np.maximum.reduceat(x, seg.part_start),
            np.maximum.reduceat(y, seg.part_start),
        ],
        axis=1,
    )
