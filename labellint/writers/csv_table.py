"""CSV/TSV label tables: the label cells of renamed and merged classes rewritten; every other character kept."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from labellint.readers._encoding import UTF8_BOM
from labellint.readers.csv_table import TRUE_CELLS, CsvOptions, table_columns
from labellint.spec.migration import Migration
from labellint.support.csv_cells import CellSpan, RowSpan, row_spans
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer
from labellint.writers.voc import spliced


class CsvTableWriter(Writer):
    """Rewrites the label column's cells (one label, or several joined by the `separator` option).

    With --drop-removed a row whose label is of a removed class goes; in a cell of several labels
    only that label goes. One-hot columns are named in the config, so renaming them is refused.
    """

    reader = "csv"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


@dataclass(slots=True)
class _Table:
    """A label table as the writer sees it: the BOM, the text after it, its records and options."""

    bom: bytes
    text: str
    delimiter: str
    rows: list[RowSpan]
    options: CsvOptions


def _table(path: Path, context: WriteContext) -> _Table:
    """The file's records as the csv module (the reader) reads them, placed in the text."""
    display = context.display(path)
    try:
        options = msgspec.convert(context.options or {}, CsvOptions)
    except msgspec.ValidationError as exc:
        raise MigrationError(f"{display}: invalid csv reader options: {exc}") from None
    data = context.read_bytes(path)
    bom = UTF8_BOM if data.startswith(UTF8_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{display}: byte {exc.start + len(bom)} is not UTF-8; cannot rewrite it") from None
    delimiter = options.delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        rows = list(row_spans(text, delimiter))
    except (csv.Error, TypeError) as exc:
        raise MigrationError(f"{display}: cannot read the table: {exc}") from None
    return _Table(bom, text, delimiter, rows, options)


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    table = _table(path, context)
    edit = FileEdit(path, context.display(path))
    if not table.rows:
        return edit
    header = [v.strip() for v in table.rows[0].values]
    columns = table_columns(header, table.options)
    if isinstance(columns, str):
        raise MigrationError(f"{edit.display}:1: {columns}")
    if "onehot" in columns:
        _refuse_onehot_renames(columns["onehot"], plan, edit.display, context.drop_removed)
    edits: list[tuple[int, int, str]] = []
    for row in table.rows[1:]:
        if not "".join(row.values).strip():
            continue  # a blank row holds no labels (the reader skips it too)
        if len(row.values) != len(header):
            edit.notes.append(
                f"line {row.line}: not migrated: the row has {len(row.values)} cells, the header {len(header)}"
            )
            continue
        if "onehot" in columns:
            _list_onehot(row, columns["onehot"], plan, edit)
            continue
        edits += _label_cell(row, columns["label"], table, plan, edit, context.drop_removed)
    if edits:
        edit.new = table.bom + spliced(table.text, edits).encode("utf-8")
    return edit


def _label_cell(
    row: RowSpan, column: int, table: _Table, plan: Migration, edit: FileEdit, drop: bool
) -> list[tuple[int, int, str]]:
    """The edit of one label cell (or of the whole row, when its one label is dropped)."""
    separator, written_value = table.options.separator, row.values[column]
    parts = written_value.split(separator) if separator else [written_value]
    kept: list[str] = []
    written: dict[str, bool] = {}  # the names the cell holds after the migration -> relabelled?
    for part in parts:
        name = part.strip()
        if not name:
            kept.append(part)
            continue
        if name in plan.removed:
            edit.listed.append(Listed(edit.display, f"line {row.line}", name, "dropped" if drop else "removed"))
            if not drop:
                kept.append(part)
            continue
        target = plan.target(name)
        relabelled = target != name
        if target in written and (relabelled or written[target]):
            # A merge made two labels of the cell one class: one label says it.
            edit.notes.append(f"line {row.line}: '{name}' became '{target}', which the cell already holds: kept once")
            continue
        if relabelled:
            lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
            part = lead + target + trail
            edit.relabelled += 1
        written[target] = relabelled or written.get(target, False)
        kept.append(part)
    if not kept and not separator:
        return [(row.start, row.end, "")]
    value = separator.join(kept) if separator else kept[0]
    if value == written_value:
        return []
    try:
        cell = row.cell(column)  # placed only when it changes
    except ValueError as exc:  # never write a cell whose place is in doubt
        raise MigrationError(f"{edit.display}: {exc}; not rewritten") from None
    return [(cell.start, cell.end, _cell_text(value, cell, table.delimiter))]


def _cell_text(value: str, cell: CellSpan, delimiter: str) -> str:
    """`value` written as a cell: quoted when the cell was, or when it must be to read back the same."""
    if cell.quoted or any(c in value for c in (delimiter, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def _refuse_onehot_renames(onehot: list[tuple[str, int]], plan: Migration, display: str, drop: bool) -> None:
    """One-hot label columns are named in the header and in the config's `labels` option: both are
    the user's to change, and a merge would have to combine columns."""
    touched = [n for n, _ in onehot if plan.target(n) != n or (drop and n in plan.removed)]
    if touched:
        names = ", ".join(f"'{n}'" for n in touched)
        raise MigrationError(
            f"{display}:1: the one-hot label columns {names} change with the spec; rename or remove the "
            "columns and the `labels` option by hand (labellint does not rewrite a table's header)"
        )


def _list_onehot(row: RowSpan, onehot: list[tuple[str, int]], plan: Migration, edit: FileEdit) -> None:
    for name, position in onehot:
        if name in plan.removed and row.values[position].strip().lower() in TRUE_CELLS:
            edit.listed.append(Listed(edit.display, f"line {row.line}", name, "removed"))
