"""LL201 bbox-out-of-bounds: a box reaches outside its image beyond the spec's tolerance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from labellint.rules._geometry import fmt_box, has_box, item_sizes, per_annotation
from labellint.rules.base import Finding, Rule, RuleContext, Scope

# Round-off allowance, a share of the image side, added to every tolerance (the spec's, or 0 without one).
# Percent (Label Studio) and normalized (YOLO) coordinates reach pixels through float arithmetic: a box
# drawn to the edge lands up to ~1e-15 of the side past it (2.3e-13 px on a 2000 px image), and values
# written with 6 decimals or through float32 up to ~1e-6 of it. 1e-6 of the side is 0.004 px on a
# 4000 px image; it hides a 1-px overflow only on images over 1,000,000 px wide.
ROUNDOFF = 1e-6


class BboxOutOfBounds(Rule):
    """A box outside its image beyond `geometry.inside_image.tolerance` (YOLO: outside [0, 1]).

    Float round-off (1e-6 of the image side) is allowed on top of the tolerance, so a box drawn
    exactly to the edge in percent or normalized coordinates is inside."""

    code = "LL201"
    name = "bbox-out-of-bounds"
    scope = Scope.ANNOTATION

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        width, height, normalized = item_sizes(context)
        tolerance = np.where(normalized, 0.0, per_annotation(context, "tolerance", 0.0))
        x, y, w, h = ds.ann_box.T
        with np.errstate(invalid="ignore"):
            checkable = has_box(context) & np.isfinite(width) & np.isfinite(height) & (width > 0) & (height > 0)
            outside = np.zeros(len(x), bool)
            # Side by side, not as (n, 4) arrays: four passes over single columns allocate far less.
            for overshoot, side in _overshoots(x, y, w, h, width, height):
                outside |= np.nan_to_num(overshoot, nan=-np.inf) > tolerance + ROUNDOFF * side
            outside &= checkable
        sides = ("left", "top", "right", "bottom")
        for a in np.flatnonzero(outside):
            with np.errstate(invalid="ignore", over="ignore"):  # warned about once already, above
                overshoot = np.array([value for value, _ in _overshoots(*ds.ann_box[a], width[a], height[a])])
            worst = int(np.nanargmax(overshoot))
            if normalized[a]:
                detail = f"normalized box {fmt_box(ds.ann_box[a])} leaves [0, 1] at the {sides[worst]}"
            else:
                detail = (
                    f"box {fmt_box(ds.ann_box[a])} reaches {overshoot[worst]:.4g} px past the "
                    f"{sides[worst]} edge of the {width[a]:g}x{height[a]:g} image"
                    f" (tolerance {tolerance[a]:g})"
                )
            yield Finding(detail, annotation=int(a))


def _overshoots(x, y, w, h, width, height) -> Iterator[tuple[Any, Any]]:
    """How far a box reaches past each edge of its image (left, top, right, bottom), and that side's length."""
    yield -x, width
    yield -y, height
    yield x + w - width, width
    yield y + h - height, height
