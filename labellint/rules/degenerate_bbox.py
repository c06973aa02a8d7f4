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
            yield Finding(f"box {fmt_box(boxes[a])} has {_sides(boxes[a, 2], boxes[a, 3])}", annotation=int(a))


def _sides(width: float, height: float) -> str:
    """ "no height", "negative width and height", "negative width and no height"."""

    def kind(value: float) -> str:
        return "" if value > 0 else "no" if value == 0 else "negative"

    w, h = kind(width), kind(height)
    if w and h:
        return f"{w} width and height" if w == h else f"{w} width and {h} height"
    return f"{w} width" if w else f"{h} height"
