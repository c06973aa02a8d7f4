"""LL201 bbox-out-of-bounds: a box reaches outside its image beyond the spec's tolerance."""

from __future__ import annotations

from collections.abc import Iterator

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
            overshoot = np.stack([-x, -y, x + w - width, y + h - height], axis=1)
            side = np.stack([width, height, width, height], axis=1)
            allowed = tolerance[:, None] + ROUNDOFF * side
            checkable = has_box(context) & np.isfinite(width) & np.isfinite(height) & (width > 0) & (height > 0)
            outside = checkable & (np.nan_to_num(overshoot, nan=-np.inf) > allowed).any(axis=1)
        sides = ("left", "top", "right", "bottom")
        for a in np.flatnonzero(outside):
            worst = int(np.nanargmax(overshoot[a]))
            if normalized[a]:
                detail = f"normalized box {fmt_box(ds.ann_box[a])} leaves [0, 1] at the {sides[worst]}"
            else:
                detail = (
                    f"box {fmt_box(ds.ann_box[a])} reaches {overshoot[a, worst]:.4g} px past the "
                    f"{sides[worst]} edge of the {width[a]:g}x{height[a]:g} image"
                    f" (tolerance {tolerance[a]:g})"
                )
            yield Finding(detail, annotation=int(a))
