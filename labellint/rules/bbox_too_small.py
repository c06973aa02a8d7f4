"""LL203 bbox-too-small: a box below the spec's minimum size for its class."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.problem import Severity
from labellint.rules._geometry import drawn_sides, fmt_drawn, has_box, item_sizes, per_annotation
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class BboxTooSmall(Rule):
    """A box smaller than the spec's `min_width`, `min_height` or `min_area` for its class.

    A turned box (Label Studio, CVAT `rotation`) is measured along the sides it was drawn with,
    not its envelope, which is larger the more it is turned.
    """

    code = "LL203"
    name = "bbox-too-small"
    scope = Scope.ANNOTATION
    severity = Severity.WARNING

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        _, _, normalized = item_sizes(context)
        # Pixel thresholds mean nothing on normalized boxes without the image size.
        candidates = has_box(context) & ~normalized & (ds.ann_box[:, 2] > 0) & (ds.ann_box[:, 3] > 0)
        w, h, turned = drawn_sides(context)  # a turned box is as small as it was drawn, not its envelope
        limits = {
            "width": (w, per_annotation(context, "min_width")),
            "height": (h, per_annotation(context, "min_height")),
            "area": (w * h, per_annotation(context, "min_area")),
        }
        with np.errstate(invalid="ignore"):
            small = {k: candidates & (value < limit) for k, (value, limit) in limits.items()}
        for a in np.flatnonzero(small["width"] | small["height"] | small["area"]):
            reasons = [f"{k} {limits[k][0][a]:.4g} < {limits[k][1][a]:g}" for k in limits if small[k][a]]
            yield Finding(
                f"{ds.class_name(int(a))!r} box {fmt_drawn(ds.ann_box[a], (w[a], h[a]), turned.get(int(a)))}"
                " is below the minimum size"
                f" ({'; '.join(reasons)})",
                annotation=int(a),
            )
