"""Long tables of ratings (item, annotator, label) from CSV, TSV or JSONL files.

A bad row (too few fields, an empty id or label, a line that is not a JSON object) is reported
as a :class:`RowProblem` naming the file and line and skipped; a missing file or column is a
:class:`~labellint.errors.UsageError`. Labels that all read as numbers become numbers (ints
when they all are integers), so ordinal, interval and ratio statistics work on them.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from labellint.errors import UsageError
from labellint.quality.prodigy import is_prodigy_export, prodigy_rows
from labellint.quality.ratings import Ratings
from labellint.support.csv_cells import csv_rows
from labellint.support.jsonl_lines import json_objects

# Column names tried, in order, when the caller did not name a role's column.
DEFAULT_COLUMNS = {
    "item": ("item",),
    "annotator": ("annotator", "worker", "rater"),
    "label": ("label",),
}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
TAB_SUFFIXES = {".tsv", ".tab", ".txt"}


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One skipped row: where it is and why."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class TableColumns:
    """Which columns hold the item id, the annotator id and the label (None: the default names)."""

    item: str | None = None
    annotator: str | None = None
    label: str | None = None


def load_ratings_table(
    path: str | Path,
    columns: TableColumns | None = None,
    *,
    names: Sequence[str] | None = None,
    header: bool = True,
    categories: Sequence[str] | None = None,
    data: bytes | None = None,
    display: str | None = None,
) -> tuple[Ratings, list[RowProblem]]:
    """Reads a long table of ratings; returns the ratings and the rows that were skipped.

    ``names`` gives the column names in file order (required with ``header=False``; with a
    header it replaces the header's names). ``categories`` declares the category order.
    ``data`` gives the file's bytes (e.g. read at a git revision) instead of reading ``path``.
    """
    path = Path(path)
    display = display or path.as_posix()
    if data is None and not path.is_file():
        raise UsageError(f"{display}: file not found")
    columns = columns or TableColumns()
    problems: list[RowProblem] = []
    triples: list[tuple[str, str, str]] = []
    if path.suffix.lower() in JSONL_SUFFIXES:
        if names or not header:
            raise UsageError(f"{display}: --columns and --no-header apply to CSV/TSV tables, not JSONL")
        rows = (
            _prodigy_triples(path, display, problems, data)
            if columns == TableColumns() and _first_line_is_prodigy(path, display, data)
            else _jsonl_rows(path, display, columns, problems, data)
        )
    else:
        clean = _clean_delimited_columns(path, display, columns, names, header, data)
        if clean is not None:
            return _columns_to_ratings(*clean, categories, display), problems
        rows = _delimited_rows(path, display, columns, names, header, problems, data)
    for triple in rows:
        triples.append(triple)
    if not triples:
        raise UsageError(f"{display}: no ratings could be read ({len(problems)} bad rows)")
    return _to_ratings(triples, categories, display), problems


def _clean_delimited_columns(
    path: Path,
    display: str,
    columns: TableColumns,
    names: Sequence[str] | None,
    header: bool,
    data: bytes | None,
) -> tuple[list[str], list[str], list[str]] | None:
    """The three columns at C speed when the table is clean, else None (then rows are checked one by one).

    Clean: every row has the needed fields, no value is empty or padded with spaces. Real
    exports usually are, and checking whole columns avoids a Python step per row (1M rows:
    about 1 s instead of 9 s); any irregularity falls back to the row-by-row reader, which
    reports bad rows with their line numbers.
    """
    if not header and not names:
        return None
    with open_text(path, display, data, newline="") as stream:
        delimiter = _delimiter(path, stream)
        try:
            rows = list(csv_rows(stream, delimiter))
        except (csv.Error, UnicodeDecodeError):
            return None
    if header:
        if not rows:
            return None
        field_names = list(names) if names else [name.strip() for name in rows[0]]
        body = rows[1:]
    else:
        field_names, body = list(names or ()), rows
    indexes = _column_indexes(field_names, columns, display)
    if not body or min(map(len, body)) < max(indexes) + 1:
        return None
    found = [list(map(operator.itemgetter(index), body)) for index in indexes]
    for column in found:
        if "" in column or not all(map(str.__eq__, column, map(str.strip, column))):
            return None
    return found[0], found[1], found[2]


def _delimited_rows(
    path: Path,
    display: str,
    columns: TableColumns,
    names: Sequence[str] | None,
    header: bool,
    problems: list[RowProblem],
    data: bytes | None = None,
) -> Iterator[tuple[str, str, str]]:
    if not header and not names:
        raise UsageError(f"{display}: a table without a header needs --columns (e.g. worker,item,label)")
    stream = open_text(path, display, data, newline="")
    with stream:
        delimiter = _delimiter(path, stream)
        reader = csv_rows(stream, delimiter)
        field_names: list[str] | None = list(names) if names else None
        try:
            if header:
                first = next(reader, None)
                if first is None:
                    raise UsageError(f"{display}: the table is empty")
                if field_names is None:
                    field_names = [name.strip() for name in first]
            assert field_names is not None
            indexes = _column_indexes(field_names, columns, display)
            needed = max(indexes) + 1
            for row in reader:
                if not row or all(not cell.strip() for cell in row):
                    continue
                line = reader.line_num
                if len(row) < needed:
                    problems.append(RowProblem(display, line, f"expected at least {needed} fields, found {len(row)}"))
                    continue
                values = [row[index].strip() for index in indexes]
                problem = _empty_field(values, field_names, indexes)
                if problem:
                    problems.append(RowProblem(display, line, problem))
                    continue
                yield values[0], values[1], values[2]
        except csv.Error as exc:
            raise UsageError(f"{display}:{reader.line_num}: unreadable CSV: {exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{display}: not UTF-8 text") from None


def open_text(path: Path, display: str, data: bytes | None, newline: str | None = None) -> TextIO:
    """A text stream over the file, or over ``data`` when the bytes were read elsewhere (git)."""
    if data is not None:
        try:
            return io.StringIO(data.decode("utf-8-sig"), newline=newline)
        except UnicodeDecodeError:
            raise UsageError(f"{display}: not UTF-8 text") from None
    try:
        return path.open(newline=newline, encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{display}: cannot read: {exc.strerror or exc}") from None


def load_label_pairs(
    path: str | Path,
    *,
    item_col: str | None = None,
    label_col: str | None = None,
    data: bytes | None = None,
    display: str | None = None,
) -> tuple[dict[str, str], list[RowProblem]]:
    """An item -> label table (a golden set, or one annotator's labels) from CSV, TSV or JSONL.

    CSV/TSV: a header naming the item and label columns (default ``item`` and ``label``), or
    no header at all, when the first two columns are taken as item and label (the
    Get-Another-Label ``gold.txt`` layout). A repeated item keeps its last label.
    """
    path = Path(path)
    display = display or path.as_posix()
    if data is None and not path.is_file():
        raise UsageError(f"{display}: file not found")
    item_key, label_key = item_col or "item", label_col or "label"
    problems: list[RowProblem] = []
    pairs: dict[str, str] = {}
    if path.suffix.lower() in JSONL_SUFFIXES:
        columns = TableColumns(item=item_key, annotator=item_key, label=label_key)
        for item, _, label in _jsonl_rows(path, display, columns, problems, data):
            pairs[item] = label
        return pairs, problems
    with open_text(path, display, data, newline="") as stream:
        delimiter = _delimiter(path, stream)
        reader = csv_rows(stream, delimiter)
        first = next(reader, None)
        if first is None:
            raise UsageError(f"{display}: the table is empty")
        names = [cell.strip() for cell in first]
        if item_key in names and label_key in names:
            item_index, label_index = names.index(item_key), names.index(label_key)
            rows = reader
        elif item_col or label_col:
            raise UsageError(f"{display}: no column {item_key!r} and {label_key!r} (columns: {', '.join(names)})")
        else:
            item_index, label_index = 0, 1
            rows = itertools.chain([first], reader)
        for row in rows:
            if not row or all(not cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) <= max(item_index, label_index):
                problems.append(RowProblem(display, line, f"expected an item and a label, found {len(row)} fields"))
                continue
            item, label = row[item_index].strip(), row[label_index].strip()
            if not item or not label:
                problems.append(RowProblem(display, line, "empty item or label"))
                continue
            pairs[item] = label
    return pairs, problems


def _delimiter(path: Path, stream) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return ","
    if suffix in TAB_SUFFIXES:
        return "\t"
    first_line = stream.readline()
    stream.seek(0)
    return "\t" if "\t" in first_line else ","


def _column_indexes(field_names: Sequence[str], columns: TableColumns, display: str) -> tuple[int, int, int]:
    position = {name: index for index, name in enumerate(field_names)}
    indexes = []
    for role in ("item", "annotator", "label"):
        wanted = getattr(columns, role)
        candidates = (wanted,) if wanted else DEFAULT_COLUMNS[role]
        found = next((position[name] for name in candidates if name in position), None)
        if found is None:
            available = ", ".join(field_names) or "none"
            raise UsageError(f"{display}: no {role} column {candidates[0]!r} (columns: {available})")
        indexes.append(found)
    return indexes[0], indexes[1], indexes[2]


def _empty_field(values: Sequence[str], field_names: Sequence[str], indexes: Sequence[int]) -> str | None:
    for value, index in zip(values, indexes, strict=True):
        if not value:
            return f"empty {field_names[index]!r}"
    return None


def _first_line_is_prodigy(path: Path, display: str, data: bytes | None) -> bool:
    """Whether a JSONL file is a Prodigy export (read by its own keys unless columns are named)."""
    with open_text(path, display, data) as stream:
        first = next((line for line in stream if line.strip()), "")
    return is_prodigy_export(first.encode("utf-8"))


def _prodigy_triples(
    path: Path, display: str, problems: list[RowProblem], data: bytes | None
) -> Iterator[tuple[str, str, str]]:
    with open_text(path, display, data) as stream:
        for line, row in prodigy_rows(stream):
            if isinstance(row, str):
                problems.append(RowProblem(display, line, row))
            else:
                yield row


def _jsonl_rows(
    path: Path, display: str, columns: TableColumns, problems: list[RowProblem], data: bytes | None = None
) -> Iterator[tuple[str, str, str]]:
    keys = [getattr(columns, role) or DEFAULT_COLUMNS[role] for role in ("item", "annotator", "label")]
    key_choices = [(key,) if isinstance(key, str) else key for key in keys]
    stream = open_text(path, display, data)
    seen_any_key = [False, False, False]
    n_objects = 0
    with stream:
        try:
            for line_number, record in json_objects(stream):
                if isinstance(record, str):
                    problems.append(RowProblem(display, line_number, record))
                    continue
                n_objects += 1
                values = []
                for role_index, choices in enumerate(key_choices):
                    key = next((name for name in choices if name in record), None)
                    if key is not None:
                        seen_any_key[role_index] = True
                    values.append((key or choices[0], None if key is None else record[key]))
                problems_here = [_json_value_problem(key, value) for key, value in values]
                problem = next((found for found in problems_here if found), None)
                if problem:
                    problems.append(RowProblem(display, line_number, problem))
                    continue
                yield tuple(_json_text(value) for _, value in values)  # type: ignore[misc]
        except UnicodeDecodeError:
            raise UsageError(f"{display}: not UTF-8 text") from None
    if n_objects:
        for role, seen, choices in zip(("item", "annotator", "label"), seen_any_key, key_choices, strict=True):
            if not seen:
                raise UsageError(f"{display}: no {role} key {choices[0]!r} in any record")


def _json_value_problem(key: str, value) -> str | None:
    if value is None:
        return f"missing or null {key!r}"
    if isinstance(value, (dict, list)):
        return f"{key!r} is not a scalar"
    if isinstance(value, str) and not value.strip():
        return f"empty {key!r}"
    return None


def _json_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _to_ratings(triples: list[tuple[str, str, str]], categories: Sequence[str] | None, display: str) -> Ratings:
    items = [triple[0] for triple in triples]
    annotators = [triple[1] for triple in triples]
    return _columns_to_ratings(items, annotators, [triple[2] for triple in triples], categories, display)


def _columns_to_ratings(
    items: list[str], annotators: list[str], labels: list, categories: Sequence[str] | None, display: str
) -> Ratings:
    declared: list | None = list(categories) if categories is not None else None
    candidates = declared if declared is not None else sorted(set(labels))
    parse = _numeric_parser(candidates)
    if parse is not None and (declared is not None or _numeric_parser(labels) is not None):
        try:
            labels = [parse(label) for label in labels]
        except ValueError:
            pass  # a label outside the numeric categories: reported as unknown below
        else:
            declared = [parse(category) for category in declared] if declared is not None else None
    try:
        return Ratings.from_long(items, annotators, labels, categories=declared)
    except ValueError as exc:
        raise UsageError(f"{display}: {exc}") from None


def _numeric_parser(values: Sequence[str]):
    """``int`` or ``float`` when every value reads as one (finite), else None."""
    if not values:
        return None
    try:
        for value in values:
            int(value)
        return int
    except ValueError:
        pass
    try:
        for value in values:
            if not math.isfinite(float(value)):
                return None
        return float
    except ValueError:
        return None
