"""Keys written twice in one JSON object, found in the raw bytes (decoders keep the last silently).

Vectorised over the structural index of `_jsonpos`: every key (the string before a colon outside
strings) gets its enclosing object and a fingerprint of its bytes (length, sum, position-weighted
sum); only keys whose object and fingerprint collide are compared as bytes, so a clean file costs
one pass of numpy over its colons and key bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labellint.model import ReaderIssue
from labellint.readers._jsonpos import _OPEN, JsonPositions
from labellint.readers.base import issue

_CHUNK = 1 << 25
# Maps JSON's structural bytes to themselves and every other byte to 0.
_STRUCTURAL = bytes(byte if byte in b'"{}[]:' else 0 for byte in range(256))


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    """A key seen again in the same object: its JSON pointer and where the repeat starts."""

    key: str
    pointer: str
    line: int
    column: int
    offset: int = -1  # of the key's opening quote in the bytes searched


def duplicate_key_issues(data: bytes, display: str, limit: int = 100) -> list[ReaderIssue]:
    """LL002 at every repeated key (the first `limit`): the decoder kept only the last value."""
    return [key_issue(repeat, display) for repeat in duplicate_keys(data, limit)]


def key_issue(repeat: DuplicateKey, display: str) -> ReaderIssue:
    """The LL002 of one repeated key."""
    message = f"key {repeat.key!r} appears twice in this object; the earlier value would be silently ignored"
    return issue("LL002", message, display, pointer=repeat.pointer, line=repeat.line, column=repeat.column)


def duplicate_keys(data: bytes | bytearray, limit: int = 100) -> list[DuplicateKey]:
    """The first `limit` repeats of a key in one object of `data` (one JSON document, or JSON
    Lines: pointers are then relative to the line's record), in file order."""
    if data.count(b":") < 2:
        return []
    blanked = data.replace(b"\\\\", b"__").replace(b'\\"', b"__") if b"\\" in data else data
    raw = np.frombuffer(blanked, np.uint8)
    at, chars = _tokens(blanked)
    colon = np.flatnonzero(chars == ord(":"))
    colon = colon[colon >= 2]
    starts, ends = at[colon - 2] + 1, at[colon - 1]
    level = np.cumsum(_OPEN[chars].astype(np.int32))
    containers = _enclosing_objects(at, chars, level, colon)
    candidates = _colliding(raw, containers, starts, ends)
    found: list[DuplicateKey] = []
    seen: dict[tuple[int, bytes], int] = {}
    index: JsonPositions | None = None
    for k in candidates:
        key = bytes(data[starts[k] : ends[k]])
        if seen.setdefault((int(containers[k]), key), k) == k or len(found) >= limit:
            continue
        index = index or JsonPositions(data)  # built only for a file that has a repeat
        line, column = index.line_column(int(starts[k]) - 1)
        name = key.decode("utf-8", "replace")
        token = int(np.searchsorted(index.positions, at[containers[k]]))
        path = index.pointer_of(token)
        pointer = f"{path}/{name.replace('~', '~0').replace('/', '~1')}"
        found.append(DuplicateKey(name, pointer, line, column, int(starts[k]) - 1))
    return found


def _tokens(data: bytes | bytearray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets and bytes of the quotes, brackets and colons that are JSON's own (not in strings);
    `bytes.translate` zeroes every other byte in one C pass, in chunks to keep the copy small."""
    ats, all_chars = [], []
    for start in range(0, len(data), _CHUNK):
        chunk = np.frombuffer(data[start : start + _CHUNK].translate(_STRUCTURAL), np.uint8)
        found = np.flatnonzero(chunk)
        ats.append(found + start)
        all_chars.append(chunk[found])
    at = np.concatenate(ats) if ats else np.empty(0, np.int64)
    chars = np.concatenate(all_chars) if all_chars else np.empty(0, np.uint8)
    quote = chars == ord('"')
    inside = (np.cumsum(quote) - quote) % 2 == 1
    keep = quote | ~inside
    return at[keep], chars[keep]


def _enclosing_objects(at: np.ndarray, chars: np.ndarray, level: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """Token index of the opener of the container each token sits in (directly): the latest
    opener before it that left the level the token is at."""
    openers = np.flatnonzero(_OPEN[chars] == 1)
    span = int(at[-1]) + 2 if len(at) else 1
    keys = level[openers].astype(np.int64) * span + at[openers]
    order = np.argsort(keys, kind="stable")
    found = np.searchsorted(keys[order], level[tokens].astype(np.int64) * span + at[tokens]) - 1
    return openers[order[found]]


def _colliding(raw: np.ndarray, containers: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list[int]:
    """Indexes of the keys whose hash of (object, length, first and last 8 bytes) another key
    shares, in file order (the bytes are compared afterwards, so a collision costs only time)."""
    # Element i is the 8 bytes from offset i: one gather per key instead of one per byte; the
    # copy with padding is made only when a key starts in the last 8 bytes.
    tight = len(starts) and int(starts.max()) + 8 > len(raw)
    padded = np.concatenate((raw, np.zeros(8, np.uint8))) if tight else raw
    words = np.ndarray(buffer=padded, dtype="<u8", shape=(len(padded) - 7,), strides=(1,))
    lengths = (ends - starts).astype(np.uint64)
    short = np.minimum(lengths, 8) * 8
    mask = np.where(short == 64, np.uint64(2**64 - 1), (np.uint64(1) << short) - np.uint64(1))
    head = words[starts] & mask
    tail = np.where(lengths > 8, words[np.maximum(ends - 8, 0)], 0).astype(np.uint64)
    with np.errstate(over="ignore"):
        hashed = containers.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        hashed ^= lengths * np.uint64(0xC2B2AE3D27D4EB4F) + head * np.uint64(0x165667B19E3779F9)
        hashed ^= tail * np.uint64(0x27D4EB2F165667C5)
    order = np.argsort(hashed, kind="stable")
    ordered = hashed[order]
    same = ordered[1:] == ordered[:-1]
    hit = np.zeros(len(order), bool)
    hit[1:] |= same
    hit[:-1] |= same
    return sorted(order[hit].tolist())
