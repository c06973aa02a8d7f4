"""LL305 overlapping-spans: two spans of one annotator overlap on an item of an NER task."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._spans import span_rows
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class OverlappingSpans(Rule):
    """Two spans by the same annotator on one item overlap or nest, where the spec's task is
    `ner` (flat entities: each character belongs to at most one entity)."""

    code = "LL305"
    name = "overlapping-spans"
    scope = Scope.ITEM
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        if context.spec.task != "ner":
            return
        rows = span_rows(context)
        if len(rows) < 2:
            return
        # Group by (item, annotator): different annotators' spans are meant to overlap.
        group = ds.ann_item[rows].astype(np.int64) * (len(ds.annotators) + 1) + ds.annotator_index()[rows] + 1
        start, end = ds.ann_span[rows, 0], ds.ann_span[rows, 1]
        order = np.lexsort((-end, start, group))
        rows, group, start, end = rows[order], group[order], start[order], end[order]
        # Running maximum of `end` within each group, via an offset that makes groups increase.
        offset = int(max(end.max(), start.max())) + 1 if len(end) else 1
        reach = group * offset + end
        running = np.maximum.accumulate(reach)
        holder = np.maximum.accumulate(np.where(reach == running, np.arange(len(rows)), 0))
        previous, previous_holder = running[:-1], holder[:-1]
        overlaps = np.flatnonzero(group[1:] * offset + start[1:] < previous) + 1
        for k in overlaps:
            other = int(previous_holder[k - 1])
            a, b = int(rows[k]), int(rows[other])
            s, e, os, oe = int(start[k]), int(end[k]), int(start[other]), int(end[other])
            if (s, e) == (os, oe):
                how = "has the same offsets as"
            elif os <= s and e <= oe:
                how = "is nested inside"
            else:
                how = "overlaps"
            yield Finding(
                f"{ds.class_name(a)!r} span [{s}, {e}) {how} the {ds.class_name(b)!r} span [{os}, {oe})",
                annotation=a,
                identity=ds.annotation_identity(b),
            )
