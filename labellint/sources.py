"""Where label bytes come from: the work tree now (git revisions and stdin build on the same shape)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", ".mypy_cache"}


@dataclass(slots=True)
class WorkTree:
    """Files on disk; paths are shown relative to `cwd` when they are inside it."""

    cwd: Path = field(default_factory=Path.cwd)

    def read_bytes(self, path: Path) -> bytes:
        return Path(path).read_bytes()

    def is_file(self, path: Path) -> bool:
        return Path(path).is_file()

    def display(self, path: Path) -> str:
        # Relative to the working directory, as ruff and git print paths (../ when outside it).
        return Path(os.path.relpath(Path(path).resolve(), self.cwd.resolve())).as_posix()

    def walk(self, folder: Path) -> Iterator[Path]:
        """Every file below `folder` in a stable order, skipping VCS and tool folders."""
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                yield Path(root) / name
