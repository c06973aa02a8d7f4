"""Image sizes for formats that do not store them (KITTI, box tables) come from the file's first bytes:
a 0.9 MB KITTI PNG is not read whole; a JPEG whose frame header lies past large metadata still is."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from labellint.readers._image_size import HEAD_BYTES, image_size
from labellint.readers.base import ReadContext
from labellint.sources import WorkTree


def png(width: int, height: int, padding: int) -> bytes:
    """A PNG signature, its IHDR chunk (the size, as the PNG spec lays it out) and a padding chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"x" * padding) + chunk(b"IEND", b"")


def jpeg(width: int, height: int, metadata: int) -> bytes:
    """SOI, APP segments holding `metadata` bytes (at most 65,533 each, as JPEG limits them), then a
    baseline SOF0 frame header with the size, then EOI."""
    out = b"\xff\xd8"
    while metadata > 0:
        size = min(metadata, 65_533)
        out += b"\xff\xe1" + struct.pack(">H", size + 2) + b"m" * size
        metadata -= size
    out += b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return out + b"\xff\xd9"


class Reads:
    """A work tree's reads, counted: how many whole-file reads a size lookup made."""

    def __init__(self) -> None:
        self.tree, self.whole = WorkTree(), []

    def read_bytes(self, path: Path) -> bytes:
        self.whole.append(path.name)
        return self.tree.read_bytes(path)

    def context(self) -> ReadContext:
        return ReadContext(self.read_bytes, self.tree.is_file, str, read_head=self.tree.head)


@pytest.mark.parametrize(
    ("name", "data", "whole_read"),
    [
        ("big.png", png(1242, 375, 900_000), False),
        ("small_meta.jpg", jpeg(640, 480, 20_000), False),
        ("large_meta.jpg", jpeg(1920, 1080, 150_000), True),  # frame header past HEAD_BYTES
    ],
)
def test_an_image_size_is_read_from_its_head(tmp_path: Path, name: str, data: bytes, whole_read: bool) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    # The size where the format puts it, read back with struct from the bytes written.
    if data.startswith(b"\x89PNG"):
        expected = struct.unpack(">II", data[16:24])
    else:
        at = data.index(b"\xff\xc0")
        expected = struct.unpack(">HH", data[at + 5 : at + 9])[::-1]
    if not data.startswith(b"\x89PNG"):  # the case is the one its name says
        assert (data.index(b"\xff\xc0") > HEAD_BYTES) == whole_read
    reads = Reads()
    assert image_size(path, reads.context()) == tuple(map(float, expected))
    assert reads.whole == ([name] if whole_read else [])


def test_without_a_head_reader_the_whole_file_is_read(tmp_path: Path) -> None:
    """The incremental cache's context has no `read_head`: it digests every side file whole."""
    path = tmp_path / "big.png"
    path.write_bytes(png(1242, 375, 900_000))
    reads = Reads()
    context = ReadContext(reads.read_bytes, reads.tree.is_file, str)
    assert image_size(path, context) == (1242.0, 375.0)
    assert reads.whole == ["big.png"]
