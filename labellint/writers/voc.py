"""Pascal VOC writer: each `<object><name>` renamed in place; every other byte of the XML kept."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import AnyStr
from xml.parsers import expat
from xml.sax.saxutils import escape

from labellint.spec.migration import Migration
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer


class VocWriter(Writer):
    """Rewrites the class names of VOC objects (the text of `<object><name>`)."""

    reader = "voc"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        return [_migrate_one(path, plan, context) for path in paths]


def object_names(data: bytes, display: str) -> list[tuple[int, int, str, int, int, int]]:
    """(text start, text end, name, line, object start, object end) of every object's `<name>`."""
    parser = expat.ParserCreate()
    stack: list[str] = []
    found: list[list] = []
    objects: list[list[int]] = []
    state: dict[str, list] = {}

    def start(tag: str, _attrs) -> None:
        stack.append(tag)
        index = parser.CurrentByteIndex
        if tag == "object":
            objects.append([index, -1])
        if tag == "name" and len(stack) >= 2 and stack[-2] == "object":
            opened = data.index(b">", index) + 1
            state["name"] = [opened, -1, "", parser.CurrentLineNumber, len(objects) - 1]

    def text(chunk: str) -> None:
        if "name" in state and stack and stack[-1] == "name":
            state["name"][2] += chunk

    def end(tag: str) -> None:
        stack.pop()
        index = parser.CurrentByteIndex
        if tag == "name" and "name" in state:
            record = state.pop("name")
            # `<name/>` has no end tag of its own: expat reports the end at the start tag.
            record[1] = max(index, record[0])
            found.append(record)
        if tag == "object" and objects:
            open_objects = [o for o in objects if o[1] < 0]
            if open_objects:
                open_objects[-1][1] = data.index(b">", index) + 1

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, text
    parse_for_rewrite(parser, data, display)
    return [(s, e, name, line, *objects[o]) for s, e, name, line, o in found]


def parse_for_rewrite(parser, data: bytes, display: str) -> None:
    """Runs an expat parser (its handlers set) over a file about to be rewritten in place: a file
    that declares entities (its text is not what a byte splice sees) or is not XML is refused."""

    def no_entities(*_args) -> None:
        raise MigrationError(f"{display}: declares XML entities; labellint does not rewrite such files")

    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise MigrationError(f"{display}:{exc.lineno}: cannot parse the XML: {exc}") from None


def object_removal(data: bytes, object_start: int, object_end: int) -> tuple[int, int, bytes]:
    """The edit that deletes one <object>, from the start of its line when only blanks precede it."""
    line_start = data.rfind(b"\n", 0, object_start) + 1
    begin = line_start if not data[line_start:object_start].strip() else object_start
    finish = object_end + 1 if data[object_end : object_end + 1] == b"\n" else object_end
    return begin, finish, b""


def name_replacement(data: bytes, start: int, end: int, name: str) -> tuple[int, int, bytes]:
    """The edit that writes `name` into a <name> element's text, keeping the blanks around it."""
    inner = data[start:end].decode("utf-8")
    lead, trail = inner[: len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()) :]
    return start, end, (lead + escape(name) + trail).encode("utf-8")


def spliced(data: AnyStr, edits: list[tuple[int, int, AnyStr]]) -> AnyStr:
    """`data` (bytes or text) with each (begin, end, new) edit made; edits do not overlap."""
    out, position = [], 0
    for begin, finish, new in sorted(edits):
        out += [data[position:begin], new]
        position = finish
    out.append(data[position:])
    return data[:0].join(out)


def _migrate_one(path: Path, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    data = context.read_bytes(path)
    edit = FileEdit(path, display)
    edits: list[tuple[int, int, bytes]] = []
    for start, end, raw_name, line, object_start, object_end in object_names(data, display):
        written = raw_name.strip()
        if written in plan.removed:
            reason = "dropped" if context.drop_removed else "removed"
            edit.listed.append(Listed(display, f"line {line}", written, reason))
            if context.drop_removed:
                edits.append(object_removal(data, object_start, object_end))
            continue
        target = plan.target(written)
        if target == written:
            continue
        edits.append(name_replacement(data, start, end, target))
        edit.relabelled += 1
    if edits:
        edit.new = spliced(data, edits)
    return edit
