"""Label bytes as UTF-8 for sniffing and JSON decoding: a UTF-8 BOM blanked, UTF-16 transcoded."""

from __future__ import annotations

import codecs

UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# XML without a BOM names its encoding in a declaration that starts `<?` in UTF-16 (XML 1.0, F.1).
_XML_UTF16 = {b"<\x00?\x00": "utf-16-le", b"\x00<\x00?": "utf-16-be"}


def utf8_text(data: bytes, *, partial: bool = False) -> bytes:
    """`data` as UTF-8: a UTF-8 BOM becomes three spaces (byte offsets and lines stay the same),
    UTF-16 with a BOM is transcoded (lines stay the same). `partial` is for a sniffed head, which
    may end inside a character. Undecodable UTF-16 is returned as it is, for the parser to name."""
    if data.startswith(UTF8_BOM):
        return bom_blanked(data)
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16", "ignore" if partial else "strict").encode("utf-8")
        except UnicodeDecodeError:
            return data
    return data


def bom_blanked(data: bytes) -> bytes:
    """A UTF-8 BOM as three spaces (every byte offset stays the file's); other bytes as they are."""
    return b"   " + data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def bom_restored(original: bytes, edited: bytes) -> bytes:
    """`edited` (made from `bom_blanked(original)`) with the BOM `original` starts with put back."""
    return original[: len(UTF8_BOM)] + edited[len(UTF8_BOM) :] if original.startswith(UTF8_BOM) else edited


def xml_head_text(head: bytes) -> bytes:
    """The sniffed head of an XML file as UTF-8, for matching tag names only (expat reads the
    file itself through its BOM or declared encoding): UTF-16 with a BOM or, without one, with
    its declaration's `<?` in UTF-16; single-byte encodings already spell tags in ASCII."""
    for prefix, encoding in _XML_UTF16.items():
        if head.startswith(prefix):
            return head.decode(encoding, "ignore").encode("utf-8")
    return utf8_text(head, partial=True)


def utf16_problem(data: bytes) -> str | None:
    """Why `data`, which starts with a UTF-16 byte-order mark, is not UTF-16 (None when it is, or
    when it has no such mark): the LL001 message, instead of a JSON error at byte 0."""
    if not data.startswith(_UTF16_BOMS):
        return None
    try:
        data.decode("utf-16")
    except UnicodeDecodeError as exc:
        return f"starts with a UTF-16 byte-order mark but is not valid UTF-16 ({exc.reason} at byte {exc.start})"
    return None


def not_utf8(exc: UnicodeDecodeError) -> str:
    """The LL001 message for label text that is not UTF-8."""
    return f"not UTF-8 text: {exc.reason} at byte {exc.start}"
