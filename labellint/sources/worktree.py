"""The work tree: label files as they are on disk now."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.sources import SKIP_DIRS
from labellint.support.paths import from_cwd


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
