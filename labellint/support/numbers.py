"""Whether a text is a number as Python's `float` reads it (readers' messages, writers' quoting)."""

from __future__ import annotations


def is_float_text(text: str) -> bool:
    """True when `float(text)` succeeds (`nan`, `inf` and `1_0` included, as the readers convert)."""
    try:
        float(text)
    except ValueError:
        return False
    return True
