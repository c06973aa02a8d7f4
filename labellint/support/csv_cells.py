"""CSV reading without the csv module's 128 KiB cell limit (a long document is one cell), and cell positions."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

# The csv module refuses cells over 131,072 characters by default; a text-classification row
# can hold a whole document. The limit is process-wide, so raising it once is enough.
_LONGEST_CELL = min(sys.maxsize, 2**31 - 1)


def csv_rows(lines: Iterable[str], delimiter: str = ",") -> Iterator[list[str]]:
    """`csv.reader(lines, delimiter=...)` with cells of any length."""
    if csv.field_size_limit() < _LONGEST_CELL:
        csv.field_size_limit(_LONGEST_CELL)
    return csv.reader(lines, delimiter=delimiter)


def numbered_records(text: str, delimiter: str = ",") -> tuple[list[str], list[list[str]], Sequence[int]]:
    """The header row, the records after it, and the line each record starts on. A quoted cell
    may hold a newline, so a record's line is counted, not assumed to be its index + 2 (the
    common case, every record one line, is seen from the reader's line count and kept a range)."""
    reader = csv_rows(io.StringIO(text, newline=""), delimiter)
    header = next(reader, [])
    records = list(reader)
    if reader.line_num == len(records) + 1:
        return header, records, range(2, len(records) + 2)
    reader = csv_rows(io.StringIO(text, newline=""), delimiter)
    next(reader, None)
    lines, previous = [], reader.line_num
    for _ in reader:
        lines.append(previous + 1)
        previous = reader.line_num
    return header, records, lines


@dataclass(slots=True)
class CellSpan:
    """One cell's characters in the text (its quotes included) and the value the csv module reads."""

    start: int
    end: int
    quoted: bool
    value: str


# A quoted cell: a quote doubled inside is one quote, so the closing quote is one not followed by another.
_QUOTED = re.compile(r'"([^"]*(?:""[^"]*)*)"(?!")')


@dataclass(slots=True)
class RowSpan:
    """One record as the csv module reads it (`values`), its characters (line ending included) and
    the line it starts on. `cell(k)` places cell k: by counting in a record without quotes, else by
    reading the cells up to it, each checked against its value (ValueError naming the line when one
    differs: a cell whose place is in doubt is never written)."""

    start: int
    end: int
    line: int
    values: list[str]
    text: str = ""  # the whole text the record is in (a reference, not a copy)
    stop: re.Pattern[str] | None = None  # what ends an unquoted cell; None: the record has no quote
    delimiter: str = ","
    placed: list[CellSpan] = field(default_factory=list)

    def cell(self, k: int) -> CellSpan:
        if self.stop is None:
            start = self.start + sum(map(len, self.values[:k])) + k * len(self.delimiter)
            return CellSpan(start, start + len(self.values[k]), False, self.values[k])
        while len(self.placed) <= k:
            pos = self.placed[-1].end + len(self.delimiter) if self.placed else self.start
            cell = _cell(self.text, pos, self.stop)
            if cell.value != self.values[len(self.placed)]:
                raise ValueError(f"line {self.line}: cannot place the cells exactly")
            self.placed.append(cell)
        return self.placed[k]


def _cell(text: str, pos: int, stop: re.Pattern[str]) -> CellSpan:
    """The cell starting at `pos`, read as the csv module's default dialect reads it."""
    start, value, quoted = pos, "", text.startswith('"', pos)
    if quoted:
        match = _QUOTED.match(text, pos)
        if match is None:  # unterminated at the end of the text: the csv module takes what is there
            value, pos = text[pos + 1 :].replace('""', '"'), len(text)
        else:
            value, pos = match.group(1).replace('""', '"'), match.end()
    # After a closing quote, as in an unquoted cell, characters up to the delimiter or the line end belong to the cell.
    found = stop.search(text, pos)
    end = found.start() if found else len(text)
    return CellSpan(start, end, quoted, value + text[pos:end])


def row_spans(text: str, delimiter: str = ",") -> Iterator[RowSpan]:
    """Where each record of a CSV text is, so a writer can change one cell and keep every other
    character (quoting, line endings, other columns); a blank line is a record without cells.
    The csv module reads the values (csv.Error naming the line as it does)."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    stop = re.compile(f"[\r\n]|{re.escape(delimiter)}")
    pos, number = 0, 1
    records = csv_rows(lines(), delimiter)
    while True:
        try:
            values = next(records)
        except StopIteration:
            return
        except csv.Error as exc:
            raise csv.Error(f"line {number}: {exc}") from None
        length, taken = sum(map(len, consumed)), len(consumed)
        quoted = '"' in consumed[0] if taken == 1 else any('"' in line for line in consumed)
        consumed.clear()
        yield RowSpan(pos, pos + length, number, values, text, stop if quoted else None, delimiter)
        pos, number = pos + length, number + taken
