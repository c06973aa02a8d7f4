"""Reviewers' decisions written into YOLO label lines and Pascal VOC objects, found by their line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from labellint.writers.base import MigrationError
from labellint.writers.review import ReviewChange
from labellint.writers.voc import name_replacement, object_names, object_removal, spliced

_CLASS = re.compile(r"^(\s*)(-?\d+)(?=\s|$)")
_NUMBER = re.compile(r"-?\d+(?:\.(\d*))?(?:[eE][+-]?\d+)?")


def _decimals(tokens: Sequence[str]) -> int:
    """How many decimals the file writes its numbers with (6 when it shows none)."""
    found = [len(m.group(1) or "") for t in tokens if (m := _NUMBER.fullmatch(t))]
    return max(found, default=6) or 6


def _yolo_numbers(box: list[float], decimals: int) -> str:
    x, y, w, h = box
    return " ".join(f"{v:.{decimals}f}" for v in (x + w / 2, y + h / 2, w, h))


def apply_yolo_review(data: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The YOLO label file with each change made to its line (boxes are fractions of the image, top-left
    corner first; written as centers); added labels become new lines at the end."""
    try:
        lines = data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        raise MigrationError(f"{display}: is not UTF-8; cannot write the review into it") from None
    decimals = _decimals([t for line in lines for t in line.split()[1:5]])
    for change in changes:
        if change.add:
            continue
        if change.line is None or not 1 <= change.line <= len(lines) or not _CLASS.match(lines[change.line - 1]):
            raise MigrationError(f"{display}:{change.line}: no YOLO label on that line")
        number = change.line - 1
        if change.delete:
            lines[number] = ""
            continue
        line = lines[number]
        body = line.rstrip("\r\n")
        tokens = body.split()
        if change.box is not None:
            if len(tokens) != 5:
                raise MigrationError(f"{display}:{change.line}: the label is a polygon; review apply moves boxes only")
            moved = _yolo_numbers(change.box, decimals).split()
            # A number the move leaves where it was keeps its own digits.
            tokens[1:5] = [
                n if abs(float(n) - float(t)) >= 0.5 * 10**-decimals else t
                for n, t in zip(moved, tokens[1:5], strict=True)
            ]
        if change.class_id is not None:
            tokens[0] = str(change.class_id)
        if change.box is not None or change.class_id is not None:
            lead = _CLASS.match(line).group(1)
            lines[number] = lead + " ".join(tokens) + line[len(body) :]
    added = [f"{c.class_id} {_yolo_numbers(c.box, decimals)}" for c in changes if c.add]
    text = "".join(lines)
    if added:
        newline = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith(("\n", "\r")):
            text += newline
        text += "".join(line + newline for line in added)
    return text.encode("utf-8")


def apply_voc_review(data: bytes, display: str, changes: Sequence[ReviewChange]) -> bytes:
    """The VOC XML with each change made to its `<object>` (found by the line its start tag is on);
    added labels become new objects before `</annotation>`, indented like the others."""
    objects = {data.count(b"\n", 0, o[4]) + 1: o for o in object_names(data, display)}
    edits: list[tuple[int, int, bytes]] = []
    for change in changes:
        if change.add:
            continue
        found = objects.get(change.line)
        if found is None:
            raise MigrationError(f"{display}:{change.line}: no <object> starts on that line")
        name_start, name_end, _, _, object_start, object_end = found
        if change.delete:
            edits.append(object_removal(data, object_start, object_end))
            continue
        if change.class_name is not None:
            edits.append(name_replacement(data, name_start, name_end, change.class_name))
        edits += _voc_object_edits(data, object_start, object_end, change, display)
    added = [c for c in changes if c.add]
    if added:
        edits.append(_voc_new_objects(data, objects, added, display))
    return spliced(data, edits)


def _voc_object_edits(data: bytes, start: int, end: int, change: ReviewChange, display: str) -> list:
    """The coordinate texts of a moved object and the unsure flag of a resolved one."""
    edits = []
    if change.box is not None:
        x, y, w, h = change.box
        for tag, value in zip(("xmin", "ymin", "xmax", "ymax"), (x, y, x + w, y + h), strict=True):
            match = re.compile(rb"<%s>\s*([^<]*?)\s*</%s>" % (tag.encode(), tag.encode())).search(data, start, end)
            if match is None:
                raise MigrationError(f"{display}:{change.line}: the object has no <{tag}> to move")
            number = _voc_number(value, match.group(1))
            if _float(number) != _float(match.group(1).decode("utf-8", "replace")):
                edits.append((match.start(1), match.end(1), number.encode()))
    if change.clear_unsure is not None:
        tag = re.escape(change.clear_unsure.encode())
        match = re.compile(rb"<%s>\s*(1)\s*</%s>" % (tag, tag)).search(data, start, end)
        if match is not None:
            edits.append((match.start(1), match.end(1), b"0"))
    return edits


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _voc_number(value: float, written: bytes) -> str:
    """A coordinate as the file writes them: an integer where it wrote one, else its decimals."""
    match = _NUMBER.fullmatch(written.decode("utf-8", "replace"))
    if match is None or match.group(1) is None:
        return str(round(value))
    return f"{value:.{len(match.group(1))}f}"


def _voc_new_objects(data: bytes, objects: dict, added: Sequence[ReviewChange], display: str) -> tuple:
    """One insertion before `</annotation>`: an `<object>` per added label, indented like the last object."""
    close = data.rfind(b"</annotation>")
    if close < 0:
        raise MigrationError(f"{display}: no </annotation> to add objects before")
    last = max(objects.values(), key=lambda o: o[4]) if objects else None
    indent, step, written = b"\t", b"\t", b"0"
    if last is not None:
        line_start = data.rfind(b"\n", 0, last[4]) + 1
        indent = data[line_start : last[4]] if not data[line_start : last[4]].strip() else b""
        name_line = data.rfind(b"\n", 0, last[0]) + 1
        step = data[name_line : data.index(b"<", name_line)][len(indent) :] or b"\t"
        written = re.search(rb"<xmin>\s*([^<]*?)\s*</xmin>", data[last[4] : last[5]])
        written = written.group(1) if written else b"0"
    newline = b"\r\n" if b"\r\n" in data else b"\n"
    blocks = []
    for change in added:
        x, y, w, h = change.box
        coords = [_voc_number(v, written) for v in (x, y, x + w, y + h)]
        inner = [f"<name>{escape(change.class_name)}</name>", "<pose>Unspecified</pose>", "<truncated>0</truncated>"]
        inner += ["<difficult>0</difficult>", "<bndbox>"]
        box = [f"<{t}>{v}</{t}>" for t, v in zip(("xmin", "ymin", "xmax", "ymax"), coords, strict=True)]
        rows = [(indent, "<object>")] + [(indent + step, r) for r in inner]
        rows += [(indent + step + step, r) for r in box] + [(indent + step, "</bndbox>"), (indent, "</object>")]
        blocks.append(b"".join(i + r.encode("utf-8") + newline for i, r in rows))
    line_start = data.rfind(b"\n", 0, close) + 1
    at = line_start if not data[line_start:close].strip() else close
    return (at, at, b"".join(blocks))


def yolo_class_ids(names_file: str | None) -> dict[str, int]:
    """Class name -> index as the YOLO names file (data.yaml, classes.txt) writes them."""
    from pathlib import Path

    from labellint.writers.base import WriteContext
    from labellint.writers.yolo import _names

    if names_file is None:
        return {}
    context = WriteContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str)
    names, _ = _names(Path(names_file), None, context)
    return {name: index for index, name in names.items()}
