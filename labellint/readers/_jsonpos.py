"""Finds the line and column of JSON pointers in raw JSON bytes, vectorised with numpy.

Fast decoders keep no positions, so problems carry JSON pointers; when a report needs lines,
this scans the bytes once (only for files that have problems) and answers all pointers at once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

_STRUCTURAL = np.zeros(256, dtype=bool)
for _char in b"{}[],:":
    _STRUCTURAL[_char] = True
_OPEN = np.zeros(256, dtype=np.int8)
_OPEN[ord("{")] = _OPEN[ord("[")] = 1
_OPEN[ord("}")] = _OPEN[ord("]")] = -1
_NON_BLANK = re.compile(rb"\S")
# The last string before a colon: the key (escapes were blanked, so no quote hides inside).
_KEY_BEFORE = re.compile(rb'"([^"]*)"\s*\Z')


class JsonPositions:
    """Structural index of one JSON document: where each bracket and comma is, and its depth."""

    def __init__(self, data: bytes) -> None:
        # Blank out escaped characters without moving any byte: `\\` first, then `\"`.
        cleaned = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
        raw = np.frombuffer(cleaned, dtype=np.uint8)
        self._raw = raw
        quotes = np.flatnonzero(raw == ord('"'))
        candidates = np.flatnonzero(_STRUCTURAL[raw])
        # A structural byte is inside a string when an odd number of quotes precede it.
        outside = (np.searchsorted(quotes, candidates) % 2) == 0
        self.positions = candidates[outside]
        self.chars = raw[self.positions]
        deltas = _OPEN[self.chars].astype(np.int32)
        # Depth of the container each token belongs to (an opener counts as the outer level).
        self.depth = np.cumsum(deltas) - np.maximum(deltas, 0)
        self.newlines = np.flatnonzero(raw == ord("\n"))
        self._data = cleaned
        self._cache: dict[int, np.ndarray | dict[str, int]] = {}

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a byte offset."""
        line = int(np.searchsorted(self.newlines, offset))
        start = int(self.newlines[line - 1]) + 1 if line else 0
        return line + 1, offset - start + 1

    def _children(self, token: int) -> np.ndarray | dict[str, int]:
        """Start offsets of the elements of the array, or the values of the object, opened at
        token index `token`; cached because many pointers share the same containers."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        depth = self.depth[token]
        end = self._closer(token)
        inner = slice(token + 1, end)
        children: np.ndarray | dict[str, int]
        if self.chars[token] == ord("["):
            commas = np.flatnonzero((self.chars[inner] == ord(",")) & (self.depth[inner] == depth + 1))
            after = np.concatenate(([self.positions[token]], self.positions[token + 1 + commas])) + 1
            empty = self._value_start(int(after[0])) == int(self.positions[end])
            children = np.empty(0, np.int64) if empty else after
        else:
            colons = np.flatnonzero((self.chars[inner] == ord(":")) & (self.depth[inner] == depth + 1))
            children = {}
            for colon in colons:
                colon_at = int(self.positions[token + 1 + colon])
                key = _KEY_BEFORE.search(self._data, max(0, colon_at - 512), colon_at)
                if key:
                    children[key.group(1).decode("utf-8", "replace")] = colon_at + 1
        self._cache[token] = children
        return children

    def _closer(self, token: int) -> int:
        """Token index of the bracket that closes the one at `token`; small containers are
        found in a small window, so resolving many pointers stays cheap."""
        depth, window = self.depth[token], 64
        while True:
            chunk = slice(token + 1, token + 1 + window)
            hits = np.flatnonzero((self.depth[chunk] == depth) & (_OPEN[self.chars[chunk]] == -1))
            if len(hits):
                return token + 1 + int(hits[0])
            if token + 1 + window >= len(self.positions):
                return len(self.positions) - 1
            window *= 16

    def _value_start(self, byte: int) -> int:
        """Offset of the first non-blank byte at or after `byte`."""
        match = _NON_BLANK.search(self._data, byte)
        return match.start() if match else byte

    def resolve(self, pointer: str) -> int | None:
        """Byte offset where the value at `pointer` starts, or None when it does not exist."""
        start = self._value_start(0)
        for part in [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]:
            token = int(np.searchsorted(self.positions, start))
            if token >= len(self.positions) or self.positions[token] != start:
                return None
            if self.chars[token] not in (ord("["), ord("{")):
                return None
            children = self._children(token)
            if isinstance(children, dict):
                if part not in children:
                    return None
                start = self._value_start(children[part])
            else:
                if not part.isdigit() or int(part) >= len(children):
                    return None
                start = self._value_start(int(children[int(part)]))
        return start


def locate_pointers(data: bytes, pointers: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(line, column) of each pointer that exists in `data`."""
    index = JsonPositions(data)
    found: dict[str, tuple[int, int]] = {}
    for pointer in pointers:
        offset = index.resolve(pointer)
        if offset is not None:
            found[pointer] = index.line_column(offset)
    return found


def offset_from_message(message: str) -> int | None:
    """The byte offset a decoder error names ("... (byte 123)"), if any."""
    match = re.search(r"byte (\d+)", message)
    return int(match.group(1)) if match else None
