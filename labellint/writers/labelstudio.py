"""Label Studio writer: the labels of every submitted result renamed in place, every other byte kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import msgspec

from labellint.readers._encoding import bom_blanked, bom_restored
from labellint.readers.labelstudio import NOT_LABELS
from labellint.spec.migration import Migration
from labellint.writers._json_edit import JsonEdits
from labellint.writers._labels import LabelSlots, relabel
from labellint.writers.base import FileEdit, MigrationError, WriteContext, Writer


class LabelStudioWriter(Writer):
    """Rewrites the labels of a Label Studio JSON export (`annotations`, `completions`, `drafts`)."""

    reader = "labelstudio"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    data = context.read_bytes(path)
    body = bom_blanked(data)
    try:
        tasks = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        raise MigrationError(f"{display}: cannot parse JSON: {exc}") from None
    prefix = ""
    if isinstance(tasks, dict):
        tasks, prefix = [tasks], None
    slots = LabelSlots()
    for k, task in enumerate(tasks if isinstance(tasks, list) else []):
        _task_slots(task, "" if prefix is None else f"/{k}", slots)
    edit = FileEdit(path, display)
    edits = JsonEdits(body)
    relabel(edits, slots, plan, edit, context.drop_removed)
    drafts = sum(1 for pointer, name, _ in slots.names if "/drafts/" in pointer and plan.target(name) != name)
    if drafts:
        # Drafts are no labels yet (the reader skips them), but they become labels when submitted.
        edit.notes.append(f"{drafts} of the relabelled labels are in drafts")
    if edits.changed:
        new = edits.apply()
        edit.new = bom_restored(data, new)
    return edit


def _task_slots(task: Any, pointer: str, slots: LabelSlots) -> None:
    """Every label string of the task's annotations (predictions are model output: left alone)."""
    if not isinstance(task, dict):
        return
    for group in ("annotations", "completions", "drafts"):
        records = task.get(group)
        if not isinstance(records, list):
            continue
        for j, annotation in enumerate(records):
            results = annotation.get("result") if isinstance(annotation, dict) else None
            if not isinstance(results, list):
                continue
            where = f"{pointer}/{group}/{j}/result"
            for r, result in enumerate(results):
                _result_slots(result, f"{where}/{r}", (where, r, len(results)), slots)


def _result_slots(result: Any, pointer: str, record: tuple[str, int, int], slots: LabelSlots) -> None:
    if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
        return
    kind = result.get("type")
    labels = result["value"].get(kind) if isinstance(kind, str) and kind not in NOT_LABELS else None
    if kind == "taxonomy" or not isinstance(labels, list):
        return  # taxonomy paths name classes by their parts; not rewritten
    for i, label in enumerate(labels):
        slots.add(f"{pointer}/value/{kind}/{i}", label, record)
