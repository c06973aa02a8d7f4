"""Edits of a JSON document in place: only the edited values' bytes change, every other byte is kept."""

from __future__ import annotations

import re

import numpy as np

from labellint.readers._jsonpos import JsonPositions

_SCALAR = re.compile(rb'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null')


class JsonEdits:
    """Collects replacements of values (by JSON pointer) and removals of array elements, then
    applies them all at once to the original bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.index = JsonPositions(data)
        self._edits: list[tuple[int, int, bytes]] = []

    def span(self, pointer: str) -> tuple[int, int]:
        """[start, end) of the value at `pointer`; KeyError when it is not in the document."""
        start = self.index.resolve(pointer)
        if start is None:
            raise KeyError(pointer)
        first = self.data[start : start + 1]
        if first in (b"[", b"{"):
            token = int(np.searchsorted(self.index.positions, start))
            return start, int(self.index.positions[self.index._closer(token)]) + 1
        match = _SCALAR.match(self.data, start)
        if match is None:
            raise KeyError(pointer)
        return start, match.end()

    def replace(self, pointer: str, text: bytes) -> None:
        """The value at `pointer` becomes `text` (already JSON)."""
        start, end = self.span(pointer)
        self._edits.append((start, end, text))

    def remove_elements(self, array: str, indices: set[int], length: int) -> None:
        """Drops the elements `indices` of the array at `array` (which has `length` elements): each
        with the separator before it, a leading run up to the first kept element; layout kept."""
        if not indices:
            return
        if len(indices) >= length:
            # Nothing is kept: the array becomes empty, its brackets kept.
            array_start, array_end = self.span(array)
            self._edits.append((array_start + 1, array_end - 1, b""))
            return
        first_kept = next(i for i in range(length) if i not in indices)
        if first_kept > 0:
            self._edits.append((self.span(f"{array}/0")[0], self.span(f"{array}/{first_kept}")[0], b""))
        for index in sorted(i for i in indices if i > first_kept):
            start = self.span(f"{array}/{index - 1}")[1]
            self._edits.append((start, self.span(f"{array}/{index}")[1], b""))

    def append_elements(self, array: str, length: int, texts: list[bytes]) -> None:
        """Appends `texts` (each already JSON) to the array at `array` (which has `length` elements),
        after its last element, with the separator the array already uses between elements."""
        if not texts:
            return
        array_start = self.span(array)[0]
        if length == 0:
            self._edits.append((array_start + 1, array_start + 1, b", ".join(texts)))
            return
        last_start, last_end = self.span(f"{array}/{length - 1}")
        if length >= 2:
            separator = self.data[self.span(f"{array}/{length - 2}")[1] : last_start]
        else:
            separator = b"," + self.data[array_start + 1 : last_start]
        self._edits.append((last_end, last_end, b"".join(separator + text for text in texts)))

    def apply(self) -> bytes:
        """The document with every edit made; overlapping edits are a bug of the caller."""
        out, position = [], 0
        for start, end, text in sorted(self._edits):
            if start < position:
                raise ValueError(f"overlapping JSON edits at byte {start}")
            out += [self.data[position:start], text]
            position = end
        out.append(self.data[position:])
        return b"".join(out)

    @property
    def changed(self) -> bool:
        return bool(self._edits)


def dumps_like(data: bytes, value: object) -> bytes:
    """`value` as JSON with the separators the document uses (compact when it writes `"key":value`)."""
    import json

    separators = (",", ":") if b'": ' not in data and b'":' in data else (", ", ": ")
    return json.dumps(value, ensure_ascii=False, separators=separators).encode()
