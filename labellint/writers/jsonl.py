"""JSON Lines writer: class names in each record's label and span fields renamed, the line otherwise kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from labellint.readers._encoding import UTF8_BOM
from labellint.readers._text import LABEL_KEYS, SPAN_KEYS
from labellint.spec.migration import Migration
from labellint.writers._json_edit import JsonEdits
from labellint.writers._labels import LabelSlots, relabel
from labellint.writers.base import FileEdit, MigrationError, WriteContext, Writer


class JsonlWriter(Writer):
    """Rewrites `label`/`labels`/`accept`/`category`/`class` values and span labels, line by line."""

    reader = "jsonl"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    data = context.read_bytes(path)
    bom = UTF8_BOM if data.startswith(UTF8_BOM) else b""
    edit = FileEdit(path, display)
    lines = data[len(bom) :].split(b"\n")
    changed = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            record = msgspec.json.decode(raw)
        except msgspec.DecodeError:
            continue  # `check` reports it (LL001); a line that cannot be read is kept as written
        if not isinstance(record, dict):
            continue
        slots = LabelSlots()
        _record_slots(record, context.options, plan, f"{display}:{number}", slots)
        edits = JsonEdits(raw)
        relabel(edits, slots, plan, edit, context.drop_removed, where=f"line {number} ")
        if edits.changed:
            lines[number - 1], changed = edits.apply(), True
    if changed:
        edit.new = bom + b"\n".join(lines)
    return edit


def _record_slots(record: dict[str, Any], options: dict, plan: Migration, where: str, slots: LabelSlots) -> None:
    span_key = options.get("spans") or next((k for k in SPAN_KEYS if k in record), None)
    label_key = options.get("label") or next((k for k in LABEL_KEYS if k in record), None)
    for key in {span_key, label_key} - {None}:
        value = record.get(key)
        if isinstance(value, str):
            slots.add(f"/{key}", value)
        elif isinstance(value, dict):  # spaCy `cats`: renaming a key would need the scores merged
            if any(plan.target(name) != name or name in plan.removed for name in value):
                raise MigrationError(f"{where}: `{key}` names classes as keys; labellint does not rewrite them")
        elif isinstance(value, list):
            _list_slots(key, value, slots)


def _list_slots(key: str, value: list, slots: LabelSlots) -> None:
    for i, entry in enumerate(value):
        record = (f"/{key}", i, len(value))
        if isinstance(entry, str):
            slots.add(f"/{key}/{i}", entry, record)
        elif isinstance(entry, dict):
            slots.add(f"/{key}/{i}/label", entry.get("label"), record)
        elif isinstance(entry, list) and len(entry) >= 3:  # doccano `[start, end, label]`
            slots.add(f"/{key}/{i}/2", entry[2], record)
