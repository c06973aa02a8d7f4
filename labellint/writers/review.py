"""Reviewers' decisions written back into label files: relabel, move, delete, add, unsure resolved."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from labellint.readers._encoding import bom_blanked, bom_restored
from labellint.writers._json_edit import JsonEdits, dumps_like
from labellint.writers.base import MigrationError


@dataclass(slots=True)
class ReviewChange:
    """One reviewed annotation: where it is written (a JSON pointer, else its line), what to do, and
    the new class, box or span. An added label (`add`) names its item and the array or file it joins."""

    pointer: str | None
    line: int | None = None
    delete: bool = False
    add: bool = False
    class_name: str | None = None  # relabel to (or add as) this class
    class_id: int | str | None = None  # the class's id in this file where the format writes ids (YOLO)
    box: list[float] | None = None  # move to (or add at) this [x, y, width, height], in the file's units
    span: tuple[int, int] | None = None  # move to (or add at) these text offsets
    clear_unsure: str | None = None  # the spec's unsure attribute, set false: the reviewer resolved it
    item: object = None  # an added label's item, as the file names it (COCO image id)
    was: tuple | None = None  # (start, end, class) as queued: finds a span among its record's (JSON Lines)

    @property
    def where(self) -> str:
        return self.pointer if self.pointer is not None else f":{self.line}" if self.line else ""

    def as_json(self) -> dict:
        out: dict = {"pointer": self.pointer} if self.pointer is not None else {"line": self.line}
        if self.delete:
            return {**out, "change": "delete"}
        out["change"] = "add" if self.add else "edit"
        if self.class_name is not None:
            out["class"] = self.class_name
        if self.box is not None:
            out["bbox"] = [round(v, 6) for v in self.box]
        if self.span is not None:
            out["span"] = list(self.span)
        if self.clear_unsure is not None:
            out["unsure"] = "resolved"
        return out


def apply_review(reader: str, data: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The file (of `reader`'s format) with each change made, every other byte kept. MigrationError
    names the annotation a change cannot be made to (nothing is changed then)."""
    from labellint.writers.review_json import apply_labelstudio_review
    from labellint.writers.review_jsonl import apply_jsonl_review
    from labellint.writers.review_lines import apply_voc_review, apply_yolo_review

    appliers: dict[str, Callable[[bytes, str, Sequence[ReviewChange]], bytes]] = {
        "coco": apply_coco_review,
        "labelstudio": apply_labelstudio_review,
        "jsonl": apply_jsonl_review,
        "yolo": apply_yolo_review,
        "voc": apply_voc_review,
    }
    if reader not in appliers:
        raise MigrationError(f"{display}: review apply cannot write {reader} files yet")
    if reader in ("yolo", "voc"):
        return appliers[reader](data, display, changes)
    body = bom_blanked(data)
    new = appliers[reader](body, display, changes)
    return bom_restored(data, new)


def apply_coco_review(body: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """A COCO file with each change made."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MigrationError(f"{display}: cannot read as COCO JSON: {exc}") from None
    ids = {c.get("name"): c.get("id") for c in document.get("categories", []) if isinstance(c, dict)}
    annotations = document.get("annotations", [])
    edits, dropped, added = JsonEdits(body), set(), []
    for change in changes:
        if change.class_name is not None and change.class_name not in ids:
            raise MigrationError(
                f"{display}{change.where}: no category named {change.class_name!r} in the file to relabel to"
            )
        if change.add:
            added.append(_coco_annotation(change, ids[change.class_name]))
            continue
        index = _annotation_index(change.pointer, len(annotations), display)
        if change.delete:
            dropped.add(index)
            continue
        if change.class_name is not None:
            edits.replace(f"{change.pointer}/category_id", json.dumps(ids[change.class_name]).encode())
        if change.box is not None:
            if "bbox" not in annotations[index]:
                raise MigrationError(f"{display}{change.pointer}: the annotation has no bbox to move")
            edits.replace(f"{change.pointer}/bbox", json.dumps([round(v, 2) for v in change.box]).encode())
        if change.clear_unsure is not None:
            edits.replace(f"{change.pointer}/attributes/{change.clear_unsure}", b"false")
    edits.remove_elements("/annotations", dropped, len(annotations))
    next_id = max((a.get("id") for a in annotations if isinstance(a.get("id"), int)), default=0) + 1
    texts = [dumps_like(body, {"id": next_id + k, **a}) for k, a in enumerate(added)]
    edits.append_elements("/annotations", len(annotations), texts)
    return edits.apply() if edits.changed else body


def _coco_annotation(change: ReviewChange, category_id) -> dict:
    x, y, w, h = (round(v, 2) for v in change.box)
    bbox = [x, y, w, h]
    return {"image_id": change.item, "category_id": category_id, "bbox": bbox, "area": round(w * h, 2), "iscrowd": 0}


def _annotation_index(pointer: str | None, length: int, display: str) -> int:
    prefix, _, number = (pointer or "").rpartition("/")
    if prefix != "/annotations" or not number.isdigit() or int(number) >= length:
        raise MigrationError(f"{display}: {pointer} is not an annotation of this COCO file")
    return int(number)
