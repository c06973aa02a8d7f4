"""A git revision: label files as they are in one commit, read from the object store."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from labellint.sources import SKIP_DIRS, dvc
from labellint.sources.dvc import TrackedFile
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
        # Files DVC tracks at this revision (their `.dvc` files are in git, the content is not).
        self._dvc: dict[str, TrackedFile] = {}

    def _relative(self, path: Path) -> str:
        relative = from_repository(path, self.root, self.cwd)
        if relative is None:
            raise ValueError(f"{path} is outside the repository {self.root}")
        return relative

    def _all_files(self) -> set[str]:
        if self._files is None:
            files = set(self._git.files_at(self.repo, self.rev))
            for dvc_file in sorted(f for f in files if dvc.is_dvc_file(f)):
                text = self._git.read_blob_at(self.repo, self.rev, dvc_file) or b""
                for tracked in dvc.tracked_outputs(dvc_file, text):
                    if tracked.path not in files:
                        self._dvc[tracked.path] = tracked
            self._files = files | set(self._dvc)
        return self._files

    def read_bytes(self, path: Path) -> bytes:
        return self._read(path, None)

    def _read(self, path: Path, limit: int | None) -> bytes:
        relative = self._relative(path)
        self._all_files()  # also finds the files DVC tracks
        tracked = self._dvc.get(relative)
        if tracked is not None:
            return dvc.read(self.root, self.rev, tracked, f"{relative} at {self.label}", limit)
        data = self._git.read_at(self.repo, self.rev, relative, limit, label=self.label)
        if data is None:
            raise FileNotFoundError(f"{path} does not exist at {self.label}")
        return data

    def reopen(self, path: Path) -> RevisionFile:
        """A small picklable handle that reads `path` at this revision again later, in any process."""
        return RevisionFile(str(self.root), self.rev, self.label, str(absolute(path, self.cwd)), str(self.cwd))

    def is_file(self, path: Path) -> bool:
        try:
            return self._relative(path) in self._all_files()
        except ValueError:
            return False

    def is_dir(self, path: Path) -> bool:
        prefix = self._relative(path).rstrip("/") + "/"
        return prefix == "./" or any(f.startswith(prefix) for f in self._all_files())

    def head(self, path: Path, size: int) -> bytes:
        return self._read(path, size)[:size]

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


# One GitRevision per (root, sha, cwd) in a process: re-reading many files lists the tree once.
_OPENED: dict[tuple[str, str, str], GitRevision] = {}


@dataclass(frozen=True, slots=True)
class RevisionFile:
    """A file at a git revision to read again on demand (a blob never changes)."""

    root: str
    rev: str
    label: str
    path: str
    cwd: str

    def __call__(self) -> bytes | None:
        key = (self.root, self.rev, self.cwd)
        if key not in _OPENED:
            _OPENED[key] = GitRevision(Path(self.root), self.rev, Path(self.cwd))
            _OPENED[key].label = self.label
        return _OPENED[key].read_bytes(Path(self.path))
