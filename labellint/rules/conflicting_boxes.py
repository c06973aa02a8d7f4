"""LL206 conflicting-boxes: boxes of different classes overlap at IoU at or above the limit."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.problem import Severity
from labellint.rules._classes import spec_name_per_class
from labellint.rules._geometry import per_annotation, reaching_pairs
from labellint.rules.base import Finding, Rule, RuleContext, Scope

DEFAULT_CONFLICT_IOU = 0.9


class ConflictingBoxes(Rule):
    """Boxes of different classes overlap at IoU >= `geometry.conflict_iou` on one object.

    Pairs named in `geometry.allow_overlap` may overlap; when `priority` ranks the two classes
    the problem is put on the box that should go.
    """

    code = "LL206"
    name = "conflicting-boxes"
    scope = Scope.ITEM
    severity = Severity.WARNING

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds, spec = context.dataset, context.spec
        per_class = per_annotation(context, "conflict_iou", DEFAULT_CONFLICT_IOU)
        names = spec_name_per_class(context) if spec else [None] * len(ds.classes)
        display = [n or ref.name for n, ref in zip(names, ds.classes, strict=True)]
        allowed = _allowed_pairs(spec)
        rank = _priority_rank(spec.priority if spec else [])
        first, second, iou = reaching_pairs(context, per_class)
        differ = (
            (ds.ann_class[first] != ds.ann_class[second]) & (ds.ann_class[first] >= 0) & (ds.ann_class[second] >= 0)
        )
        limit = np.fmin(per_class[first], per_class[second])
        for k in np.flatnonzero(differ & (iou >= limit)):
            a, b = int(first[k]), int(second[k])
            name_a, name_b = display[ds.ann_class[a]], display[ds.ann_class[b]]
            if frozenset((name_a, name_b)) in allowed:
                continue
            winner = rank.get((name_a, name_b))
            loser = b if winner in (None, name_a) else a
            kept = a if loser == b else b
            advice = f"; priority says {winner!r} wins" if winner else ""
            yield Finding(
                f"{display[ds.ann_class[loser]]!r} box overlaps a {display[ds.ann_class[kept]]!r} box "
                f"at IoU {iou[k]:.2f} (limit {limit[k]:g}){advice}",
                annotation=loser,
                pair=kept,
            )


def _allowed_pairs(spec) -> set[frozenset[str]]:
    """Class pairs that may overlap: the dataset-wide list plus every class's own list."""
    if spec is None:
        return set()
    geometries = [spec.geometry, *(c.geometry for c in spec.classes.values() if c.geometry)]
    return {frozenset(pair) for g in geometries for pair in (g.allow_overlap or [])}


def _priority_rank(priority: list[list[str]]) -> dict[tuple[str, str], str]:
    """(class, class) -> the class that wins, from ordered priority lists."""
    winners: dict[tuple[str, str], str] = {}
    for ordered in priority:
        for i, high in enumerate(ordered):
            for low in ordered[i + 1 :]:
                winners.setdefault((high, low), high)
                winners.setdefault((low, high), high)
    return winners
