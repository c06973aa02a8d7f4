"""CSV/TSV label tables: the label cells of renamed and merged classes rewritten; every other character kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from labellint.readers.csv_table import TRUE_CELLS, CsvOptions, table_columns
from labellint.spec.migration import Migration
from labellint.writers._table_cells import (
    data_rows,
    list_onehot,
    read_table,
    refuse_onehot_renames,
    rewrite_label_column,
)
from labellint.writers.base import FileEdit, MigrationError, WriteContext, Writer


class CsvTableWriter(Writer):
    """Rewrites the label column's cells (one label, or several joined by the `separator` option).

    With --drop-removed a row whose label is of a removed class goes; in a cell of several labels
    only that label goes. One-hot columns are named in the config, so renaming them is refused.
    """

    reader = "csv"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    edit = FileEdit(path, context.display(path))
    try:
        options = msgspec.convert(context.options or {}, CsvOptions)
    except msgspec.ValidationError as exc:
        raise MigrationError(f"{edit.display}: invalid csv reader options: {exc}") from None
    table = read_table(path, context, options.delimiter, options.separator)
    if not table.rows:
        return edit
    columns = table_columns(table.header, options)
    if isinstance(columns, str):
        raise MigrationError(f"{edit.display}:1: {columns}")
    if "onehot" in columns:
        refuse_onehot_renames(columns["onehot"], plan, edit.display, context.drop_removed)
        for row in data_rows(table, edit):
            list_onehot(row, columns["onehot"], plan, edit, TRUE_CELLS)
        return edit
    rewrite_label_column(table, columns["label"], plan, edit, context.drop_removed)
    return edit
