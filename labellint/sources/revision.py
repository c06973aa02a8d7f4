"""A git revision: label files as they are in one commit, read from the object store."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from pathlib import Path

from labellint.sources import SKIP_DIRS
from labellint.support.paths import absolute, from_cwd, from_repository


class GitRevision:
    """Files as they are at a git revision, read from the object store: the work tree, the
    index and the refs are never touched. Paths are work-tree paths, mapped into the tree."""

    def __init__(self, repo_path: Path, rev: str, cwd: Path | None = None) -> None:
        from labellint.sources import git

        self._git = git
        self.repo = git.open_repo(repo_path)
        self.root = git.repo_root(self.repo)
        self.rev = git.resolve(self.repo, rev)
        self.label = rev
        self.cwd = (cwd or Path.cwd()).resolve()
        self._files: set[str] | None = None

    def _relative(self, path: Path) -> str:
        relative = from_repository(path, self.root, self.cwd)
        if relative is None:
            raise ValueError(f"{path} is outside the repository {self.root}")
        return relative

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
        return from_cwd(absolute(path, self.cwd), self.cwd)

    def walk(self, folder: Path) -> Iterator[Path]:
        prefix = self._relative(folder).rstrip("/")
        prefix = "" if prefix == "." else prefix + "/"
        for relative in sorted(self._all_files()):
            parts = relative[len(prefix) :].split("/")
            if relative.startswith(prefix) and not any(p in SKIP_DIRS or p.startswith(".") for p in parts[:-1]):
                yield self.root / relative
