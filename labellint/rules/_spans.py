"""Helpers for text rules: which annotations are spans, and the length of each item's text."""

from __future__ import annotations

import numpy as np

from labellint.rules.base import RuleContext


def span_rows(context: RuleContext) -> np.ndarray:
    """Indexes of annotations that are text spans on an item with text."""
    ds = context.dataset
    if not ds.item_text or not len(ds.ann_span):
        return np.empty(0, np.int64)
    lengths = text_lengths(context)
    item = ds.ann_item
    has_text = np.zeros(ds.n_annotations, bool)
    known = item >= 0
    has_text[known] = lengths[item[known]] >= 0
    return np.flatnonzero((ds.spans()[:, 0] >= 0) & has_text)


def text_lengths(context: RuleContext) -> np.ndarray:
    """Length of each item's text, -1 where the item has none (cached: several rules need it)."""
    ds = context.dataset
    if "text_lengths" not in context.cache:
        texts = ds.item_text or [None] * ds.n_items
        context.cache["text_lengths"] = np.fromiter(
            (-1 if t is None else len(t) for t in texts), np.int64, count=ds.n_items
        )
    return context.cache["text_lengths"]


def quote(text: str, limit: int = 40) -> str:
    """A short, repr-quoted excerpt for messages."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
