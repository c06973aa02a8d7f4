"""Fast XML for big single-file exports (CVAT): the C parser, a refused DTD, and start-tag lines."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder, fromstring

import numpy as np
from defusedxml.ElementTree import DefusedXMLParser

from labellint.model import ReaderIssue
from labellint.readers.base import issue

# Without a DTD there are no entity declarations, so no entity expansion and no external entity:
# refusing the DTD up front is what makes the C parser safe on untrusted label files.
DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


def parse_xml(data: bytes, display: str, issues: list[ReaderIssue]) -> Element | None:
    """The root element, or None with an LL001 (not XML, or a DTD) at its line and column."""
    doctype = DOCTYPE.search(data)
    if doctype:
        line = data.count(b"\n", 0, doctype.start()) + 1
        issues.append(
            issue("LL001", "refused unsafe XML: a DTD (<!DOCTYPE>) is not allowed in label files", display, line=line)
        )
        return None
    try:
        return fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        issues.append(issue("LL001", f"cannot parse XML: {reason}", display, line=line, column=column + 1))
        return None


class TagLines:
    """Line of every start tag of some names, in document order, found by one scan of the bytes.

    A tag name inside a comment or CDATA adds a match the tree does not have, so the scan is
    trusted only when it finds exactly as many tags as the tree holds (`matches`); callers then
    fall back to `element_lines`.
    """

    def __init__(self, data: bytes, tags: tuple[str, ...]) -> None:
        names = "|".join(re.escape(t) for t in tags)
        pattern = re.compile(rb"<(" + names.encode() + rb")[\s/>]")
        self.tags: list[bytes] = []
        starts: list[int] = []
        for match in pattern.finditer(data):
            self.tags.append(match.group(1))
            starts.append(match.start())
        newlines = np.frombuffer(data, np.uint8) == 10
        self.lines = (np.searchsorted(np.flatnonzero(newlines), np.asarray(starts, np.int64)) + 1).tolist()

    def matches(self, root: Element, tags: tuple[str, ...]) -> bool:
        wanted = set(tags)
        return sum(1 for e in root.iter() if e.tag in wanted) == len(self.tags)


class LineTreeBuilder(TreeBuilder):
    """Builds the tree and remembers the line of every start tag (slower: a Python call per tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber
        return element


def element_lines(data: bytes) -> tuple[Element, dict[int, int]]:
    """The tree again, with the line of every element by id (for files `TagLines` cannot trust)."""
    builder = LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    parser.feed(data)
    return parser.close(), builder.lines


# What may come before an XML document's root element: the declaration, processing instructions,
# comments and the DTD (with an internal subset).
_PROLOG_ITEM = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>)", re.DOTALL)
_UTF8_BOM = b"\xef\xbb\xbf"


def root_offset(data: bytes) -> int | None:
    """Where the root element starts after the prolog (declaration, PIs, comments, DTD); None
    when `data` ends inside the prolog (a licence comment longer than what was read)."""
    position = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    while (match := _PROLOG_ITEM.match(data, position)) is not None:
        position = match.end()
    rest = data[position:].lstrip()
    if not rest or rest.startswith((b"<?", b"<!")):
        return None
    return len(data) - len(rest)


def head_past_prolog(head: bytes, read_head, size: int, limit: int) -> bytes:
    """A sniffing head that reaches the root element: `head` itself when the root starts in it,
    else (the prolog fills it) the declaration followed by the first `size` bytes from the root,
    reading at most `limit` bytes (`read_head(n)`) to find it."""
    if len(head) < size or root_offset(head) is not None:
        return head
    more = read_head(limit)
    start = root_offset(more)
    if start is None:
        return head
    declaration = _PROLOG_ITEM.match(more, len(_UTF8_BOM) if more.startswith(_UTF8_BOM) else 0)
    keep = declaration.group(0) if declaration is not None and declaration.group(1).startswith(b"<?xml") else b""
    return keep + more[start : start + size]
