"""Image classification tables (`filename,label`) and box tables (`filename,...,class,xmin,...`):
the class cells of renamed and merged classes rewritten; every other character kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from labellint.readers.box_tables import class_column
from labellint.readers.classification import image_table_roles
from labellint.spec.migration import Migration
from labellint.writers._table_cells import (
    data_rows,
    list_onehot,
    read_table,
    refuse_onehot_renames,
    rewrite_label_column,
)
from labellint.writers.base import FileEdit, MigrationError, WriteContext, Writer

# The cells the image_csv reader reads as a one-hot label that applies.
IMAGE_TRUE_CELLS = {"1", "1.0", "true"}


class ImageTableWriter(Writer):
    """Rewrites an image classification table's label cells; with --drop-removed a row (an image)
    whose label is of a removed class goes. One-hot columns are named in the header, so renaming
    them is refused and a removed one's rows are listed."""

    reader = "image_csv"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_image_table(path, plan, context) for path in paths]


class BoxTableWriter(Writer):
    """Rewrites a box table's class cells; with --drop-removed the row (the box) of a removed class goes.

    A table without a class column names its one class in the `class_name` reader option, so a
    change to that class is refused with a message: the option is the user's to change."""

    reader = "box_csv"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_box_table(path, plan, context) for path in paths]


def _image_table(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    edit = FileEdit(path, context.display(path))
    options = context.options or {}
    table = read_table(path, context, options.get("delimiter"))
    if not table.rows:
        return edit
    header = table.header
    sample = [row.values for row in table.rows[1:51]]
    roles = image_table_roles(header, sample, options)
    if roles is None:
        raise MigrationError(
            f"{edit.display}:1: no image column and label column (set the `image` and `label` options)"
        )
    _, label, onehot_at = roles
    if label is None:
        onehot = [(header[k], k) for k in onehot_at]
        refuse_onehot_renames(onehot, plan, edit.display, context.drop_removed)
        for row in data_rows(table, edit):
            list_onehot(row, onehot, plan, edit, IMAGE_TRUE_CELLS)
        return edit
    rewrite_label_column(table, label, plan, edit, context.drop_removed)
    return edit


def _box_table(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    edit = FileEdit(path, context.display(path))
    table = read_table(path, context, None)  # the box_csv reader has no delimiter option
    if not table.rows:
        return edit
    label = class_column(table.header)
    if label is not None:
        rewrite_label_column(table, label, plan, edit, context.drop_removed)
        return edit
    name = str((context.options or {}).get("class_name", "object"))
    if plan.target(name) != name or name in plan.removed:
        change = "is removed from" if name in plan.removed else f"becomes '{plan.target(name)}' in"
        raise MigrationError(
            f"{edit.display}:1: the table has no class column; its class '{name}' (the `class_name` "
            f"reader option) {change} the spec: change the option by hand"
        )
    return edit
