"""KITTI object labels: the first token (the type) of each object line rewritten; every other byte kept."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from labellint.spec.migration import Migration
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer, text_after_bom
from labellint.writers.voc import spliced

# The type: the first token of a line (after any leading blanks), as the reader's `line.split()` finds it.
_TYPE = re.compile(r"\s*(\S+)")
NOT_AN_OBJECT = "DontCare"  # a region left unlabelled, never a class


class KittiWriter(Writer):
    """Rewrites the type of each object line (15 or 16 fields, as the reader reads them); with
    --drop-removed the line of a removed class goes. A line the reader reports as broken is left as
    written and noted. KITTI types are one token: a new name with a blank is refused."""

    reader = "kitti"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    edit = FileEdit(path, context.display(path))
    data = context.read_bytes(path)
    bom, text = text_after_bom(data, edit.display)
    edits: list[tuple[int, int, str]] = []
    begin = 0
    # Lines as the reader numbers them (str.splitlines), each with its ending.
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        found = _TYPE.match(line)
        name = found.group(1) if found else NOT_AN_OBJECT  # a blank line, or a DontCare region
        if name != NOT_AN_OBJECT and not _object_line(line):
            if plan.target(name) != name or name in plan.removed:
                edit.notes.append(f"line {number}: not migrated: not a KITTI object line (15 or 16 fields)")
        elif name != NOT_AN_OBJECT:
            edits += _type_edit(edit, plan, context.drop_removed, (number, begin, line, found), name)
        begin += len(line)
    if edits:
        edit.new = bom + spliced(text, edits).encode("utf-8")
    return edit


def _type_edit(
    edit: FileEdit, plan: Migration, drop: bool, place: tuple[int, int, str, re.Match[str]], name: str
) -> list[tuple[int, int, str]]:
    """The edit of one object line's type (or of the whole line, when its class is dropped)."""
    number, begin, line, found = place
    if name in plan.removed:
        edit.listed.append(Listed(edit.display, f"line {number}", name, "dropped" if drop else "removed"))
        return [(begin, begin + len(line), "")] if drop else []
    target = plan.target(name)
    if target == name:
        return []
    if not target or any(c.isspace() for c in target):
        raise MigrationError(
            f"{edit.display}:{number}: '{name}' becomes '{target}', which is not one token: "
            "a KITTI type cannot hold a blank"
        )
    edit.relabelled += 1
    return [(begin + found.start(1), begin + found.end(1), target)]


def _object_line(line: str) -> bool:
    """A line the reader reads as an object: a type and 14 or 15 numbers."""
    cells = line.split()
    if len(cells) not in (15, 16):
        return False
    try:
        [float(v) for v in cells[1:]]
    except ValueError:
        return False
    return True
