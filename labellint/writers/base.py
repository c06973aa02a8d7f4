"""What a writer is: it turns label files plus a Migration into new bytes, and says what it changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labellint.readers._encoding import UTF8_BOM
from labellint.spec.migration import Migration


@dataclass(slots=True)
class Listed:
    """One annotation the migration did not relabel: where it is, its class, and why."""

    path: str
    where: str  # a JSON pointer, `line N`, or an element path
    class_name: str
    reason: str  # "removed" (class removed from the spec, kept), "dropped" (deleted), "unknown"


@dataclass(slots=True)
class FileEdit:
    """The new content of one file (None: unchanged) and what the migration did in it."""

    path: Path
    display: str
    new: bytes | None = None
    relabelled: int = 0
    renumbered: int = 0  # annotations whose class id changed (same class, new id)
    listed: list[Listed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WriteContext:
    """What a writer may use: file access (the work tree), how paths are shown, reader options."""

    read_bytes: Callable[[Path], bytes]
    is_file: Callable[[Path], bool]
    display: Callable[[Path], str]
    drop_removed: bool = False
    options: dict = field(default_factory=dict)


class MigrationError(Exception):
    """A file that cannot be migrated (nothing is written then); the message names the place."""


class Writer:
    """Base class of writers: `migrate` returns one FileEdit per file it would change or list."""

    reader: str = ""

    def migrate(self, paths: Sequence[Path], plan: Migration, context: WriteContext) -> list[FileEdit]:
        raise NotImplementedError


def text_after_bom(data: bytes, display: str) -> tuple[bytes, str]:
    """A text label file as (its UTF-8 BOM or b"", the text after it); not UTF-8 is refused, naming the byte."""
    bom = UTF8_BOM if data.startswith(UTF8_BOM) else b""
    try:
        return bom, data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{display}: byte {exc.start + len(bom)} is not UTF-8; cannot rewrite it") from None
