"""The work tree: label files as they are on disk now."""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.sources import SKIP_DIRS
from labellint.support.paths import from_cwd

# Whole small files kept from sniffing until their reader asks for them (bytes, across all files).
WHOLE_FILE_BUDGET = 64 * 1024 * 1024


class NotRegularFile(OSError):
    """A path that exists but is a FIFO, socket or device: never read, named in the report."""


def _kind_of(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"))
    kinds += ((stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a folder"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def special_file(path: Path) -> str | None:
    """What a path that exists but is not a regular file is ("a FIFO"), or None."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return "a symlink loop" if exc.errno == errno.ELOOP else None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else _kind_of(mode)


@dataclass(slots=True)
class WorkTree:
    """Files on disk; paths are shown relative to `cwd` when they are inside it."""

    cwd: Path = field(default_factory=Path.cwd)
    # A head that turned out to be the whole file, handed once to the next read_bytes of that path:
    # 100k small YOLO files are then opened once each, not once to sniff and once to read.
    _whole: dict[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    _whole_size: int = field(default=0, repr=False, compare=False)

    def read_bytes(self, path: Path) -> bytes:
        data = self._whole.pop(str(path), None)
        if data is not None:
            self._whole_size -= len(data)
            return data
        return Path(path).read_bytes()

    def is_file(self, path: Path) -> bool:
        try:
            return Path(path).is_file()
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            return False

    def is_dir(self, path: Path) -> bool:
        try:
            return Path(path).is_dir()
        except (OSError, ValueError):
            return False

    def head(self, path: Path, size: int) -> bytes:
        # Opened without blocking and checked before reading: a FIFO in a scanned folder would
        # otherwise wait forever for a writer.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as handle:
            mode = os.fstat(descriptor).st_mode
            if not stat.S_ISREG(mode):
                raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind_of(mode)})", str(path))
            data = handle.read(size)
            # Asking for one byte more than we got proves the end of the file.
            if len(data) < size and self._whole_size + len(data) <= WHOLE_FILE_BUDGET and not handle.read(1):
                self._whole[str(path)] = data
                self._whole_size += len(data)
            return data

    def glob(self, pattern: Path) -> list[Path]:
        return sorted(p for p in (Path(m) for m in glob.glob(str(pattern), recursive=True)) if p.is_file())

    def display(self, path: Path) -> str:
        # Relative to the working directory, as ruff and git print paths (../ when outside it).
        return from_cwd(path, self.cwd)

    def walk(self, folder: Path) -> Iterator[Path]:
        """Every file below `folder` in a stable order, skipping VCS and tool folders and virtual
        environments (whatever their name: a folder with a pyvenv.cfg)."""
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if _walked(root, d))
            for name in sorted(files):
                yield Path(root) / name


def _walked(root: str, name: str) -> bool:
    """A folder worth walking: no VCS or tool folder, no virtual environment."""
    if name in SKIP_DIRS or name.startswith("."):
        return False
    return not os.path.isfile(os.path.join(root, name, "pyvenv.cfg"))
