"""`init`'s [[datasets]]: globs that match exactly the label files init read, each with its reader."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from labellint.model import SourceFile

# More folders than this for one reader and suffix: one recursive glob below their common folder.
MAX_FOLDERS = 8


@dataclass(slots=True)
class DatasetGlobs:
    """The patterns (relative to the config's folder) with their reader, and the files they match
    that init did not read as labels (names files, image lists), to be excluded."""

    entries: list[tuple[str, str]] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)


def dataset_globs(files: list[SourceFile], here: Path, cwd: Path) -> DatasetGlobs:
    """Per reader and suffix, one glob per folder (or one `**` glob over many folders): a dataset
    path that names the folder instead would hand every other file in it to the reader, or make
    it an LL001 in a configured dataset, where init skipped it."""
    read: dict[tuple[str, str], set[Path]] = {}
    for source in files:
        path = Path(os.path.normpath(cwd / source.path))
        read.setdefault((source.reader, path.suffix), set()).add(path)
    out = DatasetGlobs()
    for (reader, suffix), paths in sorted(read.items()):
        folders = sorted({p.parent for p in paths})
        if len(paths) == 1:
            patterns = [glob.escape(str(next(iter(paths))))]
        elif len(folders) > MAX_FOLDERS:
            patterns = [os.path.join(glob.escape(os.path.commonpath(folders)), "**", f"*{suffix}")]
        else:
            patterns = [os.path.join(glob.escape(str(folder)), f"*{suffix}") for folder in folders]
        matched: set[Path] = set()
        for pattern in patterns:
            found = {Path(m) for m in glob.glob(pattern, recursive=True) if Path(m).is_file()}
            matched |= found
            out.entries.append((_relative(Path(pattern), here), reader))
        # A read file no glob reaches (a dot-file) is named on its own.
        for missed in sorted(paths - matched):
            out.entries.append((_relative(Path(glob.escape(str(missed))), here), reader))
        out.exclude += [_relative(Path(glob.escape(str(p))), here) for p in sorted(matched - paths)]
    return out


def _relative(path: Path, here: Path) -> str:
    return Path(os.path.relpath(path, here)).as_posix()
