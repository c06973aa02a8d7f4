"""The work tree: label files as they are on disk now."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.errors import MissingContentError
from labellint.sources import SKIP_DIRS, dvc, lfs
from labellint.support.paths import from_cwd, from_repository, repository_root


@dataclass(slots=True)
class WorkTree:
    """Files on disk; paths are shown relative to `cwd` when they are inside it."""

    cwd: Path = field(default_factory=Path.cwd)

    def read_bytes(self, path: Path) -> bytes:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            tracked = _dvc_tracked(Path(path))
            if tracked is None:
                raise
            return dvc.read(tracked[0], None, tracked[1], self.display(path))
        pointer = lfs.parse_pointer(data) if len(data) < lfs.MAX_POINTER_BYTES else None
        return data if pointer is None else self._smudge(Path(path), pointer, None)

    def is_file(self, path: Path) -> bool:
        return Path(path).is_file() or (not Path(path).exists() and _dvc_tracked(Path(path)) is not None)

    def is_dir(self, path: Path) -> bool:
        return Path(path).is_dir()

    def head(self, path: Path, size: int) -> bytes:
        try:
            with open(path, "rb") as handle:
                data = handle.read(max(size, lfs.MAX_POINTER_BYTES))
        except FileNotFoundError:
            tracked = _dvc_tracked(Path(path))
            if tracked is None:
                raise
            return dvc.read(tracked[0], None, tracked[1], self.display(path), size)
        pointer = lfs.parse_pointer(data) if len(data) < lfs.MAX_POINTER_BYTES else None
        return data[:size] if pointer is None else self._smudge(Path(path), pointer, size)

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
        """Every file below `folder` in a stable order, skipping VCS and tool folders."""
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                yield Path(root) / name


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
