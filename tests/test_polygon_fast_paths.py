"""LL207/LL208 fast paths give what the plain ones give: typed batch decoding, and the box filter of crossings."""

from __future__ import annotations

import json
import random

import msgspec
import numpy as np
import pytest
from helpers import every_pair_crossings

from labellint.rules import _segmentation, invalid_polygon
from labellint.segmentation.flatten import Segmentations
from labellint.segmentation.flatten import flatten as _flatten


def _segmentation_values(rng: random.Random, count: int, odd: bool) -> list[object]:
    """Polygons of random shape (grid points, decimals, repeated points), RLE masks, and with `odd` the
    data only the checked path understands (flat polygons, strings, booleans, nesting)."""
    values: list[object] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:
            values.append(
                [
                    [rng.randint(0, 9) if rng.random() < 0.5 else round(rng.uniform(0, 50), 2) for _ in range(n)]
                    for n in rng.choices([0, 2, 3, 6, 7, 8, 12, 20], k=rng.choice([1, 1, 2, 3]))
                ]
            )
        elif kind < 0.7:
            values.append({"size": [4, 4], "counts": rng.choice([[1, 2, 13], [1, 2, 3]])})
        elif kind < 0.8:
            values.append([])
        elif odd:
            values.append(rng.choice([[1, 2, 3, 4, 5, 6], "abc", 5, [[1, True, 2, 3, 4, 5]], [[1, 2], 7], [[[1, 2]]]]))
        else:
            values.append([[rng.uniform(0, 9) for _ in range(8)]])
    return values


def _assert_same(a: Segmentations, b: Segmentations) -> None:
    for name in ("points", "part_start", "part_size", "part_ann", "part_number"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.odd_parts == b.odd_parts
    assert list(a.malformed.items()) == list(b.malformed.items())
    assert list(a.rle) == list(b.rle)
    for k, (h, w, runs) in a.rle.items():
        assert (h, w) == b.rle[k][:2]
        np.testing.assert_array_equal(runs, b.rle[k][2])


@pytest.mark.parametrize("odd", [False, True], ids=["batch", "one-by-one"])
def test_raw_segmentations_flatten_as_decoded_ones(odd: bool) -> None:
    values = _segmentation_values(random.Random(3), 3000, odd)
    raw = {a: msgspec.Raw(json.dumps(v).encode()) for a, v in enumerate(values)}
    decoded = dict(enumerate(values))  # the checked Python path (as YOLO and other readers hand values over)
    fast, checked = _flatten(raw), _flatten(decoded)
    _assert_same(fast, checked)
    assert not any(a for a, v in decoded.items() if v == [] and a in fast.malformed)
    # Mixed: some already decoded, some raw, parts still in annotation order.
    mixed = {a: (raw[a] if a % 3 else decoded[a]) for a in decoded}
    _assert_same(_flatten(mixed), checked)


def test_box_filter_keeps_every_crossing_including_rounding_ones() -> None:
    """Nearly collinear decimal points make the orientation signs round either way; the filtered test
    must still report exactly the pairs (and counts) that testing every pair reports."""
    rng = random.Random(5)
    polygons = []
    for _ in range(1500):
        n = rng.randint(3, 16)
        kind = rng.random()
        if kind < 0.5:  # points on one diagonal line, written in decimals
            slope, step = rng.choice([0.1, 0.3, 0.7, 1.1, 1 / 3]), rng.choice([0.1, 0.3, 0.7])
            ts = [round(rng.randint(0, 40) * step, 6) for _ in range(n)]
            points = [(t, round(slope * t + 0.2, 6)) for t in ts] + [(rng.uniform(0, 9), rng.uniform(0, 9))]
        elif kind < 0.8:
            points = [(rng.randint(0, 5), rng.randint(0, 5)) for _ in range(n)]
        else:
            points = [(round(rng.uniform(0, 99), 2), round(rng.uniform(0, 99), 2)) for _ in range(n)]
        polygons.append(points)
    sizes = np.array([len(p) for p in polygons])
    seg = Segmentations(
        points=np.array([xy for p in polygons for xy in p], np.float64),
        part_start=np.concatenate(([0], np.cumsum(sizes)[:-1])),
        part_size=sizes,
        part_ann=np.arange(len(sizes)),
        part_number=np.zeros(len(sizes), np.int64),
    )
    parts = np.ones(len(sizes), bool)
    parts[::7] = False
    expected = every_pair_crossings(seg, parts)
    assert len(expected) > 500
    assert invalid_polygon.first_crossings(seg, parts) == expected
    # Chunks cut inside polygons give the same answer.
    small = invalid_polygon.PAIR_CHUNK
    try:
        invalid_polygon.PAIR_CHUNK = 7
        assert invalid_polygon.first_crossings(seg, parts) == expected
    finally:
        invalid_polygon.PAIR_CHUNK = small


def test_part_areas_are_the_shoelace_of_each_part() -> None:
    rng = random.Random(5)
    values = _segmentation_values(rng, 400, odd=False)
    flat = _flatten({a: v for a, v in enumerate(values)})
    assert len(flat.part_size) > 300 and (flat.part_size == 1).any()  # one-point parts wrap onto themselves
    assert (flat.part_size == 0).any()  # empty parts, whose neighbours must keep their own areas
    areas = _segmentation.part_areas(flat)
    # The same numbers, bit for bit, as a gather of every point's successor over the parts with points.
    x, y, following = flat.points[:, 0], flat.points[:, 1], _segmentation.next_point(flat)
    used = flat.part_size > 0
    gathered = np.abs(np.add.reduceat(x * y[following] - x[following] * y, flat.part_start[used])) / 2
    assert areas[used].tobytes() == gathered.tobytes()
    # And the shoelace of each part, computed plainly (an empty part has none: 0).
    for k, (start, size) in enumerate(zip(flat.part_start.tolist(), flat.part_size.tolist(), strict=True)):
        points = flat.points[start : start + size].tolist()
        twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))
        assert areas[k] == pytest.approx(abs(twice) / 2, rel=1e-12, abs=1e-9), k
