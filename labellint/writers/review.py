"""Reviewers' decisions written back into a COCO file: relabel, move or delete single annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from labellint.readers._encoding import UTF8_BOM
from labellint.writers._json_edit import JsonEdits
from labellint.writers.base import MigrationError


@dataclass(slots=True)
class ReviewChange:
    """One reviewed annotation: where it is written (JSON pointer), what to do, the new class or box."""

    pointer: str
    delete: bool = False
    class_name: str | None = None  # relabel to this class
    box: list[float] | None = None  # move to this [x, y, width, height], pixels

    def as_json(self) -> dict:
        if self.delete:
            return {"pointer": self.pointer, "change": "delete"}
        out: dict = {"pointer": self.pointer, "change": "edit"}
        if self.class_name is not None:
            out["class"] = self.class_name
        if self.box is not None:
            out["bbox"] = [round(v, 2) for v in self.box]
        return out


def apply_coco_review(data: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The COCO file with each change made; every other byte kept. MigrationError names the annotation
    a change cannot be made to (nothing is changed then)."""
    body = b" " * len(UTF8_BOM) + data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MigrationError(f"{display}: cannot read as COCO JSON: {exc}") from None
    ids = {c.get("name"): c.get("id") for c in document.get("categories", []) if isinstance(c, dict)}
    annotations = document.get("annotations", [])
    edits, dropped = JsonEdits(body), set()
    for change in changes:
        index = _annotation_index(change.pointer, len(annotations), display)
        if change.delete:
            dropped.add(index)
            continue
        if change.class_name is not None:
            if change.class_name not in ids:
                raise MigrationError(
                    f"{display}{change.pointer}: no category named {change.class_name!r} in the file to relabel to"
                )
            edits.replace(f"{change.pointer}/category_id", json.dumps(ids[change.class_name]).encode())
        if change.box is not None:
            if "bbox" not in annotations[index]:
                raise MigrationError(f"{display}{change.pointer}: the annotation has no bbox to move")
            edits.replace(f"{change.pointer}/bbox", json.dumps([round(v, 2) for v in change.box]).encode())
    edits.remove_elements("/annotations", dropped, len(annotations))
    new = edits.apply() if edits.changed else body
    return data[: len(UTF8_BOM)] + new[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else new


def _annotation_index(pointer: str, length: int, display: str) -> int:
    prefix, _, number = pointer.rpartition("/")
    if prefix != "/annotations" or not number.isdigit() or int(number) >= length:
        raise MigrationError(f"{display}: {pointer} is not an annotation of this COCO file")
    return int(number)
