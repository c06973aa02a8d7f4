"""Segmentations held as the shared flat arrays, read as a mapping {annotation index: value} where needed."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np

from labellint.segmentation.flatten import Segmentations, flatten_telling_odd

# Odd 64-bit constants for mixing coordinate bits into digests (any odd multipliers would do).
_MIX = tuple(np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5))


@dataclass(slots=True, eq=False)
class SegmentationColumns(Mapping[int, Any]):
    """The segmentations of a dataset's annotations, parsed once by the reader.

    Rules take `flat` (the arrays LL207/LL208 work on); everything else may read it as the sparse
    `{annotation: value}` mapping `Dataset.ann_segmentation` is: a polygon value is rebuilt from
    the arrays on demand (lists of floats), and values the arrays do not spell out whole (RLE masks,
    flat polygons, malformed data, parts with an odd number of coordinates) are kept as decoded.
    Nothing refers to the file's bytes, so the read buffer is freed once the reader is done.
    """

    flat: Segmentations
    keys: np.ndarray  # sorted annotation indexes that have a segmentation
    kept: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def from_values(cls, values: dict[int, Any]) -> SegmentationColumns:
        """Columns for segmentations given by annotation index (msgspec.Raw or decoded values)."""
        flat, not_whole = flatten_telling_odd(values)
        kept = {a: _as_data(values[a]) for a in sorted(not_whole)}
        keys = np.fromiter(values, np.int64, count=len(values))
        keys.sort()
        return cls(flat, keys, kept)

    @classmethod
    def concat(cls, pieces: Sequence[tuple[SegmentationColumns, int]]) -> SegmentationColumns:
        """One set of columns from pieces given with their annotation offsets (in increasing order)."""
        flats = [(piece.flat, offset) for piece, offset in pieces]
        sizes = np.concatenate([f.part_size for f, _ in flats]) if flats else np.empty(0, np.int64)
        starts = np.cumsum(sizes) - sizes
        flat = Segmentations(
            points=np.concatenate([f.points for f, _ in flats]).reshape(-1, 2) if flats else np.empty((0, 2)),
            part_start=starts.astype(np.int64),
            part_size=sizes,
            part_ann=np.concatenate([f.part_ann + offset for f, offset in flats]) if flats else np.empty(0, np.int64),
            part_number=np.concatenate([f.part_number for f, _ in flats]) if flats else np.empty(0, np.int64),
            odd_parts=[(a + offset, n, c) for f, offset in flats for a, n, c in f.odd_parts],
            malformed={a + offset: why for f, offset in flats for a, why in f.malformed.items()},
            rle={a + offset: mask for f, offset in flats for a, mask in f.rle.items()},
        )
        keys = np.concatenate([p.keys + offset for p, offset in pieces]) if pieces else np.empty(0, np.int64)
        kept = {a + offset: v for p, offset in pieces for a, v in p.kept.items()}
        return cls(flat, keys, kept)

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self) -> Iterator[int]:
        return iter(self.keys.tolist())

    def __contains__(self, a: object) -> bool:
        if not isinstance(a, int | np.integer):
            return False
        at = int(np.searchsorted(self.keys, a))
        return at < len(self.keys) and int(self.keys[at]) == a

    def __getitem__(self, a: int) -> Any:
        if a in self.kept:
            return self.kept[a]
        if a not in self:
            raise KeyError(a)
        flat = self.flat
        first, last = np.searchsorted(flat.part_ann, [a, a + 1]).tolist()
        starts, sizes = flat.part_start[first:last].tolist(), flat.part_size[first:last].tolist()
        return [flat.points[s : s + n].ravel().tolist() for s, n in zip(starts, sizes, strict=True)]

    def digests(self) -> np.ndarray:
        """A 64-bit digest of each segmentation, aligned with `keys`: the same numbers in the same
        parts give the same digest (vectorised over the points, no Python work per polygon)."""
        out = np.zeros(len(self.keys), np.uint64)
        flat = self.flat
        if len(flat.part_size):
            with np.errstate(over="ignore"):
                bits = np.ascontiguousarray(flat.points).view(np.uint64).reshape(-1, 2)
                within = np.arange(len(bits), dtype=np.uint64) - np.repeat(flat.part_start, flat.part_size).astype(
                    np.uint64
                )
                mixed = (bits[:, 0] * _MIX[0]) ^ (bits[:, 1] * _MIX[1]) ^ (within * _MIX[2])
                mixed ^= mixed >> np.uint64(29)
                mixed *= _MIX[3]
                padded = np.concatenate((mixed, np.zeros(1, np.uint64)))
                per_part = np.add.reduceat(padded, np.minimum(flat.part_start, len(mixed)))
                per_part[flat.part_size == 0] = 0  # reduceat gives an element, not 0, for an empty part
                per_part ^= flat.part_size.astype(np.uint64) * _MIX[1] + flat.part_number.astype(np.uint64) * _MIX[0]
                per_part *= _MIX[2]
                group = np.flatnonzero(np.diff(flat.part_ann, prepend=-1))
                per_ann = np.add.reduceat(per_part, group)
                out[np.searchsorted(self.keys, flat.part_ann[group])] = per_ann | np.uint64(1)  # never 0 ("none")
        if self.kept:
            where = np.searchsorted(self.keys, np.fromiter(self.kept, np.int64, count=len(self.kept)))
            hashed = np.fromiter(map(_value_hash, self.kept.values()), np.int64, count=len(self.kept))
            out[where] = hashed.view(np.uint64) | np.uint64(1)
        return out.view(np.int64)


class GrowingColumns:
    """Segmentation columns joined piece by piece as a reader makes them (pieces in annotation order,
    as `SegmentationColumns.concat` joins them): each array grows in place, so the pieces are not all
    held beside the joined arrays (at 10M polygons, points alone are gigabytes)."""

    def __init__(self) -> None:
        self.joined = SegmentationColumns.concat([])

    def add(self, piece: SegmentationColumns, offset: int) -> None:
        into, flat = self.joined.flat, piece.flat
        starts = np.cumsum(flat.part_size) - flat.part_size + len(into.points)
        for column, more in (
            (into.points, flat.points.reshape(-1, 2)),
            (into.part_start, starts),
            (into.part_size, flat.part_size),
            (into.part_ann, flat.part_ann + offset),
            (into.part_number, flat.part_number),
            (self.joined.keys, piece.keys + offset),
        ):
            n = len(column)
            # realloc: a large block's pages are moved by the kernel, not copied
            column.resize((n + len(more), *column.shape[1:]), refcheck=False)
            column[n:] = more
        into.odd_parts += [(a + offset, n, c) for a, n, c in flat.odd_parts]
        into.malformed.update((a + offset, why) for a, why in flat.malformed.items())
        into.rle.update((a + offset, mask) for a, mask in flat.rle.items())
        self.joined.kept.update((a + offset, v) for a, v in piece.kept.items())


def _value_hash(value: Any) -> int:
    return hash(bytes(value)) if isinstance(value, msgspec.Raw) else hash(repr(value))


def _as_data(value: Any) -> Any:
    """A kept value as Python data; raw JSON that no decoder reads (a number beyond a double) stays raw,
    copied out of the file's buffer so that the buffer can be freed."""
    if not isinstance(value, msgspec.Raw):
        return value
    try:
        return msgspec.json.decode(value)
    except msgspec.DecodeError:
        return msgspec.Raw(bytes(value))


def combine(parts: Sequence[tuple[Mapping[int, Any], int]]) -> Mapping[int, Any]:
    """`ann_segmentation` of datasets joined end to end (given with their annotation offsets): columns
    stay columns (a plain mapping is parsed into columns first); plain mappings alone stay a dict."""
    if not any(isinstance(values, SegmentationColumns) for values, _ in parts):
        return {a + offset: v for values, offset in parts for a, v in values.items()}
    pieces = [
        (values if isinstance(values, SegmentationColumns) else SegmentationColumns.from_values(dict(values)), offset)
        for values, offset in parts
        if len(values)
    ]
    return SegmentationColumns.concat(pieces)
