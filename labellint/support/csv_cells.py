"""CSV reading without the csv module's 128 KiB cell limit (a long document is one cell)."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator

# The csv module refuses cells over 131,072 characters by default; a text-classification row
# can hold a whole document. The limit is process-wide, so raising it once is enough.
_LONGEST_CELL = min(sys.maxsize, 2**31 - 1)


def csv_rows(lines: Iterable[str], delimiter: str = ",") -> Iterator[list[str]]:
    """`csv.reader(lines, delimiter=...)` with cells of any length."""
    if csv.field_size_limit() < _LONGEST_CELL:
        csv.field_size_limit(_LONGEST_CELL)
    return csv.reader(lines, delimiter=delimiter)
