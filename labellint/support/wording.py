"""Counts in words: `1 file`, `2 files`, `1,234 problems` (never `1 files`)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """`count` and the word, singular for exactly one (`many` when the plural is irregular)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
