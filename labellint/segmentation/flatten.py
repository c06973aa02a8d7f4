"""Segmentations flattened to arrays: polygons as one coordinate array with per-part offsets, RLE decoded."""

from __future__ import annotations

import gc
import itertools
from dataclasses import dataclass, field
from typing import Any

import msgspec
import numpy as np


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


# COCO segmentations as they almost always are: polygons (lists of numbers) or an RLE object. Validating
# the whole batch against this type in C is much faster than checking every number in Python.
_TYPED_BATCH = msgspec.json.Decoder(list[list[list[float]] | dict[str, Any]])
_TYPED_ONE = msgspec.json.Decoder(list[list[float]] | dict[str, Any])


@dataclass(slots=True)
class _Parts:
    """Valid polygon parts of some annotations: flat coordinates, x y pairs per part, owner and number."""

    coords: np.ndarray
    sizes: np.ndarray
    ann: np.ndarray
    number: np.ndarray


def _decode_typed(
    values: dict[int, Any],
) -> tuple[dict[int, list[list[float]]], dict[int, Any], dict[int, str]]:
    """Raw segmentations (msgspec.Raw, kept by readers) that are polygons or RLE objects, decoded with
    typed validation; everything else (already decoded values, odd data) decoded as plain JSON; and
    the ones JSON cannot decode at all (a number like 1e400 out of the float range): the reason."""
    raw_keys = [a for a, v in values.items() if isinstance(v, msgspec.Raw)]
    other = {a: v for a, v in values.items() if not isinstance(v, msgspec.Raw)}
    typed: dict[int, Any] = {}
    undecodable: dict[int, str] = {}
    if not raw_keys:
        return typed, other, undecodable
    collecting = gc.isenabled()
    gc.disable()  # millions of new lists, none cyclic: the collector would only rescan them
    try:
        try:
            # One JSON array built with a single copy: `[` + v1 + `,` + v2 ... + `]`.
            pieces = [b","] * (2 * len(raw_keys) + 1)
            pieces[0], pieces[-1] = b"[", b"]"
            pieces[1::2] = [values[a] for a in raw_keys]
            decoded = _TYPED_BATCH.decode(b"".join(pieces))
            typed.update(zip(raw_keys, decoded, strict=True))
        except msgspec.ValidationError:  # some record is odd: sort them out one by one
            for a in raw_keys:
                try:
                    typed[a] = _TYPED_ONE.decode(values[a])
                except msgspec.ValidationError:
                    try:
                        other[a] = msgspec.json.decode(values[a])
                    except msgspec.ValidationError:
                        undecodable[a] = _out_of_range(values[a])
    finally:
        if collecting:
            gc.enable()
    polygons = {a: v for a, v in typed.items() if isinstance(v, list)}
    other.update((a, v) for a, v in typed.items() if not isinstance(v, list))  # RLE objects
    return polygons, other, undecodable


_PARTS = msgspec.json.Decoder(list[msgspec.Raw])


def _out_of_range(value: msgspec.Raw) -> str:
    """Why a segmentation that is valid JSON still cannot be decoded: a number beyond the float range."""
    try:
        parts = _PARTS.decode(value)
    except msgspec.ValidationError:  # an RLE object or a bare number
        return "segmentation has a coordinate that is not a finite number"
    for number, part in enumerate(parts):
        try:
            msgspec.json.decode(part)
        except msgspec.ValidationError:
            if len(part) and bytes(part)[:1] != b"[":  # YOLO-style flat polygon: the bad number is the part
                return "polygon 1 has a coordinate that is not a finite number"
            return f"polygon {number + 1} has a coordinate that is not a finite number"
    return "segmentation has a coordinate that is not a finite number"


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


def flatten(values: dict[int, Any]) -> Segmentations:
    """Every segmentation in `values` (msgspec.Raw or decoded, by annotation index) as flat arrays."""
    return flatten_telling_odd(values)[0]


def flatten_telling_odd(values: dict[int, Any]) -> tuple[Segmentations, set[int]]:
    """The flat arrays, and the annotations they do not spell out whole: RLE masks, flat (YOLO)
    polygons, malformed values and polygons with a part left out for an odd number of coordinates."""
    parsed, odd_parsed, values = _parse_raw_polygons(values)
    polygons, other, undecodable = _decode_typed(values)
    fast, odd_fast = _flatten_typed(polygons)
    slow, odd, malformed, rle = _flatten_checked(other)
    malformed.update(undecodable)
    odd.extend(odd_fast)
    odd.extend(odd_parsed)
    odd.sort()
    not_whole = set(other) | set(undecodable) | {a for a, _, _ in odd}
    parts = _merge(_merge(parsed, fast), slow)
    sizes = parts.sizes
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])) if len(sizes) else np.empty(0, np.int64)
    return Segmentations(
        points=parts.coords.reshape(-1, 2),
        part_start=starts.astype(np.int64),
        part_size=sizes,
        part_ann=parts.ann,
        part_number=parts.number,
        odd_parts=odd,
        malformed=dict(sorted(malformed.items())),
        rle=dict(sorted(rle.items())),
    ), not_whole


def _flatten_typed(polygons: dict[int, list[list[float]]]) -> tuple[_Parts, list[tuple[int, int, int]]]:
    """Parts of segmentations already validated as lists of lists of floats, flattened without a Python
    loop per number; parts with an odd number of coordinates are set aside."""
    keys = np.fromiter(sorted(polygons), np.int64, count=len(polygons))
    per_ann = [polygons[a] for a in keys.tolist()]
    n_parts = np.fromiter(map(len, per_ann), np.int64, count=len(per_ann))
    parts = list(itertools.chain.from_iterable(per_ann))
    lengths = np.fromiter(map(len, parts), np.int64, count=len(parts))
    coords = np.fromiter(itertools.chain.from_iterable(parts), np.float64, count=int(lengths.sum()))
    ann = np.repeat(keys, n_parts)
    number = np.arange(len(parts), dtype=np.int64) - np.repeat(np.cumsum(n_parts) - n_parts, n_parts)
    return _even_parts(coords, lengths, ann, number)


def _even_parts(
    coords: np.ndarray, lengths: np.ndarray, ann: np.ndarray, number: np.ndarray
) -> tuple[_Parts, list[tuple[int, int, int]]]:
    """Parts given by their flat coordinates and lengths, with those of an odd length set aside."""
    odd_mask = (lengths % 2).astype(bool)
    odd = list(zip(ann[odd_mask].tolist(), number[odd_mask].tolist(), lengths[odd_mask].tolist(), strict=True))
    if odd:
        coords = coords[np.repeat(~odd_mask, lengths)]
    even = ~odd_mask
    return _Parts(coords, lengths[even] // 2, ann[even], number[even]), odd


# The raw-bytes parser: the bytes a list of lists of plain JSON numbers is made of (anything else, say a
# string, `null`, an object or `NaN`, sends the record down the decoding path).
_NUMBER_AND_SPACE_BYTES = b"0123456789-+.eE \t\r\n"
_ALLOWED_BYTES = _NUMBER_AND_SPACE_BYTES + b"[],"
_OPEN, _CLOSE, _COMMA = b"[],"
_BRACKETS_TO_SPACES = bytes.maketrans(b"[]", b"  ")
_ALLOWED_TABLE = np.zeros(256, bool)
_ALLOWED_TABLE[list(_ALLOWED_BYTES)] = True
_FLAT = msgspec.json.Decoder(list[float])
_NO_PARTS = _Parts(np.empty(0), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int64))


def _parse_raw_polygons(values: dict[int, Any]) -> tuple[_Parts, list[tuple[int, int, int]], dict[int, Any]]:
    """Raw segmentations that are lists of non-empty lists of JSON numbers, parsed from their bytes as one
    flat list of numbers (no Python list per polygon); returns their parts, their odd parts, and every
    other value, left for the decoding path.

    Safe because a msgspec.Raw is already valid JSON: with only brackets, commas, white space and number
    bytes in it, a record nested at most two deep whose outer list holds only lists is a list of lists of
    numbers, and with its brackets blanked the same msgspec float decoder reads the same numbers in the
    same order; the commas give each polygon's count. Records it cannot vouch for (empty or one-number
    polygons, anything else) and batches with a number beyond the float range go the old way.
    """
    keys = _raw_keys(values)
    for _attempt in range(3):  # passes after the first only after dropping records that are not plain polygons
        if not keys:
            return _NO_PARTS, [], values
        records = [values[a] for a in keys]
        text = bytearray(b",").join(records)
        eligible, lengths, part_record = _structure(text, records)
        if not eligible.all():
            keys = [a for a, fit in zip(keys, eligible.tolist(), strict=True) if fit]
            continue
        del records
        flat = text.translate(_BRACKETS_TO_SPACES)
        del text
        flat[0], flat[-1] = _OPEN, _CLOSE  # the first record's `[` and the last one's `]` enclose all numbers
        try:
            numbers = _FLAT.decode(flat)
        except msgspec.ValidationError:  # a number beyond the float range: LL207 words it, the old path
            return _NO_PARTS, [], values
        del flat
        if len(numbers) != int(lengths.sum()):  # cannot happen for valid JSON; never trust a miscount
            return _NO_PARTS, [], values
        coords = np.fromiter(numbers, np.float64, count=len(numbers))
        del numbers
        first_part = np.searchsorted(part_record, np.arange(len(keys)))
        number = np.arange(len(part_record), dtype=np.int64) - first_part[part_record]
        parts, odd = _even_parts(coords, lengths, np.asarray(keys, np.int64)[part_record], number)
        if len(keys) == len(values):
            return parts, odd, {}
        taken = set(keys)
        return parts, odd, {a: v for a, v in values.items() if a not in taken}
    return _NO_PARTS, [], values


def _raw_keys(values: dict[int, Any]) -> list[int]:
    """The annotations whose value is a msgspec.Raw, in order; without a Python loop in the usual case
    where readers kept every value raw and in annotation order."""
    if set(map(type, values.values())) == {msgspec.Raw}:
        keys = list(values)
        ordered = np.fromiter(keys, np.int64, count=len(keys))
        return keys if (np.diff(ordered) > 0).all() else sorted(keys)
    return sorted(a for a, v in values.items() if type(v) is msgspec.Raw)


def _structure(text: bytearray, records: list[msgspec.Raw]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For records joined by commas into `text`: which ones are lists of non-empty lists of numbers, and
    (meaningful when all are) the number count and record of every part."""
    eligible = np.ones(len(records), bool)
    # The brackets and commas alone, in order: with no strings around, they are the whole structure.
    structure = text.translate(None, _NUMBER_AND_SPACE_BYTES)
    if structure.translate(None, b"[],"):  # e.g. a string, whose brackets and commas are not structure
        sizes = np.fromiter(map(len, records), np.int64, count=len(records))
        stray = np.flatnonzero(~_ALLOWED_TABLE[np.frombuffer(text, np.uint8)])
        eligible[np.searchsorted(np.cumsum(sizes + 1), stray, side="right")] = False
        return eligible, np.empty(0, np.int64), np.empty(0, np.int64)
    kind = np.frombuffer(structure, np.uint8)
    if not len(kind) or kind[0] != _OPEN:  # the first record is a bare number
        eligible[0] = False
        return eligible, np.empty(0, np.int64), np.empty(0, np.int64)
    step = (kind == _OPEN).astype(np.int32)
    step -= kind == _CLOSE
    depth_before = np.cumsum(step, dtype=np.int32)
    depth_before -= step
    # Records are valid JSON, so only the commas joining them sit at depth 0; each record starts after one.
    record_end = np.flatnonzero((depth_before == 0) & (kind == _COMMA))
    if len(record_end) != len(records) - 1:  # a bare number among the records
        eligible[:] = False
        return eligible, np.empty(0, np.int64), np.empty(0, np.int64)
    del step
    # Every record after a joining comma must open with `[` (not be a bare number).
    after_end = np.minimum(record_end + 1, len(kind) - 1)
    eligible[1:] &= (record_end + 1 < len(kind)) & (kind[after_end] == _OPEN) & (depth_before[after_end] == 0)
    # Too deep: something other than numbers inside a part.
    flagged = [np.flatnonzero(depth_before > 2)]
    # At the outer level, the outer `[` and every comma must be followed by a part's `[`; else a number (or
    # nothing, in `[]`) sits there.
    outer = np.flatnonzero(((depth_before == 0) & (kind == _OPEN)) | ((depth_before == 1) & (kind == _COMMA)))
    following = np.minimum(outer + 1, len(kind) - 1)
    flagged.append(outer[(outer + 1 >= len(kind)) | (kind[following] != _OPEN) | (depth_before[following] != 1)])
    # Entering and leaving depth 2 strictly alternate, so the k-th such `[` pairs with the k-th such `]`;
    # the tokens between are the part's commas.
    part_open = np.flatnonzero((kind == _OPEN) & (depth_before == 1))
    part_close = np.flatnonzero((kind == _CLOSE) & (depth_before == 2))
    lengths = (part_close - part_open).astype(np.int64)
    # `[` directly followed by its `]` is empty or holds one number: leave those to the decoding path.
    flagged.append(part_open[lengths == 1])
    bad = np.concatenate(flagged)
    if len(bad):
        eligible[np.searchsorted(record_end, bad)] = False
    parts_before = np.searchsorted(part_open, record_end)
    part_record = np.repeat(np.arange(len(records)), np.diff(parts_before, prepend=0, append=len(part_open)))
    return eligible, lengths, part_record


def _flatten_checked(
    values: dict[int, Any],
) -> tuple[_Parts, list[tuple[int, int, int]], dict[int, str], dict[int, tuple[int, int, np.ndarray]]]:
    """Segmentations of any shape, every value checked in Python: RLE masks, flat (YOLO) polygons, and
    the odd data that gets a precise LL207 message."""
    parts: list[list[float]] = []
    part_ann: list[int] = []
    part_number: list[int] = []
    odd: list[tuple[int, int, int]] = []
    malformed: dict[int, str] = {}
    rle: dict[int, tuple[int, int, np.ndarray]] = {}
    for a, value in sorted(values.items()):
        if isinstance(value, dict):
            mask = decode_rle(value)
            if isinstance(mask, str):
                malformed[a] = mask
            else:
                rle[a] = mask
            continue
        if not isinstance(value, list):
            malformed[a] = f"segmentation must be polygons or an RLE mask, found {type(value).__name__}"
            continue
        if not value:  # `[]`: no segmentation (box-only exports such as CVAT's write it)
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
    found = _Parts(flat, sizes, np.asarray(part_ann, np.int64), np.asarray(part_number, np.int64))
    return found, odd, malformed, rle


def _merge(first: _Parts, second: _Parts) -> _Parts:
    """Both sets of parts in one, ordered by annotation (each annotation comes from one set only)."""
    if not len(second.sizes):
        return first
    if not len(first.sizes):
        return second
    sizes = np.concatenate([first.sizes, second.sizes])
    ann = np.concatenate([first.ann, second.ann])
    number = np.concatenate([first.number, second.number])
    coords = np.concatenate([first.coords, second.coords]).reshape(-1, 2)
    order = np.argsort(ann, kind="stable")
    source_start = (np.cumsum(sizes) - sizes)[order]
    sizes = sizes[order]
    target_start = np.cumsum(sizes) - sizes
    point = np.arange(int(sizes.sum())) + np.repeat(source_start - target_start, sizes)
    return _Parts(coords[point].reshape(-1), sizes, ann[order], number[order])


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
