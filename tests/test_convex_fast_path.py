"""LL207's convex shortcut: parts it lets skip the pairwise crossing test really have no crossing pair."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from helpers import every_pair_crossings

from labellint.rules import invalid_polygon
from labellint.rules._segmentation import Segmentations, next_point


def _segmentations(polygons: list[list[tuple[float, float]]]) -> Segmentations:
    sizes = np.array([len(p) for p in polygons])
    return Segmentations(
        points=np.array([xy for p in polygons for xy in p], np.float64),
        part_start=np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64),
        part_size=sizes,
        part_ann=np.arange(len(sizes)),
        part_number=np.zeros(len(sizes), np.int64),
    )


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull, counter-clockwise (monotone chain), collinear points dropped."""
    points = sorted(set(points))

    def half(seq):
        out: list[tuple[float, float]] = []
        for p in seq:
            while (
                len(out) >= 2
                and (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1]) - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])
                <= 0
            ):
                out.pop()
            out.append(p)
        return out[:-1]

    return half(points) + half(reversed(points))


def _star(n: int, k: int, radius: float) -> list[tuple[float, float]]:
    """The star polygon {n/k}: convex turns all the same way, winding k times."""
    return [(radius * math.cos(2 * math.pi * k * i / n), radius * math.sin(2 * math.pi * k * i / n)) for i in range(n)]


def _shapes(rng: random.Random) -> tuple[list[list[tuple[float, float]]], list[int]]:
    """Convex polygons of every awkward kind, and the indices of the stars winding more than once."""
    polygons: list[list[tuple[float, float]]] = []
    stars: list[int] = []
    for _ in range(6000):
        kind = rng.random()
        if kind < 0.25:  # regular polygon in decimals, either direction
            n, r = rng.randint(3, 40), rng.uniform(0.5, 300)
            cx, cy, phase = rng.uniform(0, 600), rng.uniform(0, 600), rng.uniform(0, 6.3)
            ring = [
                (
                    round(cx + r * math.cos(phase + 2 * math.pi * i / n), 2),
                    round(cy + r * math.sin(phase + 2 * math.pi * i / n), 2),
                )
                for i in range(n)
            ]
            polygons.append(ring if rng.random() < 0.5 else ring[::-1])
        elif kind < 0.5:  # hull of random points, sometimes with a repeated or an in-between point
            ring = _hull(
                [(round(rng.uniform(0, 99), rng.choice([0, 1, 2])), round(rng.uniform(0, 99), 2)) for _ in range(12)]
            )
            if rng.random() < 0.3:
                i = rng.randrange(len(ring))
                ring.insert(i, ring[i])
            elif rng.random() < 0.3:
                i = rng.randrange(len(ring))
                a, b = ring[i], ring[(i + 1) % len(ring)]
                ring.insert(i + 1, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2))
            polygons.append(ring if rng.random() < 0.5 else ring[::-1])
        elif kind < 0.7:  # slivers: a nearly flat diamond far from the origin
            offset, length = rng.choice([0.0, 1e3, 1e6, 1e9]), rng.choice([1.0, 100.0, 1e4])
            height = length * rng.choice([1e-3, 1e-6, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15])
            polygons.append(
                [
                    (offset, offset),
                    (offset + length, offset + height),
                    (offset + 2 * length, offset),
                    (offset + length, offset - height),
                ]
            )
        elif kind < 0.85:  # star polygons: every turn the same way, but winding twice or more
            n = rng.randint(5, 13)
            k = rng.randint(1, (n - 1) // 2)
            if math.gcd(n, k) != 1:
                k = 1
            if k > 1:
                stars.append(len(polygons))
            polygons.append([(round(x, 3), round(y, 3)) for x, y in _star(n, k, rng.uniform(1, 50))])
        elif kind < 0.95:  # a convex polygon with a point pushed just onto, or across, an edge line
            ring = _star(rng.randint(4, 9), 1, 10.0)
            i = rng.randrange(len(ring))
            a, b = ring[i - 1], ring[(i + 1) % len(ring)]
            t = rng.choice([0.0, 1e-17, 1e-12, -1e-12])
            ring[i] = ((a[0] + b[0]) / 2 + t, (a[1] + b[1]) / 2 + t)
            polygons.append(ring)
        elif kind < 0.97:  # points round a very flat ellipse: the orientation signs round either way
            offset, a, b = rng.choice([0, 1e3, 1e7]), rng.uniform(1, 100), rng.choice([1e-8, 1e-12, 1e-14])
            phase, rot, n = rng.uniform(0, 6.3), rng.uniform(0, 6.3), rng.randint(4, 7)
            ring = []
            for i in range(n):
                t = phase + 2 * math.pi * i / n + rng.uniform(-0.3, 0.3)
                x, y = a * math.cos(t), b * math.sin(t)
                ring.append(
                    (offset + x * math.cos(rot) - y * math.sin(rot), offset + x * math.sin(rot) + y * math.cos(rot))
                )
            polygons.append(ring)
        else:  # huge, infinite and NaN coordinates
            value = rng.choice([1e200, 1e300, math.inf, math.nan])
            polygons.append([(0.0, 0.0), (value, 0.0), (value, value), (0.0, 5.0)])
    return polygons, stars


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the orientation test on infinite and NaN coordinates
def test_convex_shortcut_changes_no_crossing() -> None:
    polygons, stars = _shapes(random.Random(11))
    seg = _segmentations(polygons)
    parts = np.ones(len(polygons), bool)
    expected = every_pair_crossings(seg, parts)
    assert invalid_polygon.first_crossings(seg, parts) == expected
    chunk = invalid_polygon.CONVEX_CHUNK
    try:  # runs cut every few points (whole parts each) give the same answer
        invalid_polygon.CONVEX_CHUNK = 7
        assert invalid_polygon.first_crossings(seg, parts) == expected
        small_runs = invalid_polygon._collinear(seg)
    finally:
        invalid_polygon.CONVEX_CHUNK = chunk
    assert small_runs.tolist() == invalid_polygon._collinear(seg).tolist()
    edge_part = np.repeat(np.arange(len(polygons)), seg.part_size)
    following = next_point(seg)
    moving = (seg.points != seg.points[following]).any(axis=1)
    convex = invalid_polygon._clearly_convex(seg, parts, edge_part, moving, following)
    # The shortcut is taken often, never by a polygon that crosses itself, and never by a star.
    assert convex.sum() > len(polygons) // 3
    assert not any(convex[k] for k in expected)
    assert stars and not convex[stars].any()
    assert all(k in expected for k in stars)


def test_convex_shortcut_on_simple_cases() -> None:
    seg = _segmentations(
        [
            [(0, 0), (10, 0), (10, 10), (0, 10)],  # square: convex
            [(0, 0), (0, 10), (10, 10), (10, 0)],  # clockwise square: convex
            [(0, 0), (5, 0), (10, 0), (10, 10), (0, 10)],  # a straight turn: full test
            [(0, 0), (10, 0), (10, 0), (10, 10), (0, 10)],  # a repeated point: convex once it is dropped
            [(0, 0), (10, 0), (0, 10), (10, 10)],  # bow tie: not convex
            [(0, 0), (10, 0), (0, 0), (10, 0)],  # back and forth
            # Strictly convex in floating point, yet the orientation test calls two of its edges touching.
            [
                (-54.02177503715511, -20.65178437221725),
                (-33.420921938249926, -12.77636051230705),
                (69.05339987880727, 26.39816858081383),
                (52.31465293890227, 19.999174985614975),
            ],
        ]
    )
    parts = np.ones(7, bool)
    assert 6 in every_pair_crossings(seg, parts)
    edge_part = np.repeat(np.arange(7), seg.part_size)
    following = next_point(seg)
    moving = (seg.points != seg.points[following]).any(axis=1)
    convex = invalid_polygon._clearly_convex(seg, parts, edge_part, moving, following)
    assert convex.tolist() == [True, True, False, True, False, False, False]
    assert not invalid_polygon._clearly_convex(seg, ~parts, edge_part, moving, following).any()
