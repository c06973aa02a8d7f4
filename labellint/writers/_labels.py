"""Relabelling class names held in JSON values (Label Studio results, JSON Lines records) by pointer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from labellint.spec.migration import Migration
from labellint.writers._json_edit import JsonEdits
from labellint.writers.base import FileEdit, Listed


@dataclass(slots=True)
class LabelSlots:
    """Where class names sit in one JSON document: (pointer, name) pairs, and for each removable
    record (a result, a span) the pointer of the array holding it, its index and the array's length."""

    names: list[tuple[str, str, tuple[str, int, int] | None]] = field(default_factory=list)

    def add(self, pointer: str, name: object, record: tuple[str, int, int] | None = None) -> None:
        if isinstance(name, str):
            self.names.append((pointer, name, record))


def relabel(edits: JsonEdits, slots: LabelSlots, plan: Migration, edit: FileEdit, drop: bool, where: str = "") -> None:
    """Writes each slot's migrated name; lists the names of removed classes (with `drop`, deletes
    the records holding them: a result, a span)."""
    dropped: dict[str, tuple[set[int], int]] = {}
    for pointer, name, record in slots.names:
        if name in plan.removed:
            gone = drop and record is not None
            edit.listed.append(Listed(edit.display, where + pointer, name, "dropped" if gone else "removed"))
            if gone:
                array, index, length = record
                dropped.setdefault(array, (set(), length))[0].add(index)
    for pointer, name, record in slots.names:
        if record is not None and record[1] in dropped.get(record[0], (set(), 0))[0]:
            continue  # the whole record goes
        target = plan.target(name)
        if target != name and name not in plan.removed:
            edits.replace(pointer, json.dumps(target, ensure_ascii=False).encode())
            edit.relabelled += 1
    for array, (indices, length) in dropped.items():
        edits.remove_elements(array, indices, length)


__all__ = ["LabelSlots", "relabel"]
