"""Turns paths, globs and configured datasets into label files, each paired with its reader."""

from __future__ import annotations

import glob
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from labellint.model import ReaderIssue
from labellint.readers import Reader, get_reader, sniff_reader
from labellint.readers.base import issue
from labellint.sources import Source, WorkTree
from labellint.sources.git import ignored_below
from labellint.sources.worktree import special_file

SNIFF_BYTES = 4096
# Files that sit beside labels but are not labels.
NOT_LABEL_FILES = {"labelspec.yaml", "labelspec.yml", "labellint.toml", "pyproject.toml", "package.json"}


@dataclass(slots=True)
class Target:
    """A path or glob to read, with the reader forced for it (None: sniff each file)."""

    pattern: str
    reader: str | None = None
    options: dict = field(default_factory=dict)
    # A named file no reader claims is an LL001, unless it is only a candidate (a hook's changed file).
    candidate: bool = False
    # Skip what .gitignore ignores below a folder (the default `.`, as ruff does).
    skip_ignored: bool = False


@dataclass(slots=True)
class Collected:
    """Files grouped by reader (in a stable order), and what could not be matched."""

    groups: dict[str, tuple[Reader, list[Path], dict]] = field(default_factory=dict)
    issues: list[ReaderIssue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # (reader, path) pairs already added: a set, since a list scan made 100k files quadratic.
    seen: set[tuple[str, Path]] = field(default_factory=set)

    def add(self, reader: Reader, path: Path, options: dict) -> None:
        # Datasets that use one reader with different options are read apart.
        key = reader.name if not options else f"{reader.name} {json.dumps(options, sort_keys=True, default=str)}"
        if key not in self.groups:
            self.groups[key] = (reader, [], options)
        if (key, path) not in self.seen:
            self.seen.add((key, path))
            self.groups[key][1].append(path)

    @property
    def file_count(self) -> int:
        return sum(len(files) for _, files, _ in self.groups.values())


def collect(targets: Sequence[Target], source: Source, base: Path) -> Collected:
    """Expands every target; files named explicitly must be readable, found ones are sniffed."""
    out = Collected()
    for target in targets:
        pattern = target.pattern
        path = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        forced = get_reader(target.reader) if target.reader else None
        if source.is_dir(path):
            ignored = ignored_below(path) if target.skip_ignored and isinstance(source, WorkTree) else None
            for found in source.walk(path):
                if ignored is None or not ignored(found):
                    _add(out, found, forced, target.options, source, explicit=False)
        elif source.is_file(path):
            _add(out, path, forced, target.options, source, explicit=not target.candidate)
        elif glob.has_magic(pattern):
            files = source.glob(path)
            if not files:
                out.missing.append(pattern)
            for found in files:
                _add(out, found, forced, target.options, source, explicit=False)
        elif (kind := special_file(path)) is not None:
            out.issues.append(issue("LL001", f"not a regular file ({kind}): not read", source.display(path)))
        else:
            out.missing.append(pattern)
    return out


def _add(out: Collected, path: Path, forced: Reader | None, options: dict, source: Source, explicit: bool) -> None:
    if path.name in NOT_LABEL_FILES:
        return
    if forced is not None:
        if explicit or path.suffix.lower() in forced.suffixes:
            out.add(forced, path, options)
        return
    try:
        head = source.head(path, SNIFF_BYTES)
    except OSError as exc:
        out.issues.append(issue("LL001", f"cannot read the file: {exc.strerror}", source.display(path)))
        return
    reader = sniff_reader(path, head)
    if reader is not None:
        out.add(reader, path, options)
    elif explicit:
        out.issues.append(
            issue(
                "LL001",
                "cannot tell this file's label format; name a reader with --reader",
                source.display(path),
            )
        )
