"""YOLO writer: the names file (data.yaml, classes.txt) and each label line's class index, rest kept."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from labellint.readers.yolo import NAME_FILES, NOT_LABELS
from labellint.spec.migration import Migration
from labellint.support.numbers import is_float_text
from labellint.writers.base import FileEdit, Listed, MigrationError, WriteContext, Writer

_CLASS = re.compile(r"^(\s*)(-?\d+)(?=\s|$)")
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_ .\-/()]*[A-Za-z0-9_.)]|[A-Za-z0-9_]")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


@dataclass(slots=True)
class _Layout:
    """Old index -> new index, the new names by index, and the old indexes folded into another."""

    index_map: dict[int, int]
    names: dict[int, str]
    folded: set[int]
    old: dict[int, str]

    @property
    def changed(self) -> bool:
        return any(k != v for k, v in self.index_map.items()) or self.names != self.old


class YoloWriter(Writer):
    """Rewrites YOLO names files and label lines for a migration."""

    reader = "yolo"

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        groups: dict[Path | None, list[Path]] = {}
        for path in paths:
            if path.name.lower() not in NOT_LABELS:
                groups.setdefault(_names_file(path, context), []).append(path)
        edits: list[FileEdit] = []
        for names_file, files in groups.items():
            names, list_form = _names(names_file, plan, context)
            where = context.display(names_file) if names_file else "the spec's ids"
            layout = _layout(names, plan, list_form, where)
            if names_file is not None and layout.changed:
                edits.append(_names_edit(names_file, layout, list_form, context))
            edits.extend(_label_edit(path, layout, plan, context) for path in files)
        return edits


def _names_file(path: Path, context: WriteContext) -> Path | None:
    """The names file the reader uses for this label file (None: names from options or the spec)."""
    if "names" in context.options:
        return None
    for folder in [path.parent, *path.parent.parents][:4]:
        for name in NAME_FILES:
            candidate = folder / name
            if not context.is_file(candidate):
                continue
            if name.endswith((".txt", ".names")) or _yaml_names_node(_text(candidate, context)) is not None:
                return candidate
    return None


def _text(path: Path, context: WriteContext) -> str:
    return context.read_bytes(path).decode("utf-8", "replace")


def _yaml_names_node(text: str):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        root = YAML(typ="rt").compose(io.StringIO(text))
    except YAMLError:
        return None
    if root is None or not isinstance(root.value, list):
        return None
    for item in root.value:
        if isinstance(item, tuple) and getattr(item[0], "value", None) == "names":
            return item[1]
    return None


def _names(names_file: Path | None, plan: Migration, context: WriteContext) -> tuple[dict[int, str], bool]:
    """Index -> name as the reader sees it, and whether the names are a list (indexes 0..n-1)."""
    if names_file is None:
        if "names" in context.options:
            raise MigrationError("YOLO names given as a reader option: change them in the config, not in files")
        return plan.base.names_by_id(), False
    text = _text(names_file, context)
    if names_file.name.endswith((".txt", ".names")):
        return {i: n.strip() for i, n in enumerate(text.splitlines()) if n.strip()}, True
    node = _yaml_names_node(text)
    if node.id == "mapping":
        return {int(k.value): str(v.value) for k, v in node.value}, False
    return {i: str(item.value) for i, item in enumerate(node.value)}, True


def _layout(names: dict[int, str], plan: Migration, list_form: bool, where: str) -> _Layout:
    """Where each index goes: merged classes fold into the class they became; ids follow the head
    spec where it gives every kept class one, else the list closes its gaps (a map keeps its keys)."""
    target = {i: plan.target(n) for i, n in names.items()}
    key = {i: plan.head_class(n) or target[i] for i, n in names.items()}
    holder: dict[str, int] = {}
    folded: set[int] = set()
    for i in sorted(names, key=lambda i: (names[i] != target[i], i)):
        if key[i] in holder:
            folded.add(i)
        else:
            holder[key[i]] = i
    kept = [i for i in sorted(names) if i not in folded]
    head_ids = {i: plan.head_id(names[i]) for i in kept}
    if kept and all(v is not None for v in head_ids.values()):
        new_of: dict[int, int] = dict(head_ids)
    elif list_form:
        new_of = {i: rank for rank, i in enumerate(kept)}
    else:
        new_of = {i: i for i in kept}
    if len(set(new_of.values())) != len(new_of):
        raise MigrationError(f"{where}: two YOLO classes would share an index; give the spec's classes distinct ids")
    if list_form and sorted(new_of.values()) != list(range(len(kept))):
        raise MigrationError(f"{where}: the spec's ids are not 0..{len(kept) - 1}, which a names list needs")
    index_map = {i: new_of[holder[key[i]]] for i in names}
    return _Layout(index_map, {new_of[i]: target[i] for i in kept}, folded, dict(names))


def _label_edit(path: Path, layout: _Layout, plan: Migration, context: WriteContext) -> FileEdit:
    display = context.display(path)
    edit = FileEdit(path, display)
    data = context.read_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return edit  # `check` reports it (LL001); nothing of it can be migrated
    out: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _CLASS.match(line)
        old = int(match.group(2)) if match else None
        if old is None or old not in layout.old:
            out.append(line)
            continue
        written = layout.old[old]
        if written in plan.removed:
            reason = "dropped" if context.drop_removed else "removed"
            edit.listed.append(Listed(display, f"line {number}", written, reason))
            if not context.drop_removed:
                out.append(line)
            continue
        new = layout.index_map[old]
        out.append(line if new == old else match.group(1) + str(new) + line[match.end() :])
        if plan.target(written) != written:
            edit.relabelled += 1
        elif new != old:
            edit.renumbered += 1
    new_text = "".join(out)
    if new_text != text:
        edit.new = new_text.encode("utf-8")
    return edit


def _names_edit(path: Path, layout: _Layout, list_form: bool, context: WriteContext) -> FileEdit:
    edit = FileEdit(path, context.display(path))
    text = _text(path, context)
    if path.name.endswith((".txt", ".names")):
        newline = "\r\n" if "\r\n" in text else "\n"
        body = newline.join(layout.names[i] for i in range(len(layout.names)))
        new = body + (newline if text.endswith(("\n", "\r")) else "")
    else:
        new = _yaml_names(text, layout, list_form)
    edit.notes.append(f"class names now {', '.join(layout.names[i] for i in sorted(layout.names))}")
    edit.new = new.encode("utf-8")
    return edit


def _yaml_names(text: str, layout: _Layout, list_form: bool) -> str:
    """data.yaml with its `names` rewritten: item by item when the order stays (comments and
    layout kept), else the whole value in the style it had."""
    node = _yaml_names_node(text)
    items = node.value
    old_keys = [int(k.value) for k, _ in items] if not list_form else list(range(len(items)))
    kept_order = [layout.index_map[k] for k in old_keys if k not in layout.folded]
    if node.flow_style or kept_order != sorted(kept_order):
        return text[: node.start_mark.index] + _render(node, layout, list_form) + text[node.end_mark.index :]
    edits: list[tuple[int, int, str]] = []
    for k, item in zip(old_keys, items, strict=True):
        key_node, value = item if isinstance(item, tuple) else (None, item)
        if k in layout.folded:
            start = text.rfind("\n", 0, (key_node or value).start_mark.index) + 1
            end = text.find("\n", value.end_mark.index)
            edits.append((start, len(text) if end < 0 else end + 1, ""))
            continue
        new_name = layout.names[layout.index_map[k]]
        if new_name != value.value:
            edits.append((value.start_mark.index, value.end_mark.index, _scalar(new_name, value.style)))
        if key_node is not None and layout.index_map[k] != k:
            edits.append((key_node.start_mark.index, key_node.end_mark.index, str(layout.index_map[k])))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _render(node, layout: _Layout, list_form: bool) -> str:
    style = next((item[1] if isinstance(item, tuple) else item).style for item in node.value) if node.value else None
    ordered = sorted(layout.names)
    if node.flow_style:
        if list_form:
            return "[" + ", ".join(_scalar(layout.names[i], style) for i in ordered) + "]"
        return "{" + ", ".join(f"{i}: {_scalar(layout.names[i], style)}" for i in ordered) + "}"
    if list_form:
        indent = " " * max(node.start_mark.column, 0)
        lines = [f"- {_scalar(layout.names[i], style)}" for i in ordered]
    else:
        indent = " " * node.value[0][0].start_mark.column
        lines = [f"{i}: {_scalar(layout.names[i], style)}" for i in ordered]
    return lines[0] + "".join(f"\n{indent}{line}" for line in lines[1:]) + "\n"


def _scalar(name: str, style: str | None) -> str:
    """A class name as a YAML scalar, in the quoting the file used where that is safe."""
    if style == "'":
        return "'" + name.replace("'", "''") + "'"
    if style is None and _PLAIN.fullmatch(name) and name.lower() not in _YAML_WORDS and not is_float_text(name):
        return name
    return json.dumps(name, ensure_ascii=False)
