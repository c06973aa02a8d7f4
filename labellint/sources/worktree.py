"""The work tree: label files as they are on disk now."""

from __future__ import annotations

import errno
import glob
import mmap
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.errors import MissingContentError
from labellint.sources import SKIP_DIRS, dvc, lfs
from labellint.support.mapped import map_file
from labellint.support.paths import from_cwd, from_repository, repository_root

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
        try:
            with open(path, "rb") as file:  # as Path.read_bytes, without a Path per file (100k small files)
                data = file.read()
        except FileNotFoundError:
            tracked = _dvc_tracked(Path(path))
            if tracked is None:
                raise
            return dvc.read(tracked[0], None, tracked[1], self.display(path))
        pointer = lfs.parse_pointer(data) if len(data) < lfs.MAX_POINTER_BYTES else None
        return data if pointer is None else self._smudge(Path(path), pointer, None)

    def mapped(self, path: Path) -> mmap.mmap | None:
        """`path` mapped read-only when it is a large regular file on disk (far beyond a Git LFS
        pointer); None for other files, which `read_bytes` reads."""
        return None if str(path) in self._whole else map_file(Path(path))

    def reopen(self, path: Path) -> WorkTreeFile:
        """A small picklable handle that reads `path` again later (for line finding), in any process."""
        try:
            status = os.stat(path)
            stamp = (status.st_size, status.st_mtime_ns)
        except OSError:  # tracked by DVC and not checked out: its content is fixed by its md5
            stamp = None
        return WorkTreeFile(os.path.abspath(path), str(self.cwd), stamp)

    def is_file(self, path: Path) -> bool:
        try:
            return Path(path).is_file() or (not Path(path).exists() and _dvc_tracked(Path(path)) is not None)
        except (OSError, ValueError):  # a name too long for the file system, a NUL byte
            return False

    def is_dir(self, path: Path) -> bool:
        try:
            return Path(path).is_dir()
        except (OSError, ValueError):
            return False

    def head(self, path: Path, size: int) -> bytes:
        want = max(size, lfs.MAX_POINTER_BYTES)
        try:
            # Opened without blocking and checked before reading: a FIFO in a scanned folder would
            # otherwise wait forever for a writer.
            descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            tracked = _dvc_tracked(Path(path))
            if tracked is None:
                raise
            return dvc.read(tracked[0], None, tracked[1], self.display(path), size)
        with open(descriptor, "rb") as handle:
            mode = os.fstat(descriptor).st_mode
            if not stat.S_ISREG(mode):
                raise NotRegularFile(errno.EINVAL, f"not a regular file ({_kind_of(mode)})", str(path))
            data = handle.read(want)
            # Asking for one byte more than we got proves the end of the file.
            whole = len(data) < want and not handle.read(1)
        pointer = lfs.parse_pointer(data) if whole and len(data) < lfs.MAX_POINTER_BYTES else None
        if pointer is not None:
            return self._smudge(Path(path), pointer, size)
        if whole and self._whole_size + len(data) <= WHOLE_FILE_BUDGET:
            self._whole[str(path)] = data
            self._whole_size += len(data)
        return data[:size]

    def _smudge(self, path: Path, pointer: lfs.Pointer, limit: int | None) -> bytes:
        """A pointer checked out in place of its content (cloned without git-lfs, or with
        GIT_LFS_SKIP_SMUDGE): the content from the local LFS store, or a clear error."""
        from labellint.sources import git

        root = repository_root(path.resolve().parent)
        if root is None:
            raise lfs_outside_repository(self.display(path))
        relative = from_repository(path, root, self.cwd) or path.name
        return git.lfs_store(root).read(pointer, relative, self.display(path), limit)

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
            parent = Path(root)  # once per folder: a Path costs more than the stat of its file
            for name in sorted(files):
                yield parent / name


@dataclass(frozen=True, slots=True)
class WorkTreeFile:
    """A work-tree file to read again on demand; None when it changed since it was read (its
    size and modification time differ), so no line is ever taken from other bytes."""

    path: str
    cwd: str
    stamp: tuple[int, int] | None

    def __call__(self) -> bytes | None:
        if self.stamp is not None:
            try:
                status = os.stat(self.path)
            except OSError:
                return None
            if (status.st_size, status.st_mtime_ns) != self.stamp:
                return None
        return WorkTree(Path(self.cwd)).read_bytes(Path(self.path))


def _walked(root: str, name: str) -> bool:
    """A folder worth walking: no VCS or tool folder, no virtual environment."""
    if name in SKIP_DIRS or name.startswith("."):
        return False
    return not os.path.isfile(os.path.join(root, name, "pyvenv.cfg"))


def lfs_outside_repository(where: str) -> MissingContentError:
    return MissingContentError(f"{where} is a Git LFS pointer outside any git repository: its content cannot be found")


def _dvc_tracked(path: Path) -> tuple[Path, dvc.TrackedFile] | None:
    """The repository root and the DVC output when a missing `path` is tracked by `path.dvc`."""
    dvc_file = path.with_name(path.name + ".dvc")
    if not dvc_file.is_file():
        return None
    root = repository_root(path.resolve().parent) or path.resolve().parent
    relative = from_repository(dvc_file, root) or dvc_file.name
    for tracked in dvc.tracked_outputs(relative, dvc_file.read_bytes()):
        if (root / tracked.path).resolve() == path.resolve():
            return root, tracked
    return None
