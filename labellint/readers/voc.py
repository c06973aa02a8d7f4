"""Pascal VOC XML reader (labelImg and friends), parsed through defusedxml with line numbers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import numpy as np
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile
from labellint.readers._encoding import xml_head_text
from labellint.readers._xml import LineTreeBuilder
from labellint.readers.base import Candidate, ReadContext, Reader, issue

FLAG_ATTRIBUTES = ("truncated", "difficult", "occluded")
_PROLOG = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)", re.DOTALL)
_ROOT = re.compile(rb"<annotation[\s>]")
_EMPTY_VOC_TAGS = (b"<size>", b"<segmented>", b"<database>")


class VocReader(Reader):
    """Reads Pascal VOC XML: one file per image with `<size>` and `<object>` boxes."""

    name = "voc"
    suffixes = (".xml",)
    description = "Pascal VOC XML: one file per image, <size> and <object><bndbox>"

    def claims(self, candidate: Candidate) -> bool:
        """Root element `<annotation>` with `<object>`s that have a `<bndbox>` (or, for an image
        without objects, VOC's `<size>`, `<segmented>` or `<database>`); LabelMe's
        `<polygon>`/`<imagesize>` files are not VOC."""
        if candidate.suffix != ".xml":
            return False
        # expat reads the file through its BOM or declared encoding; the tags are matched as UTF-8.
        head = xml_head_text(candidate.head)
        body = _PROLOG.sub(b"", head).lstrip()
        if not _ROOT.match(body) or b"<polygon>" in head or b"<imagesize>" in head:
            return False
        return b"<bndbox" in head or (b"<object" not in head and any(tag in head for tag in _EMPTY_VOC_TAGS))

    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        builder = _VocBuilder(self.name)
        for path in paths:
            display = context.display(path)
            builder.add_file(path, display, context.read_bytes(path))
        return builder.dataset()


class _VocBuilder:
    """The columns of a VOC dataset, filled one XML file (one image) at a time."""

    def __init__(self, reader_name: str) -> None:
        self.reader_name = reader_name
        self.issues: list[ReaderIssue] = []
        self.files: list[SourceFile] = []
        self.class_index: dict[str, int] = {}
        self.items: dict[str, list[Any]] = {k: [] for k in ("id", "file", "line", "width", "height")}
        self.anns: dict[str, list[Any]] = {k: [] for k in ("item", "cls", "box", "line", "index")}
        self.attributes: dict[int, dict[str, Any]] = {}

    def add_file(self, path: Path, display: str, data: bytes) -> None:
        issues, items = self.issues, self.items
        self.files.append(SourceFile(path=display, reader=self.reader_name, shared_item_ids=True))
        parsed = _parse(data, display, issues)
        if parsed is None:
            return
        root, lines = parsed
        if root.tag != "annotation":
            message = f"root element is <{root.tag}>, expected <annotation>"
            issues.append(issue("LL002", message, display, line=lines.get(id(root), 1)))
            return
        item = len(items["id"])
        filename = (root.findtext("filename") or "").strip()
        if not filename:
            message = "missing <filename>; using the XML file's name"
            issues.append(issue("LL002", message, display, line=lines.get(id(root), 1)))
            filename = path.stem
        size = root.find("size")
        width = _number(size, "width", display, lines, issues) if size is not None else None
        height = _number(size, "height", display, lines, issues) if size is not None else None
        items["id"].append(filename)
        items["file"].append(len(self.files) - 1)
        items["line"].append(lines.get(id(size), 0) if size is not None else 0)
        items["width"].append(np.nan if width is None else width)
        items["height"].append(np.nan if height is None else height)
        for index, obj in enumerate(root.iter("object")):
            self._add_object(obj, index, item, filename, display, lines)

    def _add_object(
        self, obj: Element, index: int, item: int, filename: str, display: str, lines: dict[int, int]
    ) -> None:
        anns = self.anns
        line = lines.get(id(obj), 0)
        name = (obj.findtext("name") or "").strip()
        box_element = obj.find("bndbox")
        if not name or box_element is None:
            missing = "<name>" if not name else "<bndbox>"
            self.issues.append(
                issue("LL002", f"<object> without {missing}", display, line=line, identity=f"{filename}#{index}")
            )
            return
        coords = [_number(box_element, k, display, lines, self.issues) for k in ("xmin", "ymin", "xmax", "ymax")]
        if any(c is None for c in coords):
            return
        xmin, ymin, xmax, ymax = coords
        a = len(anns["cls"])
        anns["item"].append(item)
        anns["cls"].append(self.class_index.setdefault(name, len(self.class_index)))
        # Continuous coordinates, no +1 (see bbox_notes: one convention, stated).
        anns["box"].append([xmin, ymin, xmax - xmin, ymax - ymin])
        anns["line"].append(line)
        anns["index"].append(index)
        attrs = _attributes(obj)
        if attrs:
            self.attributes[a] = attrs

    def dataset(self) -> Dataset:
        items, anns = self.items, self.anns
        n_items, n_anns = len(items["id"]), len(anns["cls"])
        dataset = Dataset(files=self.files, classes=[ClassRef(n) for n in self.class_index], issues=self.issues)
        dataset.item_ids = np.asarray(items["id"], dtype=object)
        dataset.item_names = list(items["id"])
        dataset.item_file = np.asarray(items["file"], np.int32)
        dataset.item_line = np.asarray(items["line"], np.int32)
        dataset.item_index = np.zeros(n_items, np.int32)
        dataset.item_width = np.asarray(items["width"], np.float64)
        dataset.item_height = np.asarray(items["height"], np.float64)
        dataset.item_normalized = np.zeros(n_items, bool)
        dataset.ann_ids = np.full(n_anns, None, dtype=object)
        dataset.ann_item = np.asarray(anns["item"], np.int32)
        dataset.ann_class = np.asarray(anns["cls"], np.int32)
        dataset.ann_box = np.asarray(anns["box"], np.float64).reshape(n_anns, 4)
        dataset.ann_file = dataset.item_file[dataset.ann_item] if n_anns else np.zeros(0, np.int32)
        dataset.ann_line = np.asarray(anns["line"], np.int32)
        dataset.ann_index = np.asarray(anns["index"], np.int32)
        dataset.ann_attributes = self.attributes
        return dataset


def _parse(data: bytes, display: str, issues: list[ReaderIssue]) -> tuple[Element, dict[int, int]] | None:
    builder = LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line, column = exc.position
        # expat appends its own 0-based position; the location already says where.
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        issues.append(issue("LL001", f"cannot parse XML: {reason}", display, line=line, column=column + 1))
        return None
    except DefusedXmlException as exc:
        what = {"DTDForbidden": "a DTD (<!DOCTYPE>)", "EntitiesForbidden": "an entity declaration"}
        reason = what.get(type(exc).__name__, "an external reference")
        line = parser.parser.CurrentLineNumber
        issues.append(issue("LL001", f"refused unsafe XML: {reason} is not allowed in label files", display, line=line))
        return None
    return root, builder.lines


def _number(parent: Element, tag: str, display: str, lines: dict[int, int], issues: list[ReaderIssue]) -> float | None:
    element = parent.find(tag)
    text = (element.text or "").strip() if element is not None else ""
    if not text:
        if tag not in ("width", "height"):  # a missing size is LL005's business
            issues.append(issue("LL002", f"<{parent.tag}> has no <{tag}>", display, line=lines.get(id(parent), 0)))
        return None
    try:
        return float(text)
    except ValueError:
        issues.append(issue("LL002", f"<{tag}> is not a number: {text!r}", display, line=lines.get(id(element), 0)))
        return None


def _attributes(obj: Element) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for flag in FLAG_ATTRIBUTES:
        text = obj.findtext(flag)
        if text is not None and text.strip() in ("0", "1"):
            attrs[flag] = text.strip() == "1"
    pose = (obj.findtext("pose") or "").strip()
    if pose and pose != "Unspecified":
        attrs["pose"] = pose
    return attrs
