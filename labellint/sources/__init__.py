"""Where label bytes come from: the work tree or a git revision, behind one `Source` shape."""

from __future__ import annotations

from collections.abc import Callable, Iterator
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
    # A picklable handle that reads `path` again later (None when it changed meanwhile).
    def reopen(self, path: Path) -> Callable[[], bytes | None]: ...


# Folders never walked for label files: version control, tools' caches and virtual environments.
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"}

from labellint.sources.revision import GitRevision  # noqa: E402  (re-exported: the two sources)
from labellint.sources.worktree import WorkTree  # noqa: E402

__all__ = ["SKIP_DIRS", "GitRevision", "Source", "WorkTree"]
