"""LL208 bbox-segmentation-mismatch: a box not enclosing its polygon or mask, or a stored area that disagrees."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
from pydantic import Field

from labellint.model import Dataset, DenseValues
from labellint.problem import Severity
from labellint.rules._geometry import fmt_box, item_sizes
from labellint.rules._segmentation import Segmentations, part_areas, part_extents, rle_area_and_box, segmentations
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope


class Options(RuleOptions):
    tolerance: float = Field(1.0, ge=0, description="Pixels a polygon or mask may reach outside its box.")
    normalized_tolerance: float = Field(0.001, ge=0, description="The same allowance for normalized (0-1) coordinates.")
    area_tolerance: float = Field(
        0.1,
        ge=0,
        description="Largest relative difference between a stored area and the polygon or mask area.",
    )


class BboxSegmentationMismatch(Rule):
    """A box that does not enclose its polygon or RLE mask beyond `tolerance`, or a stored `area`
    that differs from the polygon (shoelace) or mask (pixel count) area by more than `area_tolerance`."""

    code = "LL208"
    name = "bbox-segmentation-mismatch"
    scope = Scope.ANNOTATION
    Options = Options

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        options: Options = self.options  # type: ignore[assignment]
        seg = segmentations(context)
        if not len(seg.part_size) and not seg.rle:  # no polygon, no mask (a boxes-only file): nothing to compare
            return
        extent, area = _polygon_extents_and_areas(seg, ds.n_annotations)
        # Annotations with a broken part are LL207's; their extent and area would mislead here.
        broken = {a for a, _, _ in seg.odd_parts} | set(seg.malformed)
        width, height, normalized = item_sizes(context)
        findings = _add_rle_masks(ds, seg, extent, area, width, height)
        tolerance = np.where(normalized, options.normalized_tolerance, options.tolerance)
        findings += _box_findings(ds.ann_box, extent, tolerance, normalized, seg, broken)
        findings += _area_findings(ds.ann_area, area, options.area_tolerance, seg, broken)
        findings.sort(key=lambda f: (f.annotation, f.identity))
        yield from findings


def _polygon_extents_and_areas(seg: Segmentations, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Tight extent [x0, y0, x1, y1] and area of each annotation's polygons (NaN: no polygon)."""
    extent = np.full((n, 4), np.nan)
    area = np.full(n, np.nan)
    if len(seg.part_size):
        # Empty parts (no points: LL207's finding) have no extent and no area: left out.
        used = seg.part_size > 0
        owner = seg.part_ann[used]
        parts = part_extents(seg)[used]
        extent[:, :2] = np.inf
        extent[:, 2:] = -np.inf
        np.minimum.at(extent[:, 0], owner, parts[:, 0])
        np.minimum.at(extent[:, 1], owner, parts[:, 1])
        np.maximum.at(extent[:, 2], owner, parts[:, 2])
        np.maximum.at(extent[:, 3], owner, parts[:, 3])
        has_polygon = np.zeros(n, bool)
        has_polygon[owner] = True
        extent[~has_polygon] = np.nan
        area[has_polygon] = 0.0
        np.add.at(area, owner, part_areas(seg)[used])
    return extent, area


def _add_rle_masks(
    ds: Dataset, seg: Segmentations, extent: np.ndarray, area: np.ndarray, width: np.ndarray, height: np.ndarray
) -> list[Finding]:
    """Writes each RLE mask's extent and pixel count into `extent` and `area`; returns the masks
    whose size is not their image's."""
    findings: list[Finding] = []
    for a, (mask_h, mask_w, runs) in seg.rle.items():
        mask_area, box = rle_area_and_box(mask_h, mask_w, runs)
        area[a] = mask_area
        if box is not None:
            extent[a] = (box[0], box[1], box[0] + box[2], box[1] + box[3])
        if ds.ann_item[a] >= 0 and np.isfinite(width[a]) and (mask_w, mask_h) != (width[a], height[a]):
            findings.append(
                Finding(
                    f"RLE mask size {mask_w}x{mask_h} differs from the {width[a]:g}x{height[a]:g} image",
                    annotation=a,
                    identity="rle-size",
                )
            )
    return findings


def _box_findings(
    box: np.ndarray,
    extent: np.ndarray,
    tolerance: np.ndarray,
    normalized: np.ndarray,
    seg: Segmentations,
    broken: set[int],
) -> list[Finding]:
    """Boxes that their polygon or mask reaches past by more than `tolerance`."""
    with np.errstate(invalid="ignore"):
        overshoot = np.stack(
            [
                box[:, 0] - extent[:, 0],
                box[:, 1] - extent[:, 1],
                extent[:, 2] - (box[:, 0] + box[:, 2]),
                extent[:, 3] - (box[:, 1] + box[:, 3]),
            ],
            axis=1,
        )
        worst = np.nan_to_num(overshoot, nan=-np.inf).max(axis=1)
    sides = ("left", "top", "right", "bottom")
    findings: list[Finding] = []
    for a in np.flatnonzero(worst > tolerance):
        if int(a) in broken:
            continue
        side = sides[int(np.nanargmax(overshoot[a]))]
        what = "mask" if int(a) in seg.rle else "polygon"
        unit = "" if normalized[a] else " px"
        tight = [extent[a, 0], extent[a, 1], extent[a, 2] - extent[a, 0], extent[a, 3] - extent[a, 1]]
        findings.append(
            Finding(
                f"the {what} reaches {worst[a]:.4g}{unit} past the {side} of its box {fmt_box(box[a])} "
                f"(the {what}'s own box is {fmt_box(np.asarray(tight))}; tolerance {tolerance[a]:g})",
                annotation=int(a),
                identity="box",
            )
        )
    return findings


def _area_findings(
    stored_areas: Mapping[int, float], area: np.ndarray, area_tolerance: float, seg: Segmentations, broken: set[int]
) -> list[Finding]:
    """Stored areas that differ from the polygon or mask area by more than `area_tolerance`."""
    findings: list[Finding] = []
    for a, stored in _area_candidates(stored_areas, area, area_tolerance):
        computed = area[a]
        if a in broken or not np.isfinite(computed) or not np.isfinite(stored):
            continue
        difference = abs(stored - computed)
        larger = max(abs(stored), computed)
        if larger > 0 and difference / larger > area_tolerance:
            what = "mask pixel count" if a in seg.rle else "polygon area"
            findings.append(
                Finding(
                    f"stored area {stored:.6g} differs from the {what} {computed:.6g} by "
                    f"{difference / larger:.0%} (tolerance {area_tolerance:.0%})",
                    annotation=int(a),
                    identity="area",
                    severity=Severity.WARNING,
                )
            )
    return findings


def _area_candidates(stored: Mapping[int, float], computed: np.ndarray, tolerance: float) -> list[tuple[int, float]]:
    """The (annotation, stored area) pairs that may differ from the computed area by more than `tolerance`:
    a vectorised pre-filter (with slack, so nothing is missed) before the exact check of each."""
    if not stored:
        return []
    if isinstance(stored, DenseValues):  # the reader's array: no Python object per area
        keys = stored.present()
        values = stored.values[keys]
    else:
        keys = np.fromiter(stored, np.int64, count=len(stored))
        values = np.fromiter(stored.values(), np.float64, count=len(stored))
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        mine = computed[keys]
        larger = np.maximum(np.abs(values), mine)
        ratio = np.abs(values - mine) / larger
        surely_fine = ~np.isfinite(mine) | (np.isfinite(values) & ((larger == 0) | (ratio <= tolerance * (1 - 1e-9))))
    return [(a, stored[a]) for a in keys[~surely_fine].tolist()]
