"""LL207 invalid-polygon: fewer than 3 points, an odd coordinate count, zero area, or self-intersecting."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._geometry import pair_blocks
from labellint.rules._segmentation import PAIR_CHUNK, Segmentations, next_point, part_extents, segmentations
from labellint.rules.base import Finding, Rule, RuleContext, Scope

# A part whose point spread is flatter than this (relative to its size) has all its points on one line.
ZERO_AREA_FRACTION = 1e-10
# Far beyond the rounding of the orientation test (about 1e-15 of the coordinates): edges nearer than this
# (relative to the largest coordinate), or closer to parallel than this angle, get the full test.
NEAR_MISS = 1e-9
PARALLEL = 1e-4
HUGE = 1e150
# A convex part skips the pairwise test only when each of its turns is this far from straight: every point
# then lies at least this fraction of the part's size away from the line of every edge it is not on, a
# million times the rounding of the orientation test, which therefore cannot find a crossing either.
CONVEX_MARGIN = 1e-9
CONVEX_CHUNK = 1 << 17


class InvalidPolygon(Rule):
    """A polygon with fewer than 3 points, an odd number of coordinates, zero area, or edges that
    cross or touch each other (one problem per polygon; RLE masks are not polygons)."""

    code = "LL207"
    name = "invalid-polygon"
    scope = Scope.ANNOTATION

    def check(self, context: RuleContext) -> Iterator[Finding]:
        seg = segmentations(context)
        found: list[tuple[int, int, str]] = []
        for a, why in seg.malformed.items():
            found.append((a, -1, why))
        for a, number, count in seg.odd_parts:
            found.append((a, number, f"{_part(seg, a, number)}has {count} coordinates, an odd number (x y pairs)"))
        few = seg.part_size < 3
        for k in np.flatnonzero(few):
            a, number = int(seg.part_ann[k]), int(seg.part_number[k])
            found.append((a, number, f"{_part(seg, a, number)}has {seg.part_size[k]} points; a polygon needs 3"))
        flat = ~few & _collinear(seg)
        for k in np.flatnonzero(flat):
            a, number = int(seg.part_ann[k]), int(seg.part_number[k])
            found.append((a, number, f"{_part(seg, a, number)}has zero area (all its points lie on one line)"))
        crossing = first_crossings(seg, ~few & ~flat)
        for k, (i, j, count) in crossing.items():
            a, number = int(seg.part_ann[k]), int(seg.part_number[k])
            start = int(seg.part_start[k])
            size = int(seg.part_size[k])
            others = f" (and {count - 1} more crossing pair{'s' if count > 2 else ''})" if count > 1 else ""
            found.append(
                (
                    a,
                    number,
                    f"{_part(seg, a, number)}crosses itself: edge {_edge(i - start, size)} "
                    f"meets edge {_edge(j - start, size)}{others}",
                )
            )
        for a, number, message in sorted(found):
            yield Finding(message, annotation=a, identity=f"part:{number}")


def _part(seg: Segmentations, a: int, number: int) -> str:
    """`polygon ` or `polygon 2 of 3 ` for annotations with several parts."""
    parts = int((seg.part_ann == a).sum()) + sum(1 for b, _, _ in seg.odd_parts if b == a)
    return f"polygon {number + 1} of {parts} " if parts > 1 else "polygon "


def _edge(local: int, size: int) -> str:
    """An edge named by its 1-based end points, as a person counts the points in the file."""
    return f"{local + 1}-{(local + 1) % size + 1}"


def _collinear(seg: Segmentations) -> np.ndarray:
    """Parts whose points all lie on one line: the 2x2 covariance of their points is singular.

    (The shoelace area cannot tell: a figure-eight has zero signed area without being flat.)
    """
    flat = np.zeros(len(seg.part_size), bool)
    for p0, p1, _, _ in _runs(seg):
        flat[p0:p1] = _collinear_run(seg.points, seg.part_start[p0:p1], seg.part_size[p0:p1])
    return flat


def _collinear_run(points: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """`_collinear` for a run of parts, given by their starts and sizes in `points`."""
    if not (sizes > 0).all():  # reduceat needs non-empty parts: leave empty ones out (they are not flat)
        flat = np.zeros(len(sizes), bool)
        used = np.flatnonzero(sizes > 0)
        if len(used):
            flat[used] = _collinear_run(points, starts[used], sizes[used])
        return flat
    points = points[starts[0] : starts[-1] + sizes[-1]]
    starts = starts - starts[0]
    owner = np.repeat(np.arange(len(sizes)), sizes)
    centred = points - (np.add.reduceat(points, starts) / sizes[:, None])[owner]
    sxx = np.add.reduceat(centred[:, 0] ** 2, starts)
    syy = np.add.reduceat(centred[:, 1] ** 2, starts)
    sxy = np.add.reduceat(centred[:, 0] * centred[:, 1], starts)
    return sxx * syy - sxy**2 <= ZERO_AREA_FRACTION * (sxx + syy) ** 2


def _runs(seg: Segmentations) -> Iterator[tuple[int, int, int, int]]:
    """Runs of whole parts of about CONVEX_CHUNK points: (first part, part after the last, first point, point
    after the last). Small arrays are reused from the heap, while fresh arrays of millions of values cost more
    in page faults than the arithmetic on them."""
    part_end = seg.part_start + seg.part_size
    n = int(part_end[-1]) if len(part_end) else 0
    cuts = np.searchsorted(part_end, np.arange(CONVEX_CHUNK, n, CONVEX_CHUNK), side="left") + 1
    # Already in order (cuts only grow, and stay within 1..parts); a cut repeated makes an empty
    # run, skipped below. (np.unique would also import numpy.ma: 3% of a small check's start-up.)
    bounds = np.concatenate(([0], cuts, [len(seg.part_size)]))
    for p0, p1 in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if p1 > p0:
            yield p0, p1, int(seg.part_start[p0]), int(part_end[p1 - 1])


def first_crossings(seg: Segmentations, parts: np.ndarray) -> dict[int, tuple[int, int, int]]:
    """For each listed part that crosses or touches itself: (first edge, second edge, pairs found).

    Edges are point index -> next point; zero-length edges (a repeated point) are dropped first,
    so a point written twice in a row is not a crossing. Every pair of non-adjacent edges of a
    part whose bounding boxes overlap (see `_may_meet`) is tested with orientation signs (exact for
    collinear and touching cases), in chunks.
    """
    following = next_point(seg)
    points = seg.points
    edge_part = np.repeat(np.arange(len(seg.part_size)), seg.part_size)
    moving = _moving(points, following)
    parts = parts & ~_clearly_convex(seg, parts, edge_part, moving, following)
    keep = parts[edge_part] & moving
    edges = np.flatnonzero(keep)  # edge e goes from point e to following[e]
    if not len(edges):
        return {}
    owner = edge_part[edges]
    # Position of each kept edge inside its part's kept edges, and how many its part keeps.
    counts = np.bincount(owner, minlength=len(seg.part_size))
    first_of_part = np.concatenate(([0], np.cumsum(counts)[:-1]))
    local = np.arange(len(edges)) - first_of_part[owner]
    size = counts[owner]
    # Partners of edge i: i+2 .. size-1, except the last edge when i is the first (they share a point).
    partners = np.maximum(size - 2 - local, 0) - ((local == 0) & (size >= 3))
    partners = np.maximum(partners, 0)
    extent = max(abs(float(points.max())), abs(float(points.min())))
    # NaN, infinite or overflowing coordinates make boxes and directions meaningless: test every pair.
    margin = NEAR_MISS * (extent + 1.0) if extent < HUGE else None
    part_end = (first_of_part + counts)[owner]  # one past the last kept edge of each edge's part
    result: dict[int, tuple[int, int, int]] = {}
    for block, first, offsets in pair_blocks(partners, PAIR_CHUNK):
        start = int(block[0])
        second = first + 2 + offsets
        span = slice(start, int(part_end[block[-1]]))
        if margin is not None:
            near = _may_meet(points, edges[span], following, owner[span], first - start, second - start, margin)
            first, second = first[near], second[near]
        hit = _segments_meet(points, following, edges[first], edges[second])
        for f, s in zip(first[hit].tolist(), second[hit].tolist(), strict=True):
            k = int(owner[f])
            if k in result:
                i, j, n = result[k]
                result[k] = (i, j, n + 1)
            else:
                result[k] = (int(edges[f]), int(edges[s]), 1)
    return result


def _moving(points: np.ndarray, following: np.ndarray) -> np.ndarray:
    """Whether each edge (point -> following point) has non-zero length, in runs (see `_clearly_convex`)."""
    moving = np.zeros(len(points), bool)
    for s in range(0, len(points), CONVEX_CHUNK):
        here, there = points[s : s + CONVEX_CHUNK], points[following[s : s + CONVEX_CHUNK]]
        moving[s : s + CONVEX_CHUNK] = (here[:, 0] != there[:, 0]) | (here[:, 1] != there[:, 1])
    return moving


def _clearly_convex(
    seg: Segmentations, parts: np.ndarray, edge_part: np.ndarray, moving: np.ndarray, following: np.ndarray
) -> np.ndarray:
    """Listed parts that are strictly convex with a margin, hence simple: no pair of their edges can meet.

    After dropping zero-length edges, every turn from one edge to the next must go the same way, winding
    once in total (a pentagram turns the same way but winds twice), and each turn's cross product must
    exceed CONVEX_MARGIN x (longer edge) x (part diagonal). The cross product over an edge's length is the
    distance of the next point from that edge's line; in a convex polygon the points nearest an edge's line
    are its neighbours, so every point is that far from every edge it is not on and every orientation sign
    of the full test is certain. Straight or nearly straight turns, repeated points, NaN or huge
    coordinates all fail some comparison and get the full test.
    """
    convex = np.zeros(len(seg.part_size), bool)
    if not len(moving):
        return convex
    extents = part_extents(seg)
    with np.errstate(invalid="ignore", over="ignore"):
        diagonal = np.hypot(extents[:, 2] - extents[:, 0], extents[:, 3] - extents[:, 1])
    for p0, p1, s, e in _runs(seg):
        keep = moving[s:e] & parts[edge_part[s:e]]
        convex[p0:p1] = _convex_run(seg.points[s:e], following[s:e] - s, edge_part[s:e] - p0, keep, diagonal[p0:p1])
    return convex


def _convex_run(
    points: np.ndarray, following: np.ndarray, owner_of_point: np.ndarray, keep: np.ndarray, diagonal: np.ndarray
) -> np.ndarray:
    """`_clearly_convex` for a run of whole parts (indices local to the run)."""
    convex = np.zeros(len(diagonal), bool)
    edges = np.flatnonzero(keep)
    if not len(edges):
        return convex
    owner = owner_of_point[edges]
    counts = np.bincount(owner, minlength=len(diagonal))
    used = counts > 0
    first = (np.cumsum(counts) - counts)[used]
    last = first + counts[used] - 1
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        ends = following[edges]
        dx = points[ends, 0] - points[edges, 0]
        dy = points[ends, 1] - points[edges, 1]
        # The next kept edge of the same part, wrapping around.
        dx_after, dy_after = np.roll(dx, -1), np.roll(dy, -1)
        dx_after[last], dy_after[last] = dx[first], dy[first]
        cross = dx * dy_after - dy * dx_after
        length = np.hypot(dx, dy)
        length_after = np.roll(length, -1)
        length_after[last] = length[first]
        # Distance of the point after the turn from the first edge's line, and of the point before the turn
        # from the second edge's line: at least the smaller of the two, cross / longer edge.
        distance = cross / np.maximum(length, length_after)
        nearest_left = np.minimum.reduceat(distance, first)
        nearest_right = np.maximum.reduceat(distance, first)
        turning = np.add.reduceat(np.arctan2(cross, dx * dx_after + dy * dy_after), first)
        needed = CONVEX_MARGIN * diagonal[used]
        one_way = (nearest_left > needed) | (-nearest_right > needed)
    convex[np.flatnonzero(used)[(counts[used] >= 3) & one_way & (np.abs(np.abs(turning) - 2 * np.pi) < 1.0)]] = True
    return convex


def _may_meet(
    points: np.ndarray,
    edges: np.ndarray,
    following: np.ndarray,
    owner: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    margin: float,
) -> np.ndarray:
    """Which pairs (first, second; indices into `edges`, a run of kept edges) need the orientation test.

    Two segments can only meet where their bounding boxes overlap. The floating-point orientation signs
    can still call two nearly collinear edges, or two edges a rounding error apart, "crossing": pairs whose
    boxes are within `margin` or that are nearly parallel are kept too, so the result stays exactly what
    testing every pair gives. Computed per run of edges so the arrays stay small.
    """
    ends = following[edges]
    x0, x1 = points[edges, 0], points[ends, 0]
    y0, y1 = points[edges, 1], points[ends, 1]
    low_x, high_x = np.minimum(x0, x1) - margin, np.maximum(x0, x1) + margin
    low_y, high_y = np.minimum(y0, y1) - margin, np.maximum(y0, y1) + margin
    near = (low_x[second] <= high_x[first]) & (low_x[first] <= high_x[second])
    near &= (low_y[second] <= high_y[first]) & (low_y[first] <= high_y[second])
    angle = np.arctan2(y1 - y0, x1 - x0) % np.pi  # direction, ignoring which way the edge runs
    part = owner - owner[0]
    counts = np.bincount(part)
    prone = _has_parallel_edges(angle, counts, np.cumsum(counts) - counts)[part]
    if prone.any():
        maybe = np.flatnonzero(prone[first])
        turn = np.abs(angle[first[maybe]] - angle[second[maybe]])
        near[maybe[(turn < PARALLEL) | (turn > np.pi - PARALLEL)]] = True
    return near


def _has_parallel_edges(angle: np.ndarray, counts: np.ndarray, first_of_part: np.ndarray) -> np.ndarray:
    """Per part: whether two of its edges (consecutive in `angle`, `counts` per part) are within
    PARALLEL of each other in direction. Parts are grouped by edge count and sorted row-wise."""
    prone = np.zeros(len(counts), bool)
    for count in np.unique(counts[counts >= 2]).tolist():
        parts = np.flatnonzero(counts == count)
        rows = np.sort(angle[first_of_part[parts][:, None] + np.arange(count)], axis=1)
        closest = np.diff(rows, axis=1).min(axis=1)
        around = rows[:, 0] + np.pi - rows[:, -1]  # directions wrap at pi
        prone[parts] = np.minimum(closest, around) < 2 * PARALLEL
    return prone


def _orientation(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Sign of the turn p -> q -> r: 1 left, -1 right, 0 collinear."""
    return np.sign((q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0]))


def _on_segment(p: np.ndarray, q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Whether r, known to be collinear with p-q, lies within the segment's bounding box."""
    return (
        (np.minimum(p[:, 0], q[:, 0]) <= r[:, 0])
        & (r[:, 0] <= np.maximum(p[:, 0], q[:, 0]))
        & (np.minimum(p[:, 1], q[:, 1]) <= r[:, 1])
        & (r[:, 1] <= np.maximum(p[:, 1], q[:, 1]))
    )


def _segments_meet(points: np.ndarray, following: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """Whether segments e1 and e2 share any point (proper crossing, touching, or collinear overlap)."""
    p1, p2 = points[e1], points[following[e1]]
    p3, p4 = points[e2], points[following[e2]]
    d1, d2 = _orientation(p3, p4, p1), _orientation(p3, p4, p2)
    d3, d4 = _orientation(p1, p2, p3), _orientation(p1, p2, p4)
    proper = (d1 * d2 < 0) & (d3 * d4 < 0)
    touching = (
        ((d1 == 0) & _on_segment(p3, p4, p1))
        | ((d2 == 0) & _on_segment(p3, p4, p2))
        | ((d3 == 0) & _on_segment(p1, p2, p3))
        | ((d4 == 0) & _on_segment(p1, p2, p4))
    )
    return proper | touching
