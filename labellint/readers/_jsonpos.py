"""Finds the line and column of JSON pointers in raw JSON bytes, vectorised with numpy.

Fast decoders keep no positions, so problems carry JSON pointers; when a report needs lines,
this scans the bytes once (only for files that have problems) and answers all pointers at once.
The index holds only brackets (and quotes, to tell which brackets sit inside strings); the commas
and colons of a container are looked up when a pointer walks through it, and only in the bytes
between its child containers, so a 300 MB file costs well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

_OPEN = np.zeros(256, dtype=np.int8)
_OPEN[ord("{")] = _OPEN[ord("[")] = 1
_OPEN[ord("}")] = _OPEN[ord("]")] = -1
_NON_BLANK = re.compile(rb"\S")
# The last string before a colon: the key (escapes were blanked, so no quote hides inside).
_KEY_BEFORE = re.compile(rb'"([^"]*)"\s*\Z')
# Bytes scanned per step while indexing, so the temporaries stay small on big files.
_CHUNK = 1 << 25


class JsonPositions:
    """Structural index of one JSON document: where each bracket is, and its depth."""

    def __init__(self, data: bytes) -> None:
        if b"\\" in data:
            # Blank out escaped characters without moving any byte: `\\` first, then `\"`.
            data = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
        raw = np.frombuffer(data, dtype=np.uint8)
        quotes: list[np.ndarray] = []
        brackets: list[np.ndarray] = []
        for start in range(0, len(raw), _CHUNK):
            chunk = raw[start : start + _CHUNK]
            quotes.append(np.flatnonzero(chunk == ord('"')) + start)
            folded = chunk | 0x20  # `[` -> `{` and `]` -> `}`; no other byte folds onto them
            brackets.append(np.flatnonzero((folded == ord("{")) | (folded == ord("}"))) + start)
        self._quotes = np.concatenate(quotes) if quotes else np.empty(0, np.int64)
        candidates = np.concatenate(brackets) if brackets else np.empty(0, np.int64)
        # A bracket is inside a string when an odd number of quotes precede it.
        self.positions = candidates[self._outside_strings(candidates)]
        self.chars = raw[self.positions]
        deltas = _OPEN[self.chars].astype(np.int32)
        # Depth of the container each token belongs to (an opener counts as the outer level).
        self.depth = np.cumsum(deltas) - np.maximum(deltas, 0)
        self._raw = raw
        self._data = data
        self._newlines: np.ndarray | None = None
        self._cache: dict[int, np.ndarray | dict[str, int]] = {}

    def _outside_strings(self, offsets: np.ndarray) -> np.ndarray:
        return (np.searchsorted(self._quotes, offsets) % 2) == 0

    outside_strings = _outside_strings

    @property
    def quotes(self) -> np.ndarray:
        """Offsets of the quotes that open and close strings (escaped ones excluded)."""
        return self._quotes

    @property
    def raw(self) -> np.ndarray:
        """The bytes (escapes blanked) as a uint8 array."""
        return self._raw

    def pointer_of(self, token: int) -> str:
        """JSON pointer of the container opened at token index `token` (relative to its top-level
        value: a JSON Lines record's pointer starts at its line)."""
        parts: list[str] = []
        openers = np.flatnonzero(_OPEN[self.chars] == 1)
        while self.depth[token] > 0:
            at = int(self.positions[token])
            earlier = openers[(openers < token) & (self.depth[openers] == self.depth[token] - 1)]
            parent = int(earlier[-1])
            children = self._children(parent)
            if isinstance(children, dict):
                key = max((k for k, v in children.items() if v <= at), key=children.__getitem__, default="")
                parts.append(key.replace("~", "~0").replace("/", "~1"))
            else:
                parts.append(str(int(np.searchsorted(children, at, side="right")) - 1))
            token = parent
        return "".join(f"/{part}" for part in reversed(parts))

    def line_column(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a byte offset."""
        if self._newlines is None:
            self._newlines = np.flatnonzero(self._raw == ord("\n"))
        line = int(np.searchsorted(self._newlines, offset))
        start = int(self._newlines[line - 1]) + 1 if line else 0
        return line + 1, offset - start + 1

    def _separators(self, token: int, end: int, separator: int) -> np.ndarray:
        """Offsets of `separator` bytes that belong to the container opened at `token` (closed at
        `end`) itself: outside strings and outside its child containers."""
        inner = slice(token + 1, end)
        child = np.flatnonzero(self.depth[inner] == self.depth[token] + 1) + token + 1
        child = child[: len(child) - len(child) % 2]  # an unclosed child (broken JSON) has no gap after it
        # Child tokens come in opener/closer pairs; the gaps between them are the container's own bytes.
        starts = np.concatenate(([self.positions[token]], self.positions[child[1::2]])) + 1
        stops = np.concatenate((self.positions[child[0::2]], [self.positions[end]]))
        lengths = np.maximum(stops - starts, 0)
        total = int(lengths.sum())
        if not total:
            return np.empty(0, np.int64)
        offsets = np.arange(total) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        hits = offsets[self._raw[offsets] == separator]
        return hits[self._outside_strings(hits)]

    def _children(self, token: int) -> np.ndarray | dict[str, int]:
        """Start offsets of the elements of the array, or the values of the object, opened at
        token index `token`; cached because many pointers share the same containers."""
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        end = self._closer(token)
        children: np.ndarray | dict[str, int]
        if self.chars[token] == ord("["):
            commas = self._separators(token, end, ord(","))
            after = np.concatenate(([self.positions[token]], commas)) + 1
            empty = self._value_start(int(after[0])) == int(self.positions[end])
            children = np.empty(0, np.int64) if empty else after
        else:
            children = {}
            for colon_at in self._separators(token, end, ord(":")).tolist():
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


@dataclass(frozen=True, slots=True)
class JsonLocator:
    """Finds JSON pointers' lines by reading the file again when a report needs them: a Dataset
    keeps this small, picklable object instead of the file's bytes. `decode` is the reader's own
    bytes-to-UTF-8 step (a module-level function), `size` the length it had when read, so bytes
    that changed meanwhile give no lines rather than wrong ones."""

    reopen: Callable[[], bytes | None]
    decode: Callable[[bytes], bytes]
    size: int

    def __call__(self, pointers: Sequence[str]) -> dict[str, tuple[int, int]]:
        raw = self.reopen()
        data = None if raw is None else self.decode(raw)
        if data is None or len(data) != self.size:
            return {}
        return locate_pointers(data, pointers)


def offset_from_message(message: str) -> int | None:
    """The byte offset a decoder error names ("... (byte 123)"), if any."""
    match = re.search(r"byte (\d+)", message)
    return int(match.group(1)) if match else None
