"""Where label bytes come from: the work tree now (git revisions and stdin build on the same shape)."""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class Source(Protocol):
    """Where label bytes come from: the work tree or a git revision (readers see only this)."""

    def read_bytes(self, path: Path) -> bytes: ...
    def is_file(self, path: Path) -> bool: ...
    def is_dir(self, path: Path) -> bool: ...
    def head(self, path: Path, size: int) -> bytes: ...
    def glob(self, pattern: Path) -> list[Path]: ...
    def display(self, path: Path) -> str: ...
    def walk(self, folder: Path) -> Iterator[Path]: ...


SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"}


@dataclass(slots=True)
class WorkTree:
    """Files on disk; paths are shown relative to `cwd` when they are inside it."""

    cwd: Path = field(default_factory=Path.cwd)

    def read_bytes(self, path: Path) -> bytes:
        return Path(path).read_bytes()

    def is_file(self, path: Path) -> bool:
        return Path(path).is_file()

    def is_dir(self, path: Path) -> bool:
        return Path(path).is_dir()

    def head(self, path: Path, size: int) -> bytes:
        with open(path, "rb") as handle:
            return handle.read(size)

    def glob(self, pattern: Path) -> list[Path]:
        return sorted(p for p in (Path(m) for m in glob.glob(str(pattern), recursive=True)) if p.is_file())

    def display(self, path: Path) -> str:
        # Relative to the working directory, as ruff and git print paths (../ when outside it).
        return Path(os.path.relpath(Path(path).resolve(), self.cwd.resolve())).as_posix()

    def walk(self, folder: Path) -> Iterator[Path]:
        """Every file below `folder` in a stable order, skipping VCS and tool folders."""
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                yield Path(root) / name


class GitRevision:
    """Files as they are at a git revision, read from the object store: the work tree, the
    index and the refs are never touched. Paths are work-tree paths, mapped into the tree."""

    def __init__(self, repo_path: Path, rev: str, cwd: Path | None = None) -> None:
        from labellint import git

        self._git = git
        self.repo = git.open_repo(repo_path)
        self.root = git.repo_root(self.repo)
        self.rev = git.resolve(self.repo, rev)
        self.label = rev
        self.cwd = (cwd or Path.cwd()).resolve()
        self._files: set[str] | None = None

    def _relative(self, path: Path) -> str:
        absolute = (self.cwd / path) if not Path(path).is_absolute() else Path(path)
        return Path(os.path.normpath(absolute)).relative_to(self.root).as_posix()

    def _all_files(self) -> set[str]:
        if self._files is None:
            self._files = set(self._git.files_at(self.repo, self.rev))
        return self._files

    def read_bytes(self, path: Path) -> bytes:
        data = self._git.read_at(self.repo, self.rev, self._relative(path))
        if data is None:
            raise FileNotFoundError(f"{path} does not exist at {self.label}")
        return data

    def is_file(self, path: Path) -> bool:
        try:
            return self._relative(path) in self._all_files()
        except ValueError:
            return False

    def is_dir(self, path: Path) -> bool:
        prefix = self._relative(path).rstrip("/") + "/"
        return prefix == "./" or any(f.startswith(prefix) for f in self._all_files())

    def head(self, path: Path, size: int) -> bytes:
        return self.read_bytes(path)[:size]

    def glob(self, pattern: Path) -> list[Path]:
        relative = self._relative(pattern)
        return [self.root / f for f in sorted(self._all_files()) if fnmatch.fnmatch(f, relative)]

    def display(self, path: Path) -> str:
        absolute = (self.cwd / path) if not Path(path).is_absolute() else Path(path)
        return Path(os.path.relpath(os.path.normpath(absolute), self.cwd)).as_posix()

    def walk(self, folder: Path) -> Iterator[Path]:
        prefix = self._relative(folder).rstrip("/")
        prefix = "" if prefix == "." else prefix + "/"
        for relative in sorted(self._all_files()):
            parts = relative[len(prefix) :].split("/")
            if relative.startswith(prefix) and not any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
                yield self.root / relative
