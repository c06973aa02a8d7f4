"""LL204 bbox-aspect-ratio: a box whose width/height is outside the spec's range for its class."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.problem import Severity
from labellint.rules._geometry import class_setting, drawn_sides, fmt_drawn, has_box, item_sizes
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class BboxAspectRatio(Rule):
    """A box whose width/height ratio is outside `geometry.aspect_ratio` for its class.

    A turned box (Label Studio, CVAT `rotation`) has the ratio of the sides it was drawn with:
    its envelope's ratio says nothing of the object (a rod turned 45 degrees has ratio 1).
    """

    code = "LL204"
    name = "bbox-aspect-ratio"
    scope = Scope.ANNOTATION
    severity = Severity.WARNING

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        ranges = class_setting(context, "aspect_ratio")
        low = np.array([r[0] if r else np.nan for r in ranges])[ds.ann_class]
        high = np.array([r[1] if r else np.nan for r in ranges])[ds.ann_class]
        _, _, normalized = item_sizes(context)
        candidates = has_box(context) & ~normalized & (ds.ann_box[:, 2] > 0) & (ds.ann_box[:, 3] > 0)
        w, h, turned = drawn_sides(context)  # a turned box's shape is its drawn sides', not its envelope's
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = w / h
            outside = candidates & ((ratio < low) | (ratio > high))
        for a in np.flatnonzero(outside):
            yield Finding(
                f"{ds.class_name(int(a))!r} box {fmt_drawn(ds.ann_box[a], (w[a], h[a]), turned.get(int(a)))} "
                f"has aspect ratio {ratio[a]:.3g} "
                f"(width/height), outside [{low[a]:g}, {high[a]:g}]",
                annotation=int(a),
            )
