"""LL304 span-text-mismatch: a span's offsets do not cover its stated text, or run past the text."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._spans import quote, span_rows, text_lengths
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class SpanTextMismatch(Rule):
    """A span whose offsets run past its item's text, are reversed or empty, or do not cover the
    text the annotation states it covers."""

    code = "LL304"
    name = "span-text-mismatch"
    scope = Scope.ANNOTATION

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        rows = span_rows(context)
        if not len(rows):
            return
        start, end = ds.ann_span[rows, 0], ds.ann_span[rows, 1]
        length = text_lengths(context)[ds.ann_item[rows]]
        bad_range = (end > length) | (end <= start)
        for k in np.flatnonzero(bad_range):
            a, s, e, n = int(rows[k]), int(start[k]), int(end[k]), int(length[k])
            if e <= s:
                message = f"span [{s}, {e}) is empty or reversed (end must be greater than start)"
            else:
                message = f"span [{s}, {e}) runs past the end of the text ({n} characters)"
            yield Finding(message, annotation=a, identity="range")
        # Stated texts: one slice comparison per stated span with a valid range (a tight loop;
        # the text has to be looked at).
        valid = np.zeros(ds.n_annotations, bool)
        valid[rows[~bad_range]] = True
        stated_rows = np.fromiter(ds.ann_text.keys(), np.int64, count=len(ds.ann_text))
        stated_rows = stated_rows[valid[stated_rows]]
        texts, stated_texts = ds.item_text, ds.ann_text
        items = ds.ann_item[stated_rows].tolist()
        starts, ends = ds.ann_span[stated_rows, 0].tolist(), ds.ann_span[stated_rows, 1].tolist()
        keys = stated_rows.tolist()
        differ = [
            k
            for k, (a, i, s, e) in enumerate(zip(keys, items, starts, ends, strict=True))
            if texts[i][s:e] != stated_texts[a]
        ]
        for k in differ:
            a, s, e = keys[k], starts[k], ends[k]
            stated = stated_texts[a]
            actual = texts[items[k]][s:e]
            hint = _shift_hint(texts[items[k]], stated, s)
            yield Finding(
                f"span [{s}, {e}) covers {quote(actual)} but its text says {quote(stated)}{hint}",
                annotation=a,
                identity="text",
            )


def _shift_hint(text: str, stated: str, start: int) -> str:
    """Where the stated text really is, when it occurs near the offsets (a common off-by-n)."""
    if not stated:
        return ""
    window_start = max(0, start - 200)
    found = text.find(stated, window_start, start + len(stated) + 200)
    if found < 0:
        return "; that text is not near these offsets"
    return f"; it is at [{found}, {found + len(stated)})"
