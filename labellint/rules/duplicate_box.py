"""LL205 duplicate-box: two boxes of the same class on one item with IoU at or above the limit."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._geometry import per_annotation, reaching_pairs
from labellint.rules.base import Finding, Rule, RuleContext, Scope

DEFAULT_DUPLICATE_IOU = 0.9


class DuplicateBox(Rule):
    """Two boxes of the same class on one item overlap at IoU >= `geometry.duplicate_iou`
    (one problem per pair, on the later box)."""

    code = "LL205"
    name = "duplicate-box"
    scope = Scope.ITEM

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        limits = per_annotation(context, "duplicate_iou", DEFAULT_DUPLICATE_IOU)
        first, second, iou = reaching_pairs(context, limits)
        same = (ds.ann_class[first] == ds.ann_class[second]) & (ds.ann_class[first] >= 0)
        limit = limits[first]
        for k in np.flatnonzero(same & (iou >= limit)):
            a, b = int(first[k]), int(second[k])
            other = ds.annotation_location(a)
            if other.annotation:
                ref = f"annotation {other.annotation}"
            elif other.line:
                ref = f"the box on line {other.line}"
            else:
                ref = f"the box at {other.pointer}"
            yield Finding(
                f"duplicate {ds.class_name(b)!r} box: IoU {iou[k]:.2f} with {ref} (limit {limit[k]:g})",
                annotation=b,
                pair=a,
            )
