"""Which reader claimed each label file, kept between runs so an unchanged file is not sniffed again.

Sniffing opens every file for its head; on 100k small files that is a third of a check. A claim
is kept under the file's path and dataset root with its stat (size, mtime_ns) and the answers to
the "does this file exist?" questions its claim asked (a names file beside the labels), and it is
given again only while the stat and every answer are the same and the readers are the same code.
Only claims are kept: a file no reader claims is sniffed every run (its LL001 or note is made anew).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from labellint.readers import Reader, available_readers
from labellint.support.cache_store import digest, load_entry, store_entry

# A stat taken this soon after the file was written is not trusted (the mtime may not move
# on the next write within the file system's resolution).
RACY_NS = 2_000_000_000

# (path, dataset root) -> (size, mtime_ns, reader name, ((asked path, answer), ...))
Claims = dict[tuple[str, str], tuple[int, int, str, tuple[tuple[str, bool], ...]]]


def code_digest(kind: type) -> str:
    """A class's module, name and the digest of its module's source (a plugin edited in place
    changes it even when no version number changed)."""
    module = sys.modules.get(kind.__module__)
    path = getattr(module, "__file__", None)
    try:
        source = Path(path).read_bytes() if path else b""
    except OSError:
        source = b""
    return f"{kind.__module__}:{kind.__qualname__}:{digest(source)}"


class ClaimCache:
    """The claims of the last run (sources.collect.KnownClaims), and this run's to store."""

    def __init__(self, folder: Path, source) -> None:
        from labellint import __version__

        self.readers = available_readers()
        codes = [code_digest(type(reader)) for reader in self.readers.values()]
        self.folder, self.name = folder, "claims-" + digest(__version__, str(Path.cwd()), *codes) + ".pickle"
        entry = load_entry(folder / self.name)
        self.old: Claims = entry if isinstance(entry, dict) else {}
        self.new: Claims = {}
        self.now = time.time_ns()
        self.is_file, self.exists = source.is_file, {}
        # Each file's stat as `known` took it: the group's probe uses it instead of a second stat.
        self.stats: dict[str, os.stat_result] = {}

    def known(self, path: Path, root: Path) -> Reader | None:
        text = str(path)
        key = (text, str(root))
        kept = self.old.get(key)
        if kept is None:
            return None
        size, mtime, name, asked = kept
        try:
            status = self.stats[text] = os.stat(text)
        except OSError:
            return None
        if (status.st_size, status.st_mtime_ns) != (size, mtime) or name not in self.readers:
            return None
        if asked and any(self._is_file(key[1], below) != answer for below, answer in asked):
            return None
        self.new[key] = kept
        return self.readers[name]

    def learn(self, path: Path, root: Path, reader: Reader, asked: dict[Path, bool]) -> None:
        try:
            status = os.stat(path)
        except OSError:
            return
        if self.now - status.st_mtime_ns <= RACY_NS:
            return
        answers = tuple((str(below), found) for below, found in sorted(asked.items()))
        self.new[(str(path), str(root))] = (status.st_size, status.st_mtime_ns, reader.name, answers)

    def save(self) -> None:
        """Stores this run's claims when they differ from the last run's."""
        if self.new != self.old:
            store_entry(self.folder, self.name, self.new)

    def _is_file(self, root: str, below: str) -> bool:
        # Every file of a folder asks about the same names file: one Path and one answer for all.
        found = self.exists.get((root, below))
        if found is None:
            found = self.exists[(root, below)] = self.is_file(Path(root) / below)
        return found
