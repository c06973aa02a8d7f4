"""What a reader is: it sniffs files it understands and turns them into the normalized dataset."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from labellint.model import Dataset, ReaderIssue
from labellint.problem import Location

if TYPE_CHECKING:  # only named in an annotation: importing the spec (pydantic) costs a reader ~0.3 s
    from labellint.spec.model import LabelSpec

# How much of a file sniffing sees: enough for a COCO file's `info` and `licenses` before `images`.
SNIFF_BYTES = 65536


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file offered to the readers, with what sniffing may judge it by.

    `relative` is the path below the dataset root (the repository, the configured dataset's
    folder, or the folder scanned): no folder above it may change which reader claims the file.
    `exists` answers for other paths below the same root (a names file beside the labels) and is
    False for anything outside it.
    """

    path: Path
    relative: Path
    head: bytes
    exists: Callable[[Path], bool] = lambda _relative: False

    @property
    def suffix(self) -> str:
        return self.relative.suffix.lower()


@dataclass(slots=True)
class ReadContext:
    """What a reader may use: file access (work tree or a git revision), the spec, its options."""

    read_bytes: Callable[[Path], bytes]
    is_file: Callable[[Path], bool]
    display: Callable[[Path], str]
    spec: LabelSpec | None = None
    options: dict[str, Any] = field(default_factory=dict)
    # A picklable handle per path that reads the file again later (sources' `reopen`); without
    # one, `opener` falls back to `read_bytes` (which must then be picklable to ship a Dataset).
    reopen: Callable[[Path], Callable[[], bytes | None]] | None = None
    # Whether a folder exists, to look for side files once per folder instead of once per file
    # (KITTI's image_2/); None where every lookup must go through `is_file` (the incremental
    # cache records each side file a piece looked at).
    is_dir: Callable[[Path], bool] | None = None
    # The file mapped read-only instead of read (a large file on disk; the work tree's `mapped`),
    # or None: a reader that can work from a buffer uses it, else `read_bytes`.
    map_file: Callable[[Path], Any] | None = None
    # The first bytes of a file (sources' `head`: a work tree reads no more than asked, Git LFS
    # and DVC content included), or None: `head` reads the whole file (the incremental cache
    # digests every side file a piece looked at, whole).
    read_head: Callable[[Path, int], bytes] | None = None

    def head(self, path: Path, size: int) -> bytes:
        """At least the first `size` bytes of `path` (all of them when it is shorter)."""
        return self.read_head(path, size) if self.read_head is not None else self.read_bytes(path)

    def mapped(self, path: Path) -> Any:
        """`path` as a read-only map (a buffer: slices are bytes), or None: read it with `read_bytes`."""
        return self.map_file(path) if self.map_file is not None else None

    def opener(self, path: Path) -> Callable[[], bytes | None]:
        """How to read `path` again after reading is over (line finding), without keeping its bytes."""
        return self.reopen(path) if self.reopen is not None else functools.partial(self.read_bytes, path)


class Reader:
    """Base class of readers; a reader registers under the entry-point group `labellint.readers`."""

    name: ClassVar[str] = ""
    # File name endings this reader may read (sniffing decides among readers sharing one).
    suffixes: ClassVar[tuple[str, ...]] = ()
    description: ClassVar[str] = ""

    def claims(self, candidate: Candidate) -> bool:
        """Whether there is evidence (a key, a header, a root element, a layout) that this file is
        in this reader's format. The built-in readers override this; the default asks `sniff`
        (the older plugin hook) with the root-relative path."""
        return self.sniff(candidate.relative, candidate.head)

    def sniff(self, path: Path, head: bytes) -> bool:
        """Older plugin hook: whether this file, judged by its name and first bytes, is in this
        reader's format (the default trusts the suffix; override `claims` instead)."""
        return path.suffix.lower() in self.suffixes

    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        """Reads the files; a broken file becomes a ReaderIssue, never an exception. The default
        reads them one by one with `read_one` (readers whose files stand alone override only that)."""
        return Dataset.concat([self.read_one(path, context) for path in paths])

    def read_each(self, paths: Sequence[Path], context: ReadContext) -> list[Dataset]:
        """One dataset per path, each what `read([path])` gives (the incremental cache keeps
        files apart); readers that look up shared files per folder override it to do so once."""
        return [self.read([path], context) for path in paths]

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        """One file as a dataset (override this or `read`)."""
        raise NotImplementedError


def issue(code: str, message: str, path: str, **where: Any) -> ReaderIssue:
    """A reader issue at `path` (line, column, pointer, item, annotation as keywords)."""
    identity = str(where.pop("identity", "") or where.get("pointer") or where.get("item") or "")
    return ReaderIssue(code=code, message=message, location=Location(path=path, **where), identity=identity)
