"""JSON Lines reader for text labels: classification (Prodigy, spaCy `cats`, doccano) and NER spans."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import utf8_text, utf16_problem
from labellint.readers._jsonkeys import duplicate_key_issues
from labellint.readers._text import LABEL_KEYS, SPAN_KEYS, TextBuilder, parse_span, positive_labels
from labellint.readers.base import Candidate, ReadContext, Reader, issue

_TEXT_KEY = re.compile(rb'"(text|data)"\s*:\s*"')
DEFAULT_THRESHOLD = 0.5


class JsonlReader(Reader):
    """Reads one JSON object per line: `text` plus labels (`label`, `labels`, `accept`, `cats`)
    and/or spans (`spans`, `entities`, doccano `label: [[start, end, label], ...]`).

    Options (`[[datasets]] options = {...}`): `text`, `id`, `label`, `spans`, `annotator` name
    the keys to use; `threshold` is the `cats` score from which a label counts (default 0.5).
    Prodigy answers: `accept` records are read; `reject` records become items without labels
    (what was proposed was wrong, so nothing on them is a label); `ignore` records are skipped
    (the annotator made no decision) and counted in the file's `meta["ignored"]`.
    """

    name = "jsonl"
    suffixes = (".jsonl", ".ndjson")
    description = "JSON Lines text labels: Prodigy, spaCy cats, doccano; classification and NER spans"

    def claims(self, candidate: Candidate) -> bool:
        """Lines of JSON objects with a `text` (or doccano's `data`) string; Labelbox's
        `data_row` records and other JSON Lines without text are not text labels."""
        if candidate.suffix not in self.suffixes:
            return False
        first = utf8_text(candidate.head, partial=True).lstrip().split(b"\n", 1)[0]
        return first.startswith(b"{") and bool(_TEXT_KEY.search(first)) and b'"data_row"' not in first

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = TextBuilder(SourceFile(path=display, reader=self.name))
        raw = context.read_bytes(path)
        data = utf8_text(raw)
        if data is raw and (problem := utf16_problem(raw)):
            builder.issues.append(issue("LL001", problem, display, line=1, column=1))
            return builder.build()
        try:
            options = _Options.of(context.options)
        except msgspec.ValidationError as exc:
            builder.issues.append(issue("LL002", f"invalid jsonl reader options: {exc}", display))
            return builder.build()
        # One pass over the whole file: pointers are relative to each line's record.
        builder.issues.extend(duplicate_key_issues(data, display))
        ignored = 0
        decoder = msgspec.json.Decoder()
        fast = _FAST_DECODER if options == _Options() else None
        for number, raw in enumerate(data.split(b"\n"), start=1):
            if not raw.strip():
                continue
            if fast is not None and _read_fast(fast, raw, number, builder):
                continue
            try:
                record = decoder.decode(raw)
            except msgspec.DecodeError as exc:
                builder.issues.append(issue("LL001", f"cannot parse JSON on this line: {exc}", display, line=number))
                continue
            if not isinstance(record, dict):
                message = f"a JSON Lines record must be an object, found {type(record).__name__}"
                builder.issues.append(issue("LL002", message, display, line=number, column=1))
                continue
            if record.get("answer") == "ignore":
                ignored += 1
                continue
            problem = _read_record(record, number, options, builder)
            if problem:
                builder.issues.append(issue("LL002", problem, display, line=number, column=1))
        builder.source.meta["ignored"] = ignored
        return builder.build()


class _FastSpan(msgspec.Struct, gc=False):
    start: int
    end: int
    label: str
    text: str | None = None


class _FastRecord(msgspec.Struct, gc=False):
    """The common Prodigy/spaCy NER record, decoded by msgspec in C. Any classification key
    present (kept raw, never decoded) sends the record down the general path."""

    text: str
    spans: list[_FastSpan] | None = None
    answer: str | None = None
    id: int | str | None = None
    annotator_id: str | int | None = msgspec.field(default=None, name="_annotator_id")
    session_id: str | int | None = msgspec.field(default=None, name="_session_id")
    is_binary: bool | None = msgspec.field(default=None, name="_is_binary")
    annotator: msgspec.Raw = msgspec.Raw()
    label: msgspec.Raw = msgspec.Raw()
    labels: msgspec.Raw = msgspec.Raw()
    accept: msgspec.Raw = msgspec.Raw()
    cats: msgspec.Raw = msgspec.Raw()
    category: msgspec.Raw = msgspec.Raw()
    class_: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="class")
    entities: msgspec.Raw = msgspec.Raw()
    annotations: msgspec.Raw = msgspec.Raw()  # doccano 1.x


_FAST_DECODER = msgspec.json.Decoder(_FastRecord)


def _read_fast(decoder: msgspec.json.Decoder, raw: bytes, line: int, builder: TextBuilder) -> bool:
    """Reads a plain span record on the fast path; False sends it to the general path."""
    try:
        record = decoder.decode(raw)
    except msgspec.DecodeError:  # includes ValidationError: another shape, or a broken record
        return False
    r = record
    others = r.annotator, r.label, r.labels, r.accept, r.cats, r.category, r.class_, r.entities, r.annotations
    if r.answer in ("ignore", "reject") or r.is_binary or sum(map(len, others)):
        return False
    if record.spans and not all(s.label for s in record.spans):
        return False  # the general path names the empty label
    item_id = record.id if record.id is not None else line
    item = builder.add_item(item_id, record.text, line=line)
    who = _who(record.annotator_id, record.session_id)
    if record.spans:
        spans = record.spans
        builder.add_spans(
            item,
            [s.start for s in spans],
            [s.end for s in spans],
            [s.label for s in spans],
            [s.text for s in spans],
            line,
            who,
        )
    elif who is not None:
        builder.item_annotator[item] = who  # "no entity here" is an answer too
    return True


class _Options(msgspec.Struct, forbid_unknown_fields=True):
    text: str = "text"
    id: str = "id"
    label: str | None = None
    spans: str | None = None
    annotator: str | None = None
    threshold: float = DEFAULT_THRESHOLD

    @classmethod
    def of(cls, options: dict[str, Any]) -> _Options:
        return msgspec.convert(options, cls) if options else cls()


def _read_record(record: dict[str, Any], line: int, options: _Options, builder: TextBuilder) -> str | None:
    """Adds one record's item and annotations; returns what is wrong with it, if anything."""
    text = record.get(options.text)
    if text is None and options.text == "text" and isinstance(record.get("data"), str):
        text = record["data"]  # doccano's older exports
    if not isinstance(text, str):
        return f"record has no `{options.text}` string"
    spans_value, labels_value = _fields(record, options)
    annotator = _annotator(record, options)
    rejected = record.get("answer") == "reject"
    checked: list[tuple[int, int, str, str | None]] = []
    if spans_value is not None:
        if not isinstance(spans_value, list):
            return "spans must be a list"
        for k, span in enumerate(spans_value):
            parsed = parse_span(span)
            if isinstance(parsed, str):
                return f"span {k}: {parsed}"
            checked.append(parsed)
    labels: list[str] = []
    if labels_value is not None:
        found = positive_labels(labels_value, options.threshold)
        if isinstance(found, str):
            return found
        labels = found
    item_id = record.get(options.id, line)
    item = builder.add_item(item_id if isinstance(item_id, int | str) else line, text, line=line)
    task = _binary_task(record)
    if task is not None:
        builder.item_task[item] = task
    if annotator is not None and (rejected or not (labels or checked)):
        builder.item_annotator[item] = annotator
    if rejected:
        return None
    if spans_value is None and labels_value is None and isinstance(record.get("annotations"), list):
        return _doccano_annotations(record["annotations"], item, line, builder)
    for label in labels:
        builder.add_annotation(item, label, line=line, annotator=annotator)
    for start, end, label, stated in checked:
        builder.add_annotation(item, label, line=line, span=(start, end), text=stated, annotator=annotator)
    return None


def _doccano_annotations(annotations: list[Any], item: int, line: int, builder: TextBuilder) -> str | None:
    """doccano 1.x: `annotations: [{label, start_offset, end_offset, user}]` (a span with
    offsets, a text label without), each by its own `user`; a label id stays its number."""
    for k, annotation in enumerate(annotations):
        if not isinstance(annotation, dict) or annotation.get("label") in (None, ""):
            return f"annotation {k}: a doccano annotation must be an object with a `label`"
        label = str(annotation["label"])
        user = annotation.get("user")
        who = None if user is None or isinstance(user, dict | list) else str(user)
        if "start_offset" not in annotation and "end_offset" not in annotation:
            builder.add_annotation(item, label, line=line, annotator=who)
            continue
        parsed = parse_span({**annotation, "label": label})
        if isinstance(parsed, str):
            return f"annotation {k}: {parsed}"
        start, end, _, stated = parsed
        builder.add_annotation(item, label, line=line, span=(start, end), text=stated, annotator=who)
    return None


def _fields(record: dict[str, Any], options: _Options) -> tuple[Any, Any]:
    """(spans, labels) values of a record, honouring configured keys."""
    spans = record.get(options.spans) if options.spans else next((record[k] for k in SPAN_KEYS if k in record), None)
    labels = record.get(options.label) if options.label else next((record[k] for k in LABEL_KEYS if k in record), None)
    if spans is None and isinstance(labels, list) and labels and all(isinstance(v, list) for v in labels):
        spans, labels = labels, None  # doccano sequence labelling: `label: [[start, end, label], ...]`
    return spans, labels


def _annotator(record: dict[str, Any], options: _Options) -> str | None:
    """The configured key, else Prodigy's `_annotator_id` or `_session_id`, else `annotator`,
    else doccano 1.x's `user`."""
    value = record.get(options.annotator) if options.annotator else None
    for key in ("_annotator_id", "_session_id", "annotator", "user"):
        if value is None:
            value = record.get(key)
    return None if value is None or isinstance(value, dict | list) else str(value)


def _who(annotator: Any, session: Any) -> str | None:
    value = annotator if annotator is not None else session
    return None if value is None else str(value)


def _binary_task(record: dict[str, Any]) -> str | None:
    """The question a Prodigy binary answer answers: accept or reject of one proposed label (or
    span), named by `_task_hash`, else by the label and spans proposed. A reject means "not
    this label", so answers about different labels of one text are different questions."""
    if record.get("answer") not in ("accept", "reject"):
        return None
    if not (isinstance(record.get("label"), str) or record.get("_is_binary") is True):
        return None
    task_hash = record.get("_task_hash")
    if isinstance(task_hash, int | str) and not isinstance(task_hash, bool):
        return f"task {task_hash}"
    spans = record.get("spans")
    proposed = (
        [(s.get("start"), s.get("end"), s.get("label")) for s in spans if isinstance(s, dict)]
        if isinstance(spans, list)
        else []
    )
    return f"label {record.get('label')!r} spans {proposed}"
