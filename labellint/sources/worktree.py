"""The work tree: label files as they are on disk now."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.sources import SKIP_DIRS
from labellint.support.paths import from_cwd

# Whole small files kept from sniffing until their reader asks for them (bytes, across all files).
WHOLE_FILE_BUDGET = 64 * 1024 * 1024


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
        return Path(path).is_file()

    def is_dir(self, path: Path) -> bool:
        return Path(path).is_dir()

    def head(self, path: Path, size: int) -> bytes:
        with open(path, "rb") as handle:
            data = handle.read(size)
            # Asking for one byte more than we got proves the end of the file without a stat.
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
        """Every file below `folder` in a stable order, skipping VCS and tool folders."""
        for root, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                yield Path(root) / name
