"""CSV reading without the csv module's 128 KiB cell limit (a long document is one cell), and cell positions."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# The csv module refuses cells over 131,072 characters by default; a text-classification row
# can hold a whole document. The limit is process-wide, so raising it once is enough.
_LONGEST_CELL = min(sys.maxsize, 2**31 - 1)


def csv_rows(lines: Iterable[str], delimiter: str = ",") -> Iterator[list[str]]:
    """`csv.reader(lines, delimiter=...)` with cells of any length."""
    if csv.field_size_limit() < _LONGEST_CELL:
        csv.field_size_limit(_LONGEST_CELL)
    return csv.reader(lines, delimiter=delimiter)


@dataclass(slots=True)
class CellSpan:
    """One cell's characters in the text (its quotes included) and the value the csv module reads."""

    start: int
    end: int
    quoted: bool
    value: str


@dataclass(slots=True)
class RowSpan:
    """One record: its characters (line ending included), the line it starts on, and its cells."""

    start: int
    end: int
    line: int
    cells: list[CellSpan]


def _newlines(text: str) -> int:
    """Line breaks in `text` as the csv module counts lines (`\\r\\n`, `\\r` and `\\n` are one each)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _cell(text: str, pos: int, delimiter: str) -> CellSpan:
    """The cell starting at `pos`, read as the csv module's default dialect reads it."""
    start, value = pos, ""
    quoted = text.startswith('"', pos)
    if quoted:
        pos += 1
        while True:
            close = text.find('"', pos)
            if close < 0:  # unterminated at the end of the text: the csv module takes what is there
                value, pos = value + text[pos:], len(text)
                break
            value += text[pos:close]
            if text.startswith('""', close):
                value, pos = value + '"', close + 2
                continue
            pos = close + 1
            break
    # After a closing quote, as in an unquoted cell, characters up to the delimiter or the line end belong to the cell.
    end = pos
    while end < len(text) and text[end] not in "\r\n" and not text.startswith(delimiter, end):
        end += 1
    return CellSpan(start, end, quoted, value + text[pos:end])


def row_spans(text: str, delimiter: str = ",") -> Iterator[RowSpan]:
    """Where each record and cell of a CSV text is, so a writer can change one cell and keep every
    other character (quoting, line endings, other columns); a blank line is a record without cells."""
    pos, line = 0, 1
    while pos < len(text):
        start, cells = pos, []
        while not text.startswith(("\r", "\n"), pos) and pos < len(text):
            cell = _cell(text, pos, delimiter)
            cells.append(cell)
            pos = cell.end
            if text.startswith(delimiter, pos):
                pos += len(delimiter)
                if pos >= len(text) or text.startswith(("\r", "\n"), pos):
                    cells.append(CellSpan(pos, pos, False, ""))  # a trailing delimiter ends with an empty cell
        pos += 2 if text.startswith("\r\n", pos) else 1 if pos < len(text) else 0
        yield RowSpan(start, pos, line, cells)
        line += _newlines(text[start:pos])
