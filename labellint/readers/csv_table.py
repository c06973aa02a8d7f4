"""CSV/TSV reader for text classification tables (single-label, multi-label in one cell or one-hot)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import msgspec

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._text import TextBuilder
from labellint.readers.base import ReadContext, Reader, issue
from labellint.support.csv_cells import csv_rows

TEXT_COLUMNS = ("text", "sentence", "document", "content")
LABEL_COLUMNS = ("label", "labels", "category", "class", "intent")
TRUE_CELLS = {"1", "1.0", "true", "yes", "y", "x"}
FALSE_CELLS = {"", "0", "0.0", "false", "no", "n"}


class CsvOptions(msgspec.Struct, forbid_unknown_fields=True):
    """Which columns hold what; unset columns are found by their usual names."""

    text: str | None = None
    label: str | None = None
    id: str | None = None
    annotator: str | None = None
    # Multi-label in one cell: the separator between labels ("|", ";").
    separator: str | None = None
    # Multi-label one-hot: the columns that are labels (a true cell means the label applies).
    labels: list[str] | None = None
    delimiter: str | None = None


class CsvReader(Reader):
    """Reads a table with a text column and a label column (or one 0/1 column per label).

    Options: `text`, `label`, `id`, `annotator` (column names), `separator` (several labels in
    one cell), `labels` (one-hot label columns), `delimiter` (default: `,`, or tab for .tsv).
    Every row is an item; its labels are annotations without a box. An empty label cell is an
    item without labels.
    """

    name = "csv"
    suffixes = (".csv", ".tsv")
    description = "CSV/TSV text classification: text and label columns (configurable), one-hot labels"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() not in self.suffixes:
            return False
        header = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        cells = {c.strip().strip('"') for c in header.replace("\t", ",").split(",")}
        return bool(cells & set(TEXT_COLUMNS)) and bool(cells & set(LABEL_COLUMNS))

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = TextBuilder(SourceFile(path=display, reader=self.name))
        try:
            options = msgspec.convert(context.options or {}, CsvOptions)
        except msgspec.ValidationError as exc:
            builder.issues.append(issue("LL002", f"invalid csv reader options: {exc}", display))
            return builder.build()
        try:
            text = context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            builder.issues.append(issue("LL001", not_utf8(exc), display))
            return builder.build()
        delimiter = options.delimiter or ("\t" if path.suffix.lower() == ".tsv" else ",")
        reader = csv_rows(io.StringIO(text, newline=""), delimiter)
        header = next(reader, None)
        if header is None:
            builder.issues.append(issue("LL002", "the table is empty (no header row)", display, line=1))
            return builder.build()
        header = [h.strip() for h in header]
        columns = table_columns(header, options)
        if isinstance(columns, str):
            builder.issues.append(issue("LL002", columns, display, line=1, column=1))
            return builder.build()
        _read_rows(reader, header, columns, options, builder)
        return builder.build()


def table_columns(header: list[str], options: CsvOptions) -> dict[str, Any] | str:
    """Column positions by role, or a message naming what is missing."""
    lower = {h.lower(): k for k, h in enumerate(header)}

    def find(wanted: str | None, usual: tuple[str, ...], role: str) -> int | str | None:
        if wanted is not None:
            if wanted not in header:
                return f"no column {wanted!r} (the {role} column); the header has {', '.join(header)}"
            return header.index(wanted)
        return next((lower[name] for name in usual if name in lower), None)

    found: dict[str, Any] = {}
    for role, wanted, usual in (
        ("text", options.text, TEXT_COLUMNS),
        ("label", options.label, () if options.labels else LABEL_COLUMNS),
        ("id", options.id, ("id",)),
        ("annotator", options.annotator, ("annotator", "annotator_id", "worker")),
    ):
        position = find(wanted, usual, role)
        if isinstance(position, str):
            return position
        found[role] = position
    if found["text"] is None:
        return f"no text column (looked for {', '.join(TEXT_COLUMNS)}; set the `text` option)"
    if options.labels:
        missing = [c for c in options.labels if c not in header]
        if missing:
            return f"label columns not in the header: {', '.join(missing)}"
        found["onehot"] = [(name, header.index(name)) for name in options.labels]
    elif found["label"] is None:
        return f"no label column (looked for {', '.join(LABEL_COLUMNS)}; set the `label` or `labels` option)"
    return found


def _read_rows(
    reader: Any, header: list[str], columns: dict[str, Any], options: CsvOptions, builder: TextBuilder
) -> None:
    display = builder.source.path
    previous_end = reader.line_num
    for row in reader:
        # A row with newlines inside quoted cells spans several lines; point at its first one.
        line, previous_end = previous_end + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            message = f"row has {len(row)} cells, the header has {len(header)}"
            builder.issues.append(issue("LL002", message, display, line=line, column=1))
            continue
        item_id = row[columns["id"]] if columns["id"] is not None else line
        annotator = row[columns["annotator"]] or None if columns["annotator"] is not None else None
        item = builder.add_item(item_id, row[columns["text"]], line=line)
        if "onehot" in columns:
            for name, position in columns["onehot"]:
                cell = row[position].strip().lower()
                if cell in TRUE_CELLS:
                    builder.add_annotation(item, name, line=line, annotator=annotator)
                elif cell not in FALSE_CELLS:
                    message = f"column {name!r}: {row[position]!r} is not 0/1 or true/false"
                    builder.issues.append(issue("LL002", message, display, line=line, column=1))
            continue
        cell = row[columns["label"]].strip()
        labels = [p.strip() for p in cell.split(options.separator)] if options.separator else [cell]
        for label in labels:
            if label:
                builder.add_annotation(item, label, line=line, annotator=annotator)
