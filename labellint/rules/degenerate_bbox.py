"""LL202 degenerate-bbox: zero or negative width/height, or non-finite coordinates."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._geometry import fmt_box
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class DegenerateBbox(Rule):
    """A box with zero or negative width or height, or a coordinate that is not a finite number."""

    code = "LL202"
    name = "degenerate-bbox"
    scope = Scope.ANNOTATION

    def check(self, context: RuleContext) -> Iterator[Finding]:
        boxes = context.dataset.ann_box
        present = ~np.isnan(boxes).all(axis=1)
        finite = np.isfinite(boxes).all(axis=1)
        with np.errstate(invalid="ignore"):
            flat = finite & ((boxes[:, 2] <= 0) | (boxes[:, 3] <= 0))
        for a in np.flatnonzero(present & ~finite):
            yield Finding(f"box {fmt_box(boxes[a])} has a coordinate that is not a finite number", annotation=int(a))
        for a in np.flatnonzero(present & flat):
            w, h = boxes[a, 2], boxes[a, 3]
            side = "width and height" if w <= 0 and h <= 0 else ("width" if w <= 0 else "height")
            yield Finding(
                f"box {fmt_box(boxes[a])} has {'no' if min(w, h) == 0 else 'negative'} {side}",
                annotation=int(a),
            )
