"""Reviewers' decisions written into a JSON Lines file: spans relabelled, moved, removed, added; line by line."""

from __future__ import annotations

import json
from collections.abc import Sequence

from labellint.readers._text import LABEL_KEYS, SPAN_KEYS
from labellint.writers._json_edit import JsonEdits, dumps_like
from labellint.writers.base import MigrationError
from labellint.writers.review import ReviewChange


def apply_jsonl_review(body: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The file with each change made to its record (found by line; a span by its offsets and class
    as queued); an added span joins the record's spans, shaped like the spans already there."""
    lines = body.split(b"\n")
    by_line: dict[int, list[ReviewChange]] = {}
    for change in changes:
        if change.line is None or not 1 <= change.line <= len(lines):
            raise MigrationError(f"{display}:{change.line}: no record on that line")
        by_line.setdefault(change.line, []).append(change)
    for number, line_changes in by_line.items():
        lines[number - 1] = _apply_record(lines[number - 1], f"{display}:{number}", line_changes)
    return b"\n".join(lines)


def _spans_key(record: dict) -> str | None:
    key = next((k for k in SPAN_KEYS if isinstance(record.get(k), list)), None)
    if key is None:  # doccano sequence labelling: `label: [[start, end, label], ...]`
        labels = record.get("label")
        key = "label" if isinstance(labels, list) and labels and all(isinstance(v, list) for v in labels) else None
    return key


def _span_of(entry) -> tuple | None:
    if isinstance(entry, dict):
        return entry.get("start"), entry.get("end"), entry.get("label")
    if isinstance(entry, list) and len(entry) >= 3:
        return entry[0], entry[1], entry[2]
    return None


def _apply_record(raw: bytes, where: str, changes: list[ReviewChange]) -> bytes:
    try:
        record = json.loads(raw)
    except ValueError as exc:
        raise MigrationError(f"{where}: cannot read the record: {exc}") from None
    edits, key = JsonEdits(raw), _spans_key(record)
    spans = record.get(key) if key else None
    dropped, added = set(), []
    for change in changes:
        if change.add:
            if spans is None or change.span is None:
                raise MigrationError(f"{where}: the record has no spans list to add a span to")
            added.append(dumps_like(raw, _new_span(record, spans, change, where)))
            continue
        if change.span is None and change.was is not None and change.was[0] < 0:
            _relabel_record(edits, record, change, where)
            continue
        found = [k for k, s in enumerate(spans or []) if change.was and _span_of(s) == change.was]
        if not found:
            raise MigrationError(f"{where}: no span {change.was} in the record")
        k, pointer = found[0], f"/{key}/{found[0]}"
        if change.delete:
            dropped.add(k)
            continue
        dict_form = isinstance(spans[k], dict)
        if change.class_name is not None:
            edits.replace(pointer + ("/label" if dict_form else "/2"), json.dumps(change.class_name).encode())
        if change.span is not None:
            for name, value in _moved(record, spans[k], change, where).items():
                edits.replace(f"{pointer}/{name}", json.dumps(value, ensure_ascii=False).encode())
    edits.remove_elements(f"/{key}", dropped, len(spans or []))
    edits.append_elements(f"/{key}", len(spans or []), added)
    return edits.apply() if edits.changed else raw


def _relabel_record(edits: JsonEdits, record: dict, change: ReviewChange, where: str) -> None:
    """An item-level label written as one string (`label`, `category`, `class`) relabelled."""
    key = next((k for k in LABEL_KEYS if isinstance(record.get(k), str)), None)
    if key is None or change.delete or change.class_name is None:
        raise MigrationError(f"{where}: review apply changes item labels written as one string only")
    edits.replace(f"/{key}", json.dumps(change.class_name, ensure_ascii=False).encode())


def _token_bounds(record: dict, start: int, end: int, where: str) -> tuple[int, int] | None:
    tokens = record.get("tokens")
    if not isinstance(tokens, list):
        return None
    starts = [t.get("start") for t in tokens if isinstance(t, dict)]
    ends = [t.get("end") for t in tokens if isinstance(t, dict)]
    if start not in starts or end not in ends:
        raise MigrationError(f"{where}: the span {start}:{end} does not start and end at tokens of the record")
    return starts.index(start), ends.index(end)


def _moved(record: dict, span, change: ReviewChange, where: str) -> dict:
    """The keys of a moved span to rewrite: its offsets, and the text and token bounds it states."""
    start, end = change.span
    if not isinstance(span, dict):
        return {"0": start, "1": end}
    out: dict = {"start": start, "end": end}
    if "text" in span and isinstance(record.get("text"), str):
        out["text"] = record["text"][start:end]
    if "token_start" in span or "token_end" in span:
        bounds = _token_bounds(record, start, end, where)
        if bounds is not None:
            out["token_start"], out["token_end"] = bounds
    return {k: v for k, v in out.items() if span.get(k) != v}


def _new_span(record: dict, spans: list, change: ReviewChange, where: str) -> list | dict:
    start, end = change.span
    if spans and isinstance(spans[0], list):
        return [start, end, change.class_name]
    span: dict = {"start": start, "end": end}
    shape = spans[0] if spans else {}
    if "text" in shape and isinstance(record.get("text"), str):
        span["text"] = record["text"][start:end]
    if "token_start" in shape:
        bounds = _token_bounds(record, start, end, where)
        if bounds is not None:
            span["token_start"], span["token_end"] = bounds
    span["label"] = change.class_name
    return span
