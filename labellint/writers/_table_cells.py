"""Label cells of CSV/TSV tables rewritten in place: only the cells of renamed and merged classes change."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from labellint.spec.migration import Migration
from labellint.support.csv_cells import CellSpan, RowSpan, row_spans
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, text_after_bom
from labellint.writers.voc import spliced


@dataclass(slots=True)
class LabelTable:
    """A label table as a writer sees it: the BOM, the text after it, its records (the header first)
    and the separator between several labels in one cell (None: one label a cell)."""

    bom: bytes
    text: str
    delimiter: str
    rows: list[RowSpan]
    separator: str | None = None

    @property
    def header(self) -> list[str]:
        return [v.strip() for v in self.rows[0].values] if self.rows else []


def read_table(path: Path, context: WriteContext, delimiter: str | None, separator: str | None = None) -> LabelTable:
    """The file's records as the csv module (the readers) reads them, placed in the text; the
    delimiter defaults to a tab for .tsv, else a comma."""
    display = context.display(path)
    data = context.read_bytes(path)
    bom, text = text_after_bom(data, display)
    delimiter = delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        rows = list(row_spans(text, delimiter))
    except (csv.Error, TypeError) as exc:
        raise MigrationError(f"{display}: cannot read the table: {exc}") from None
    return LabelTable(bom, text, delimiter, rows, separator)


def data_rows(table: LabelTable, edit: FileEdit) -> Iterator[RowSpan]:
    """The records after the header that hold labels; a row whose cells do not match the header
    is noted as not migrated (the readers report it), a blank one is skipped (they skip it too)."""
    width = len(table.rows[0].values) if table.rows else 0
    for row in table.rows[1:]:
        if not "".join(row.values).strip():
            continue
        if len(row.values) != width:
            edit.notes.append(f"line {row.line}: not migrated: the row has {len(row.values)} cells, the header {width}")
            continue
        yield row


def rewrite_label_column(table: LabelTable, column: int, plan: Migration, edit: FileEdit, drop: bool) -> None:
    """Rewrites the label cells of column `column` for the migration (with `drop`, a row whose one
    label is of a removed class goes); sets `edit.new` when a byte changes."""
    edits: list[tuple[int, int, str]] = []
    for row in data_rows(table, edit):
        edits += _label_cell(row, column, table, plan, edit, drop)
    if edits:
        edit.new = table.bom + spliced(table.text, edits).encode("utf-8")


def _label_cell(
    row: RowSpan, column: int, table: LabelTable, plan: Migration, edit: FileEdit, drop: bool
) -> list[tuple[int, int, str]]:
    """The edit of one label cell (or of the whole row, when its one label is dropped)."""
    separator, written_value = table.separator, row.values[column]
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


def refuse_onehot_renames(onehot: list[tuple[str, int]], plan: Migration, display: str, drop: bool) -> None:
    """One-hot label columns are named in the header (and maybe in the config's `labels` option):
    both are the user's to change, and a merge would have to combine columns."""
    touched = [n for n, _ in onehot if plan.target(n) != n or (drop and n in plan.removed)]
    if touched:
        names = ", ".join(f"'{n}'" for n in touched)
        raise MigrationError(
            f"{display}:1: the one-hot label columns {names} change with the spec; rename or remove the "
            "columns and the `labels` option by hand (labellint does not rewrite a table's header)"
        )


def list_onehot(
    row: RowSpan, onehot: list[tuple[str, int]], plan: Migration, edit: FileEdit, true_cells: set[str]
) -> None:
    """Lists the removed classes a one-hot row marks (a cell in `true_cells`)."""
    for name, position in onehot:
        if name in plan.removed and row.values[position].strip().lower() in true_cells:
            edit.listed.append(Listed(edit.display, f"line {row.line}", name, "removed"))


__all__ = ["LabelTable", "data_rows", "list_onehot", "read_table", "refuse_onehot_renames", "rewrite_label_column"]
