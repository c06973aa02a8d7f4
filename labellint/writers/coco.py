"""COCO writer: renames and merges categories, remaps `category_id`, every other byte kept."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import msgspec

from labellint.readers._encoding import bom_blanked, bom_restored
from labellint.spec.migration import Migration
from labellint.writers._json_edit import JsonEdits
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer


class _Category(msgspec.Struct):
    id: int | str
    name: str


class _Annotation(msgspec.Struct):
    category_id: int | str | None = None


class _Document(msgspec.Struct):
    categories: list[_Category] = []
    annotations: list[_Annotation] = []


_DECODER = msgspec.json.Decoder(_Document)


@dataclass(slots=True)
class _CategoryPlan:
    """What becomes of each category: its new name and id, and which ones are folded into another."""

    names: list[str]
    ids: list[int | str]
    folded: set[int]  # category indexes removed because another one now holds their class
    id_map: dict[int | str, int | str]  # old id -> new id


class CocoWriter(Writer):
    """Rewrites COCO JSON: `categories` names and ids, annotations' `category_id`."""

    reader = "coco"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [self.migrate_one(path, plan, context) for path in paths]

    def migrate_one(self, path: Path, plan: Migration, context: WriteContext) -> FileEdit:
        display = context.display(path)
        data = context.read_bytes(path)
        body = bom_blanked(data)
        try:
            document = _DECODER.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise MigrationError(f"{display}: cannot read as COCO: {exc}") from None
        categories = _plan_categories(document.categories, plan, display)
        edits = JsonEdits(body)
        edit = FileEdit(path, display)
        for k, category in enumerate(document.categories):
            if k in categories.folded:
                continue
            if categories.names[k] != category.name:
                edits.replace(f"/categories/{k}/name", json.dumps(categories.names[k], ensure_ascii=False).encode())
            if categories.ids[k] != category.id:
                edits.replace(f"/categories/{k}/id", json.dumps(categories.ids[k]).encode())
        edits.remove_elements("/categories", categories.folded, len(document.categories))
        _annotations(document, categories, plan, context, edits, edit)
        if edits.changed:
            new = edits.apply()
            edit.new = bom_restored(data, new)
        return edit


def _plan_categories(categories: list[_Category], plan: Migration, display: str) -> _CategoryPlan:
    """New names and ids; a category whose class another category already holds is folded into it."""
    names = [plan.target(c.name) for c in categories]
    ids: list[int | str] = []
    for category in categories:
        head_id = plan.head_id(category.name)
        ids.append(head_id if head_id is not None else category.id)
    holder: dict[str, int] = {}
    # The category already named as the target keeps it; merged sources fold into that one.
    order = sorted(range(len(categories)), key=lambda k: categories[k].name != names[k])
    folded: set[int] = set()
    for k in order:
        key = plan.head_class(categories[k].name) or names[k]
        if key in holder:
            folded.add(k)
        else:
            holder[key] = k
    id_map: dict[int | str, int | str] = {}
    for k, category in enumerate(categories):
        keeper = holder[plan.head_class(category.name) or names[k]]
        id_map.setdefault(category.id, ids[keeper])
    seen: dict[int | str, int] = {}
    for k in sorted(set(range(len(categories))) - folded):
        if ids[k] in seen:
            other = seen[ids[k]]
            raise MigrationError(
                f"{display}: categories '{categories[other].name}' and '{categories[k].name}' would both get "
                f"id {ids[k]} (/categories/{other} and /categories/{k}); give the spec's classes distinct ids"
            )
        seen[ids[k]] = k
    return _CategoryPlan(names, ids, folded, id_map)


def _annotations(document, categories: _CategoryPlan, plan, context, edits: JsonEdits, edit: FileEdit) -> None:
    """Remaps each annotation's `category_id`; lists (or drops) annotations of removed classes."""
    by_id = {c.id: c.name for c in document.categories}
    dropped: set[int] = set()
    for a, annotation in enumerate(document.annotations):
        written = by_id.get(annotation.category_id)
        if written is None:
            continue  # a dangling reference stays as written; `check` reports it (LL004)
        pointer = f"/annotations/{a}"
        if written in plan.removed:
            if context.drop_removed:
                dropped.add(a)
            edit.listed.append(Listed(edit.display, pointer, written, "dropped" if context.drop_removed else "removed"))
            continue
        new_id = categories.id_map[annotation.category_id]
        if new_id != annotation.category_id:
            edits.replace(f"{pointer}/category_id", json.dumps(new_id).encode())
        if plan.target(written) != written:
            edit.relabelled += 1
        elif new_id != annotation.category_id:
            edit.renumbered += 1
    edits.remove_elements("/annotations", dropped, len(document.annotations))
