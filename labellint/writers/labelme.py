"""LabelMe JSON writer: each shape's `label` renamed in place; every other byte of the file kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from labellint.readers._encoding import bom_blanked, bom_restored
from labellint.spec.migration import Migration
from labellint.writers._json_edit import JsonEdits
from labellint.writers._labels import LabelSlots, relabel
from labellint.writers.base import FileEdit, MigrationError, WriteContext, Writer


class LabelMeWriter(Writer):
    """Rewrites `shapes[k].label`; with --drop-removed a shape of a removed class leaves `shapes`."""

    reader = "labelme"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    data = context.read_bytes(path)
    body = bom_blanked(data)
    try:
        document = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise MigrationError(f"{display}: cannot parse JSON: {exc}") from None
    shapes = document.get("shapes") if isinstance(document, dict) else None
    edit = FileEdit(path, display)
    if not isinstance(shapes, list):
        return edit  # `check` reports a file without a shapes list (LL002); nothing to relabel
    slots = LabelSlots()
    for k, shape in enumerate(shapes):
        if isinstance(shape, dict):
            slots.add(f"/shapes/{k}/label", shape.get("label"), ("/shapes", k, len(shapes)))
    edits = JsonEdits(body)
    relabel(edits, slots, plan, edit, context.drop_removed)
    if edits.changed:
        new = edits.apply()
        edit.new = bom_restored(data, new)
    return edit
