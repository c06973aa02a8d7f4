"""Turns paths, globs and configured datasets into label files, each paired with its reader."""

from __future__ import annotations

import glob
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from labellint.model import ReaderIssue
from labellint.readers import Reader, get_reader, sniff_reader
from labellint.readers._lookalike import describe
from labellint.readers._xml import head_past_prolog
from labellint.readers.base import SNIFF_BYTES, Candidate, issue
from labellint.sources import Source, WorkTree
from labellint.sources.git import ignored_below
from labellint.sources.worktree import special_file
from labellint.support.paths import repository_root

# How far an XML file is read to find its root element when comments or a DTD fill the sniffed head.
XML_PROLOG_LIMIT = 16 * 1024 * 1024

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
    # A configured dataset: every file in it is meant as labels, so an unclaimed one is LL001.
    configured: bool = False


@dataclass(slots=True)
class Collected:
    """Files grouped by reader (in a stable order), and what could not be matched."""

    groups: dict[str, tuple[Reader, list[Path], dict]] = field(default_factory=dict)
    issues: list[ReaderIssue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    # Files found in a folder or glob that no reader claims, by what they look like.
    skipped: dict[str, int] = field(default_factory=dict)
    # (reader, path) pairs already added: a set, since a list scan made 100k files quadratic
    # (the path as text: hashing a new Path normalizes its parts first).
    seen: set[tuple[str, str]] = field(default_factory=set)
    claims: KnownClaims | None = None

    def add(self, reader: Reader, path: Path, options: dict) -> None:
        # Datasets that use one reader with different options are read apart.
        key = reader.name if not options else f"{reader.name} {json.dumps(options, sort_keys=True, default=str)}"
        if key not in self.groups:
            self.groups[key] = (reader, [], options)
        seen = (key, str(path))
        if seen not in self.seen:
            self.seen.add(seen)
            self.groups[key][1].append(path)

    @property
    def file_count(self) -> int:
        return sum(len(files) for _, files, _ in self.groups.values())

    def skipped_note(self) -> str | None:
        """One line naming every skipped kind of file ("skipped 23 files: 23 empty .txt")."""
        if not self.skipped:
            return None
        total = sum(self.skipped.values())
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"skipped {total} file{'s' if total != 1 else ''} no reader claims: {kinds}"


class KnownClaims(Protocol):
    """Which reader claimed a file last time, while it and what its claim looked at are unchanged
    (the incremental cache's: commands/claim_cache.py)."""

    def known(self, path: Path, root: Path) -> Reader | None: ...

    def learn(self, path: Path, root: Path, reader: Reader, asked: dict[Path, bool]) -> None: ...


def collect(targets: Sequence[Target], source: Source, base: Path, claims: KnownClaims | None = None) -> Collected:
    """Expands every target; files named explicitly must be readable, found ones are sniffed
    (or, with `claims`, given the reader that claimed them last time when nothing changed)."""
    out = Collected(claims=claims)
    for target in targets:
        pattern = target.pattern
        path = Path(pattern) if Path(pattern).is_absolute() else base / pattern
        forced = get_reader(target.reader) if target.reader else None
        if source.is_dir(path):
            ignored = ignored_below(path) if target.skip_ignored and isinstance(source, WorkTree) else None
            root = dataset_root(path, base if target.configured else None, source)
            for found in source.walk(path):
                if ignored is None or not ignored(found):
                    _add(out, found, forced, target, source, root, explicit=False)
        elif source.is_file(path):
            root = dataset_root(path.parent, base if target.configured else None, source)
            _add(out, path, forced, target, source, root, explicit=not target.candidate)
        elif glob.has_magic(pattern):
            files = source.glob(path)
            if not files:
                out.missing.append(pattern)
            root = dataset_root(_fixed_prefix(path), base if target.configured else None, source)
            for found in files:
                _add(out, found, forced, target, source, root, explicit=False)
        elif (kind := special_file(path)) is not None:
            out.issues.append(issue("LL001", f"not a regular file ({kind}): not read", source.display(path)))
        else:
            out.missing.append(pattern)
    return out


def dataset_root(folder: Path, config_root: Path | None, source: Source) -> Path:
    """The folder sniffing judges paths below: the repository, else the config's folder (for a
    configured dataset inside it), else the parent of the folder named, so that the folder's own
    name (`labels/`, `label_2/`) and a names file beside it (`data.yaml` next to `labels/`) are
    evidence, as they are for the tools that wrote them. Nothing above that changes a result."""
    folder = Path(folder).absolute()
    repo = getattr(source, "root", None) or repository_root(folder)
    for root in (repo, config_root.absolute() if config_root else None):
        if root is not None and folder.resolve().is_relative_to(Path(root).resolve()):
            return Path(root).resolve()
    return folder.resolve().parent


def _fixed_prefix(pattern: Path) -> Path:
    parts = []
    for part in pattern.parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def _candidate(path: Path, head: bytes, root: Path, source: Source, asked: dict[Path, bool] | None = None) -> Candidate:
    try:
        relative = Path(path).resolve().relative_to(root)
    except ValueError:
        relative = Path(Path(path).name)

    def exists(below: Path) -> bool:
        found = not Path(below).is_absolute() and ".." not in Path(below).parts and source.is_file(root / below)
        if asked is not None:
            asked[Path(below)] = found
        return found

    return Candidate(path=path, relative=relative, head=head, exists=exists)


def _add(
    out: Collected, path: Path, forced: Reader | None, target: Target, source: Source, root: Path, explicit: bool
) -> None:
    if path.name in NOT_LABEL_FILES:
        return
    options = target.options
    if forced is not None:
        if explicit or path.suffix.lower() in forced.suffixes:
            out.add(forced, path, options)
        return
    known = out.claims.known(path, root) if out.claims is not None else None
    if known is not None:
        out.add(known, path, options)
        return
    try:
        head = source.head(path, SNIFF_BYTES)
        if path.suffix.lower() == ".xml":
            # A long licence comment or DTD before <annotation> must not hide what the file is.
            head = head_past_prolog(head, lambda n: source.head(path, n), SNIFF_BYTES, XML_PROLOG_LIMIT)
    except OSError as exc:
        out.issues.append(issue("LL001", f"cannot read the file: {exc.strerror}", source.display(path)))
        return
    asked: dict[Path, bool] = {}
    candidate = _candidate(path, head, root, source, asked)
    reader = sniff_reader(candidate)
    if reader is not None:
        out.add(reader, path, options)
        if out.claims is not None:
            out.claims.learn(path, root, reader, asked)
        return
    kind = describe(candidate)
    if explicit or (target.configured and _meant_as_labels(candidate)):
        out.issues.append(issue("LL001", _unclaimed_message(candidate, kind), source.display(path)))
    else:
        out.skipped[kind] = out.skipped.get(kind, 0) + 1


def _meant_as_labels(candidate: Candidate) -> bool:
    """Whether a file in a configured dataset has a suffix some reader reads (images beside the
    labels are not meant as labels)."""
    from labellint.readers import available_readers

    return any(candidate.suffix in reader.suffixes for reader in available_readers().values())


def _unclaimed_message(candidate: Candidate, kind: str) -> str:
    if not candidate.head.strip():
        return "the file is empty"
    return f"this looks like {kind}, which labellint does not read (yet); name a reader with --reader if it is one"
