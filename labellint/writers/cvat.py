"""CVAT XML writer: shapes' and tracks' `label="…"` and the declared labels in <meta> renamed in place."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

from labellint.readers.cvat import SHAPES
from labellint.spec.migration import Migration
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer
from labellint.writers.voc import name_replacement, object_removal, parse_for_rewrite, spliced

_START_TAG = re.compile(rb"<[^\s/>]+((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_ATTRIBUTE = re.compile(rb"\s+([^\s=/>]+)\s*=\s*(\"[^\"]*\"|'[^']*')")
_LABELLED = {*SHAPES, "track"}


class CvatWriter(Writer):
    """Rewrites the class of every shape, tag and track, and the names of the declared labels: a
    merge keeps one declaration of the target class. With --drop-removed, the shapes, tags and
    tracks of removed classes and their declarations go."""

    reader = "cvat"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


@dataclass(slots=True)
class _Labelled:
    """One element that names a class: where its `label` value and the element are, and its line."""

    value: tuple[int, int]
    quote: bytes
    name: str
    line: int
    element: list[int]  # [start, end) of the whole element
    nested: bool  # inside a skeleton: a part of another shape, never removed alone


@dataclass(slots=True)
class _Declared:
    """One label declared in <meta>: its <name> text and the whole <label> element."""

    text: list[int] = field(default_factory=lambda: [-1, -1])
    name: str = ""
    element: list[int] = field(default_factory=lambda: [-1, -1])


@dataclass(slots=True)
class _Scan:
    labelled: list[_Labelled] = field(default_factory=list)
    declared: list[_Declared] = field(default_factory=list)


def _label_value(data: bytes, start: int, expected: str, display: str, line: int) -> tuple[tuple[int, int], bytes]:
    """Where the `label` attribute's value sits in the start tag at `start`, and its quote."""
    tag = _START_TAG.match(data, start)
    if tag is None:
        raise MigrationError(f"{display}:{line}: cannot place the start tag's attributes; not rewritten")
    for attribute in _ATTRIBUTE.finditer(data, tag.start(1), tag.end(1)):
        if attribute.group(1) == b"label":
            begin, end = attribute.start(2) + 1, attribute.end(2) - 1
            if html.unescape(data[begin:end].decode("utf-8")) != expected:
                break
            return (begin, end), data[attribute.start(2) : attribute.start(2) + 1]
    raise MigrationError(f"{display}:{line}: cannot place the `label` attribute; not rewritten")


def _element_end(data: bytes, start: int, end_index: int) -> int:
    """The end of an element whose end tag expat reported at `end_index` (a self-closed tag: at its start)."""
    if end_index == start:
        return _START_TAG.match(data, start).end()
    return data.index(b">", end_index) + 1


def _scan(data: bytes, display: str) -> _Scan:
    """Every labelled element and declared label of the export, by byte position (expat)."""
    parser = expat.ParserCreate()
    stack: list[tuple[str, int, object]] = []
    found = _Scan()

    def start(tag: str, attributes: dict[str, str]) -> None:
        index, line, record = parser.CurrentByteIndex, parser.CurrentLineNumber, None
        tags = [t for t, _, _ in stack]
        if tag in _LABELLED and "label" in attributes and ("image" in tags or tag == "track"):
            value, quote = _label_value(data, index, attributes["label"], display, line)
            record = _Labelled(value, quote, attributes["label"], line, [index, -1], "skeleton" in tags)
            found.labelled.append(record)
        elif tag == "label" and "meta" in tags:
            record = _Declared(element=[index, -1])
            found.declared.append(record)
        elif tag == "name" and stack and stack[-1][0] == "label" and isinstance(stack[-1][2], _Declared):
            stack[-1][2].text[0] = _START_TAG.match(data, index).end()
        stack.append((tag, index, record))

    def text(chunk: str) -> None:
        if len(stack) >= 2 and stack[-1][0] == "name" and isinstance(stack[-2][2], _Declared):
            stack[-2][2].name += chunk

    def end(tag: str) -> None:
        _, begin, record = stack.pop()
        index = parser.CurrentByteIndex
        if isinstance(record, _Labelled | _Declared):
            record.element[1] = _element_end(data, begin, index)
        elif tag == "name" and stack and isinstance(stack[-1][2], _Declared):
            stack[-1][2].text[1] = max(index, stack[-1][2].text[0])

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parse_for_rewrite(parser, data, display)
    return found


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    data = context.read_bytes(path)
    scan = _scan(data, display)
    edit = FileEdit(path, display)
    edits = _declaration_edits(data, scan.declared, plan, edit, context.drop_removed)
    for shape in scan.labelled:
        if shape.name in plan.removed:
            gone = context.drop_removed and not shape.nested
            edit.listed.append(Listed(display, f"line {shape.line}", shape.name, "dropped" if gone else "removed"))
            if gone:
                edits.append(object_removal(data, *shape.element))
            continue
        target = plan.target(shape.name)
        if target != shape.name:
            entities = {'"': "&quot;"} if shape.quote == b'"' else {"'": "&apos;"}
            edits.append((*shape.value, escape(target, entities).encode("utf-8")))
            edit.relabelled += 1
    if edits:
        edit.new = spliced(data, _outermost(edits))
    return edit


def _declaration_edits(
    data: bytes, declared: list[_Declared], plan: Migration, edit: FileEdit, drop: bool
) -> list[tuple[int, int, bytes]]:
    """The <meta> labels renamed; of the labels a merge makes one class, the first kept, the others
    removed; a removed class's declaration kept (removed with --drop-removed)."""
    edits: list[tuple[int, int, bytes]] = []
    stays = {d.name.strip() for d in declared if plan.target(d.name.strip()) == d.name.strip()} - plan.removed
    for label in declared:
        name = label.name.strip()
        if name in plan.removed:
            if drop:
                edits.append(object_removal(data, *label.element))
            continue
        target = plan.target(name)
        if target == name:
            continue
        if target in stays:
            edit.notes.append(f"the declared label '{name}' is merged into '{target}' (its <label> removed)")
            edits.append(object_removal(data, *label.element))
            continue
        stays.add(target)
        edits.append(name_replacement(data, *label.text, target))
    return edits


def _outermost(edits: list[tuple[int, int, bytes]]) -> list[tuple[int, int, bytes]]:
    """The edits without those inside a removed element (a skeleton's parts go with it)."""
    kept: list[tuple[int, int, bytes]] = []
    for begin, end, new in sorted(edits):
        if kept and begin < kept[-1][1]:
            continue
        kept.append((begin, end, new))
    return kept
