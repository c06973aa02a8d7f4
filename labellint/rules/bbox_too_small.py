"""LL203 bbox-too-small: a box below the spec's minimum size for its class."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.problem import Severity
from labellint.rules._geometry import fmt_box, has_box, item_sizes, per_annotation
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class BboxTooSmall(Rule):
    """A box smaller than the spec's `min_width`, `min_height` or `min_area` for its class."""

    code = "LL203"
    name = "bbox-too-small"
    scope = Scope.ANNOTATION
    severity = Severity.WARNING

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        _, _, normalized = item_sizes(context)
        # Pixel thresholds mean nothing on normalized boxes without the image size.
        candidates = has_box(context) & ~normalized & (ds.ann_box[:, 2] > 0) & (ds.ann_box[:, 3] > 0)
        w, h = ds.ann_box[:, 2], ds.ann_box[:, 3]
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
                f"{ds.class_name(int(a))!r} box {fmt_box(ds.ann_box[a])} is below the minimum size"
                f" ({'; '.join(reasons)})",
                annotation=int(a),
            )
