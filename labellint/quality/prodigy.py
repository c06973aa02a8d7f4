"""Ratings from a Prodigy export (one JSON line per answer): which question, who, what answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from labellint.support.jsonl_lines import json_objects

# Views whose answers are whole annotations of the text (manual spans, choices); every other
# answer is binary: accept or reject of the one label or span Prodigy proposed.
MANUAL_VIEWS = {"ner_manual", "spans_manual", "choice", "relations", "pos_manual", "textcat_manual"}


def is_prodigy_export(first_line: bytes) -> bool:
    """A Prodigy answer: a JSON object with Prodigy's `_input_hash` and an `answer`."""
    return first_line.lstrip().startswith(b"{") and b'"_input_hash"' in first_line and b'"answer"' in first_line


def prodigy_rows(stream: TextIO) -> Iterator[tuple[int, tuple[str, str, str] | str]]:
    """(line, (item, annotator, label)) per answer, or (line, why it was skipped).

    The item is the text (`_input_hash`), except for binary answers, where it is the question
    (`_task_hash`: this text with this proposed label or span), since a reject means "not this
    label", not "no labels". The annotator is `_annotator_id`, else `_session_id`. The label is
    the answer, with what was accepted: the choices (`accept`) or the spans, as Prodigy wrote them.
    """
    for number, record in json_objects(stream):
        yield number, record if isinstance(record, str) else _row(record)


def _row(record: dict[str, Any]) -> tuple[str, str, str] | str:
    answer = record.get("answer")
    if answer not in ("accept", "reject"):
        return f"answer {answer!r}: no decision (Prodigy's `ignore`), not a rating"
    who = record.get("_annotator_id")
    who = record.get("_session_id") if who in (None, "") else who
    if who in (None, ""):
        return "no `_annotator_id` or `_session_id`: whose answer it is is unknown"
    text_key = record.get("_input_hash", record.get("text"))
    if _is_binary(record):
        question = record.get("_task_hash")
        if question is None:
            question = json.dumps([text_key, record.get("label"), _spans(record)], sort_keys=True)
        return str(question), str(who), answer
    if answer == "reject":
        return str(text_key), str(who), "reject"
    if isinstance(record.get("accept"), list):
        return str(text_key), str(who), "accept: " + ", ".join(sorted(map(str, record["accept"])))
    spans = "; ".join(_spans(record)) or "(no spans)"
    return str(text_key), str(who), f"accept: {spans}"


def _is_binary(record: dict[str, Any]) -> bool:
    """Prodigy's own flag, else a view that proposes one thing, else a top-level `label` to judge."""
    if isinstance(record.get("_is_binary"), bool):
        return record["_is_binary"]
    view = record.get("_view_id")
    if isinstance(view, str):
        return view not in MANUAL_VIEWS
    return isinstance(record.get("label"), str) and not isinstance(record.get("accept"), list)


def _spans(record: dict[str, Any]) -> list[str]:
    spans = record.get("spans")
    if not isinstance(spans, list):
        return []
    out = [f"{span.get('start')}-{span.get('end')} {span.get('label')}" for span in spans if isinstance(span, dict)]
    return sorted(out)
