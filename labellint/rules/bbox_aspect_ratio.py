"""LL204 bbox-aspect-ratio: a box whose width/height is outside the spec's range for its class."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.problem import Severity
from labellint.rules._geometry import class_setting, fmt_box, has_box, item_sizes
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class BboxAspectRatio(Rule):
    """A box whose width/height ratio is outside `geometry.aspect_ratio` for its class."""

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
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = ds.ann_box[:, 2] / ds.ann_box[:, 3]
            outside = candidates & ((ratio < low) | (ratio > high))
        for a in np.flatnonzero(outside):
            yield Finding(
                f"{ds.class_name(int(a))!r} box {fmt_box(ds.ann_box[a])} has aspect ratio {ratio[a]:.3g} "
                f"(width/height), outside [{low[a]:g}, {high[a]:g}]",
                annotation=int(a),
            )
