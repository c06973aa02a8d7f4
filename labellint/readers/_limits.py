"""Input that breaks a parser's limits (nesting, 64-bit integers) as an LL001 at its line."""

from __future__ import annotations

import re

from labellint.model import ReaderIssue
from labellint.readers.base import issue

# Deeper than any label file needs, shallow enough for every parser and for Python's stack.
MAX_NESTING = 200
_BIG_INTEGER = re.compile(rb"(?<![\w.])-?\d{19,}(?![\w.])")
_INT64 = (-(2**63), 2**63 - 1)


def limit_issue(exc: BaseException, display: str, data: bytes) -> ReaderIssue | None:
    """The LL001 for a file that a reader could not read because it is too deep or a number too
    large; None when the exception is not about such a limit (a reader bug: a crash)."""
    if isinstance(exc, RecursionError):
        line, column = _too_deep(data)
        return issue(
            "LL001", f"nested more than {MAX_NESTING} levels deep: not read", display, line=line, column=column
        )
    if isinstance(exc, OverflowError):
        for match in _BIG_INTEGER.finditer(data):
            if not _INT64[0] <= int(match.group()) <= _INT64[1]:
                line, column = _position(data, match.start())
                return issue(
                    "LL001",
                    f"integer {match.group()[:30].decode()} is outside the 64-bit range labellint reads: not read",
                    display,
                    line=line,
                    column=column,
                )
        return issue("LL001", "a number too large to read: not read", display)
    return None


def _too_deep(data: bytes) -> tuple[int | None, int | None]:
    """Where JSON-like nesting first passes MAX_NESTING (strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for offset, byte in enumerate(data):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in b"[{":
            depth += 1
            if depth > MAX_NESTING:
                return _position(data, offset)
        elif byte in b"]}":
            depth -= 1
    return None, None


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column of a byte offset."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1
