"""Reviewers' decisions written into a Label Studio JSON export: results relabelled, moved, removed, added."""

from __future__ import annotations

import json
from collections.abc import Sequence

from labellint.readers.labelstudio import NOT_LABELS
from labellint.writers._json_edit import JsonEdits, dumps_like
from labellint.writers.base import MigrationError
from labellint.writers.review import ReviewChange


def _at(document, pointer: str):
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def apply_labelstudio_review(body: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The export with each change made to its result (by JSON pointer); boxes in pixels become
    percent of the result's `original_width`/`original_height`; an added label joins the result list
    its `pointer` names, shaped like the results already there."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise MigrationError(f"{display}: cannot read as Label Studio JSON: {exc}") from None
    edits = JsonEdits(body)
    dropped: dict[str, set[int]] = {}
    added: dict[str, list[bytes]] = {}
    for change in changes:
        try:
            target = _at(document, change.pointer)
        except (KeyError, IndexError, ValueError, TypeError):
            raise MigrationError(f"{display}{change.pointer}: not in the file") from None
        if change.add:
            number = sum(len(texts) for texts in added.values())
            added.setdefault(change.pointer, []).append(dumps_like(body, _new_result(target, change, display, number)))
        elif change.delete:
            array, _, index = change.pointer.rpartition("/")
            dropped.setdefault(array, set()).add(int(index))
        else:
            _edit_result(edits, target, change, display)
    for array, indices in dropped.items():
        edits.remove_elements(array, indices, len(_at(document, array)))
    for array, texts in added.items():
        edits.append_elements(array, len(_at(document, array)), texts)
    return edits.apply() if edits.changed else body


def _kind(result: dict) -> str | None:
    kind = result.get("type")
    return kind if isinstance(kind, str) and kind not in NOT_LABELS else None


def _edit_result(edits: JsonEdits, result: dict, change: ReviewChange, display: str) -> None:
    value, kind = result.get("value") or {}, _kind(result)
    if change.class_name is not None:
        if kind is None or not isinstance(value.get(kind), list) or len(value[kind]) != 1:
            raise MigrationError(f"{display}{change.pointer}: the result does not hold one label to change")
        edits.replace(f"{change.pointer}/value/{kind}/0", json.dumps(change.class_name, ensure_ascii=False).encode())
    if change.box is not None:
        for key, number in zip(("x", "y", "width", "height"), _percent(result, change, display), strict=True):
            if not isinstance(value.get(key), int | float):
                raise MigrationError(f"{display}{change.pointer}: the result has no `{key}` to move")
            if abs(value[key] - number) > 1e-6:  # a coordinate the reviewer left is kept as written
                edits.replace(f"{change.pointer}/value/{key}", json.dumps(number).encode())
    if change.span is not None:
        for key, number in zip(("start", "end"), change.span, strict=True):
            if key not in value:
                raise MigrationError(f"{display}{change.pointer}: the result has no `{key}` to move")
            edits.replace(f"{change.pointer}/value/{key}", json.dumps(number).encode())


def _percent(result: dict, change: ReviewChange, display: str) -> list[float]:
    width, height = result.get("original_width"), result.get("original_height")
    if not width or not height:
        raise MigrationError(f"{display}{change.pointer}: no `original_width`/`original_height` to place the box by")
    x, y, w, h = change.box
    return [100 * x / width, 100 * y / height, 100 * w / width, 100 * h / height]


def _new_result(results: list, change: ReviewChange, display: str, number: int) -> dict:
    """A result for an added box or span, its `from_name`/`to_name` (and image size) taken from a
    result of the same kind in the list."""
    kind = "labels" if change.span is not None else "rectanglelabels"
    sibling = next((r for r in results if isinstance(r, dict) and r.get("type") == kind), None)
    if sibling is None:
        raise MigrationError(f"{display}{change.pointer}: no `{kind}` result to shape the added label like")
    result: dict = {"id": f"labellint-added-{number}", "type": kind}
    shared = ("from_name", "to_name", "original_width", "original_height")
    result.update({k: sibling[k] for k in shared if k in sibling})
    if change.span is not None:
        value: dict = {"start": change.span[0], "end": change.span[1]}
    else:
        x, y, w, h = _percent(result, change, display)
        value = {"x": x, "y": y, "width": w, "height": h, "rotation": 0}
    result["value"] = {**value, kind: [change.class_name]}
    return result
