"""LL306 span-boundary-whitespace: a span starts or ends with whitespace or punctuation."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import numpy as np
from pydantic import Field

from labellint.problem import Severity
from labellint.rules._spans import quote, span_rows, text_lengths
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope

# Punctuation that never begins an entity, and that never ends one. Brackets and quotes are
# judged by balance instead (`(RCPD)` and `"Jaws"` are fine), a final period by abbreviation.
LEADING = ".,;:!?)]}"
TRAILING = ",;:([{"
PAIRS = {"(": ")", "[": "]", "{": "}"}
QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"  # straight, curly and angle quotes


class Options(RuleOptions):
    leading: str = Field(LEADING, description="Characters a span may not start with (besides whitespace).")
    trailing: str = Field(TRAILING, description="Characters a span may not end with (besides whitespace).")
    check_period: bool = Field(
        True, description="Flag a final '.' unless the last word looks like an abbreviation (Inc., U.S.)."
    )


class SpanBoundaryWhitespace(Rule):
    """A span that starts or ends with whitespace or stray punctuation (unbalanced brackets or
    quotes, a sentence period), so its offsets do not match the entity's tokens."""

    code = "LL306"
    name = "span-boundary-whitespace"
    scope = Scope.ANNOTATION
    # A warning: the entity is still there, but models trained on token-aligned spans learn
    # ragged edges and the span will not align with the tokenizer.
    severity = Severity.WARNING
    Options = Options

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        rows = span_rows(context)
        if not len(rows):
            return
        spans = ds.ann_span[rows]
        lengths = text_lengths(context)[ds.ann_item[rows]]
        valid = (spans[:, 0] < spans[:, 1]) & (spans[:, 1] <= lengths)  # others are LL304's
        rows = rows[valid]
        texts, items = ds.item_text, ds.ann_item[rows].tolist()
        starts, ends = ds.ann_span[rows, 0].tolist(), ds.ann_span[rows, 1].tolist()
        # Only the edge characters decide; look at them as code-point arrays, then explain the
        # few suspicious spans one by one.
        first = _code_points("".join([texts[i][s] for i, s in zip(items, starts, strict=True)]))
        last = _code_points("".join([texts[i][e - 1] for i, e in zip(items, ends, strict=True)]))
        options = self.options
        suspicious_first = _codes(options.leading + "".join(PAIRS) + QUOTES)
        suspicious_last = _codes(options.trailing + "".join(PAIRS.values()) + QUOTES + ".")
        candidates = (
            np.isin(first, whitespace())
            | np.isin(last, whitespace())
            | np.isin(first, suspicious_first)
            | np.isin(last, suspicious_last)
        )
        for k in np.flatnonzero(candidates).tolist():
            s, e = starts[k], ends[k]
            covered = texts[items[k]][s:e]
            reason = self.reason(covered)
            if reason:
                yield Finding(f"span [{s}, {e}) {quote(covered)} {reason}", annotation=int(rows[k]), identity=reason)

    def reason(self, covered: str) -> str | None:
        first, last = covered[0], covered[-1]
        if first.isspace():
            return "starts with whitespace"
        if last.isspace():
            return "ends with whitespace"
        if first in self.options.leading and not (first == "." and covered[1:2].isdigit()):  # .308 rifle
            return f"starts with {first!r}"
        if last in self.options.trailing:
            return f"ends with {last!r}"
        for opener, closer in PAIRS.items():
            if first == opener and closer not in covered:
                return f"starts with an unclosed {first!r}"
            if last == closer and opener not in covered:
                return f"ends with an unopened {last!r}"
        for char in (first, last):
            if char in QUOTES and sum(covered.count(q) for q in QUOTES) % 2:
                where = "starts" if char == first else "ends"
                return f"{where} with an unmatched quote {char!r}"
        if self.options.check_period and last == "." and not _abbreviation(covered):
            return "ends with a sentence period"
        return None


def _code_points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), np.uint32)


def _codes(chars: str) -> np.ndarray:
    return np.array(sorted({ord(c) for c in chars}), np.uint32)


@cache
def whitespace() -> np.ndarray:
    """Every whitespace code point (the last one is U+3000, the ideographic space); made when a
    file has spans, not at start-up (12,289 characters asked: 2 ms)."""
    return np.array([c for c in range(0x3001) if chr(c).isspace()], np.uint32)


def _abbreviation(covered: str) -> bool:
    """`Inc.`, `U.S.`, `Dr.`, `St.`: short last word, or another period inside it."""
    word = covered.rsplit(None, 1)[-1]
    return len(word) <= 4 or "." in word[:-1]
