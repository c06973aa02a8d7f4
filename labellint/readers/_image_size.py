"""Width and height of a PNG, JPEG, GIF or BMP from its header, for formats that do not store them."""

from __future__ import annotations

import struct
from pathlib import Path

from labellint.readers.base import ReadContext

NAN = (float("nan"), float("nan"))
# Bytes read from an image's start: PNG, GIF and BMP sizes are in the first 26; a JPEG's frame
# header follows its metadata segments (EXIF, ICC), which are rarely longer than this. A KITTI
# image is about 0.9 MB, so reading only this much is most of the read saved.
HEAD_BYTES = 64 * 1024
# JPEG start-of-frame markers (baseline, progressive, lossless...) that carry the frame size.
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def image_size(path: Path | None, context: ReadContext) -> tuple[float, float]:
    """(width, height) of the image at `path`; NaN when it is absent or its header is unknown."""
    if path is None or not context.is_file(path):
        return NAN
    try:
        data = context.head(path, HEAD_BYTES)
        if data.startswith(b"\xff\xd8") and len(data) >= HEAD_BYTES and _jpeg_size(data) is NAN:
            data = context.read_bytes(path)  # a JPEG whose frame header comes after large metadata
    except OSError:  # unreadable (permissions): the size stays unknown, as for a missing image
        return NAN
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
    elif data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        height = abs(height)  # negative: rows stored top-down
    elif data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    else:
        return NAN
    return float(width), float(height)


def _jpeg_size(data: bytes) -> tuple[float, float]:
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return NAN
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return float(width), float(height)
        at += 2 + length
    return NAN
