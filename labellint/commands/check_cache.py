"""`check`'s incremental cache (as ruff's): unchanged label files are not read again.

One cache file per reader group (a reader and its options) under `.labellint_cache/` at the
project root, named by a digest of everything a file's piece and problems depend on besides the
file: the labellint version, the reader's code and options, the spec, the config's datasets and
the cached rules (code, options, module source). It holds each file's piece (what the reader makes
of that file alone, see cache_pieces) with its stat and content digest, the per-record rules'
problems on it, and the other files the reader looked at (names files: their digests, or that
they were absent). A run stats each file (size, mtime_ns), hashes those whose stat changed, reads
only files whose content changed, and runs the dataset-level rules over the whole dataset again.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from labellint.commands.cache_pieces import FileRecord, Pieces, join, record_piece, slice_records
from labellint.commands.claim_cache import ClaimCache, code_digest
from labellint.commands.labels import LabelSelection, collect_labels, read_groups, rule_context
from labellint.commands.shards import (
    LOCAL_SCOPES,
    Parallel,
    Shard,
    ShardJob,
    ShardResult,
    finish_shards,
    run_shard,
    shard_executor,
)
from labellint.engine import run_rules
from labellint.errors import LabellintError
from labellint.model import Dataset
from labellint.readers.base import ReadContext, Reader
from labellint.report import Crash, Report
from labellint.rules.base import Rule
from labellint.settings.resolve import Settings
from labellint.sources import WorkTree
from labellint.support.cache_store import CACHE_FOLDER, digest, load_entry, store_entry
from labellint.support.gc_pause import gc_paused
from labellint.support.paths import repository_root

# A file modified this recently may change again within the file system's mtime resolution
# without its stat changing: its stat is not trusted next time (its content is hashed instead).
RACY_NS = 2_000_000_000
# What a side file's dependency records when the reader only asked whether it exists.
EXISTS = "exists"
# What probing a file found: its stat matched, or its stat changed but its content did not.
HIT, REHASHED = "hit", "rehashed"
# Files per cache file of a group: an edit rewrites its chunk's entry only, not the whole
# group's (on 100k YOLO files one entry is 54 MB; pickling it again cost most of a warm run).
CHUNK_FILES = 1000


@dataclass(slots=True)
class GroupEntry:
    """One cache file: the group's pieces and the side files its reader looked at."""

    pieces: Pieces
    side_files: dict[str, str | None]  # path -> content digest, EXISTS, or None (not a file)


def cache_folder(settings: Settings) -> Path:
    """`.labellint_cache/` at the project root: the config's folder, else the repository's top,
    else the working folder."""
    config = settings.config
    root = config.root if config.source else (repository_root(Path.cwd()) or Path.cwd())
    return root / CACHE_FOLDER


def cached_rules(rules: list[Rule]) -> list[Rule]:
    """The rules whose findings on a file depend on that file alone: per-annotation and per-item
    rules that read no files beside the labels (images)."""
    return [rule for rule in rules if type(rule).scope in LOCAL_SCOPES and not type(rule).uses_files]


# 100k records, claims and file entries unpickled and rebuilt hold no cycles: the collector's
# walks over them cost a third of a warm run.
@gc_paused
def check_cached(
    selection: LabelSelection,
    settings: Settings,
    rules: list[Rule],
    source: WorkTree,
    parallel: Parallel | None = None,
) -> tuple[Report, Dataset, list[Crash]]:
    """The report `run_rules` gives on the whole dataset, with unchanged files from the cache;
    with `parallel` (--jobs, --executor), the changed files are read and checked in shards on
    workers (the driver probes, assembles and writes the cache files)."""
    folder = cache_folder(settings)
    claims = ClaimCache(folder, source)
    collected = collect_labels(selection, settings.config, source, claims)
    claims.save()
    local = cached_rules(rules)
    misses = _MissReader(parallel, ShardJob(str(source.cwd), settings.config, settings, local))
    run = _CachedRun(folder, settings, local, source, claims.stats, misses)
    results = [
        result
        for reader, files, options in collected.groups.values()
        for result in _check_group(run, reader, files, options)
    ]
    return finish_shards(results, collected, settings, rules, set(map(id, local)), source)


def group_name(reader: Reader, options: dict, settings: Settings, rules: list[Rule]) -> str:
    """The stem of the group's cache files' names (one per chunk): a digest of everything but
    the files that pieces depend on."""
    from labellint import __version__

    spec = settings.spec.model_dump_json() if settings.spec is not None else ""
    datasets = json.dumps([d.model_dump(mode="json") for d in settings.config.datasets], sort_keys=True)
    # Pieces hold paths as shown from the working folder: another working folder, other entries.
    options_text = json.dumps(options, sort_keys=True, default=repr)
    parts = [__version__, str(Path.cwd()), code_digest(type(reader)), options_text, spec, datasets]
    for rule in sorted(rules, key=lambda r: type(r).code):
        parts += [type(rule).code, code_digest(type(rule)), rule.options.model_dump_json()]
    return "files-" + digest(*parts)


@dataclass(slots=True)
class _CachedRun:
    """What every reader group and chunk of one cached check shares: the cache folder, the
    settings, the cached rules, the work tree, the stats the walk took, and where misses are read."""

    folder: Path
    settings: Settings
    rules: list[Rule]
    source: WorkTree
    stats: dict[str, os.stat_result]
    misses_reader: _MissReader


def _check_group(run: _CachedRun, reader: Reader, files: list[Path], options: dict) -> list[ShardResult]:
    """One reader group, a chunk of CHUNK_FILES files per cache file (shards of one run, joined
    as `--jobs` joins its shards). A reader whose `read` sees the files together (an image
    folder's classes come from the folders' common root) and that does not say how to read them
    apart (`read_each`) is read whole, as without the cache."""
    if not reads_files_apart(reader):
        job = ShardJob(str(run.source.cwd), run.settings.config, run.settings, run.rules)
        return [run_shard(job, Shard(reader, files, options))]
    name = group_name(reader, options, run.settings, run.rules)
    return [
        _check_chunk(run, f"{name}-{start // CHUNK_FILES}.pickle", reader, files[start : start + CHUNK_FILES], options)
        for start in range(0, len(files), CHUNK_FILES)
    ]


def _check_chunk(run: _CachedRun, name: str, reader: Reader, files: list[Path], options: dict) -> ShardResult:
    """One chunk of a group: hits from its cache file, misses read and checked, the file
    rewritten when anything changed."""
    folder, settings, rules, source, stats = run.folder, run.settings, run.rules, run.source, run.stats
    entry = load_entry(folder / name)
    if not isinstance(entry, GroupEntry) or not _side_files_unchanged(entry.side_files, source):
        entry = None
    old = entry.pieces if entry is not None else Pieces(Dataset(), [])
    now = time.time_ns()
    plan: list[int | FileRecord] = []  # per file: the old record's index, or a new record to read
    contents: dict[str, bytes] = {}
    names = [str(path) for path in files]
    changed = names != [record.path for record in old.records]
    # The same files as last time (the usual warm run): file k is record k, no lookup needed.
    at = {record.path: k for k, record in enumerate(old.records)} if changed else None
    for k, (path, text) in enumerate(zip(files, names, strict=True)):
        known = k if at is None else at.get(text)
        found = _probe(path, old.records[known] if known is not None else None, now, contents, source, stats)
        changed |= found is not HIT
        plan.append(known if found in (HIT, REHASHED) else found)
    side_files = dict(entry.side_files) if entry is not None else {}
    misses = [p for p in plan if isinstance(p, FileRecord)]
    if run.misses_reader.on_workers(misses):
        fresh, crashes, report, storable, redone = run.misses_reader.read(reader, misses, options, side_files)
        plan = [redone[p.path] if isinstance(p, FileRecord) else p for p in plan]
    else:
        fresh, crashes, report, storable = _read_misses(
            reader, misses, options, settings, rules, source, contents, side_files
        )
    pieces, problems = _assemble(old, plan, fresh)
    # A file whose reader crashed has no piece: its crash must come again next run, not vanish.
    storable &= all(isinstance(p, int) or p.path in fresh for p in plan)
    if changed and storable:
        store_entry(folder, name, GroupEntry(pieces, side_files))
    infos = {type(rule).code: type(rule).info() for rule in rules}
    local = Report(problems=problems, crashes=report.crashes, rules=infos)
    return ShardResult(pieces.dataset, local, crashes)


def reads_files_apart(reader: Reader) -> bool:
    """Whether each file's piece is what the reader makes of that file alone: it reads file by
    file (`read_one`), or it says how (`read_each`)."""
    kind = type(reader)
    return kind.read is Reader.read or kind.read_each is not Reader.read_each


def _probe(
    path: Path, record: FileRecord | None, now: int, contents: dict[str, bytes], source: WorkTree, stats: dict
) -> str | FileRecord:
    """HIT or REHASHED when the file is the one `record` describes (REHASHED: its stat is
    refreshed); else a new record, its bytes kept in `contents` for the reader. A stat is trusted
    only if it was not racy when it was taken."""
    status = stats.pop(str(path), None)
    if status is None:
        try:
            status = os.stat(path)
        except OSError:
            status = None
    stat_key = (status.st_size, status.st_mtime_ns) if status is not None else None
    if record is not None and (record.size, record.mtime_ns) == stat_key:
        return HIT
    try:
        # Through the source: a Git LFS pointer checked out in place is read from the LFS store
        # (an unfetched object stops the run with its message, as a read without the cache does).
        data = source.read_bytes(path)
    except (OSError, ValueError):
        data = None  # unreadable: the reader says why (LL001); never cached
    content = digest(data) if data is not None else ""
    trusted = status is not None and now - status.st_mtime_ns > RACY_NS
    if record is not None and data is not None and content == record.digest:
        record.mtime_ns = status.st_mtime_ns if trusted else None
        record.size = len(data)
        return REHASHED
    if data is not None:
        contents[str(path)] = data
    mtime = status.st_mtime_ns if trusted and data is not None else None
    return FileRecord(str(path), len(data) if data is not None else -1, mtime, content)


class _Tracked:
    """The work tree as a reader sees it during a run, noting every other file it looks at (so
    a names file's edit or appearance invalidates the group) and serving the group's files from
    the bytes that were hashed (so a piece is always of the content its digest names)."""

    def __init__(self, source: WorkTree, contents: dict[str, bytes], side_files: dict[str, str | None]) -> None:
        self.source, self.contents, self.side_files = source, contents, side_files
        self.cwd, self.display, self.reopen = source.cwd, source.display, source.reopen

    def read_bytes(self, path: Path) -> bytes:
        data = self.contents.get(str(path))
        if data is not None:
            return data
        data = self.source.read_bytes(path)
        self.side_files[str(path)] = digest(data)
        return data

    def is_file(self, path: Path) -> bool:
        found = self.source.is_file(path)
        if str(path) not in self.contents:
            self.side_files.setdefault(str(path), EXISTS if found else None)
        return found


def _side_files_unchanged(side_files: dict[str, str | None], source: WorkTree) -> bool:
    for path, known in side_files.items():
        if not source.is_file(Path(path)):
            if known is not None:
                return False
            continue
        if known is None:
            return False
        if known != EXISTS:
            try:
                if digest(source.read_bytes(Path(path))) != known:
                    return False
            except Exception:  # unreadable now (or an unfetched LFS object): read the group again
                return False
    return True


@dataclass(slots=True)
class MissResult:
    """What a worker made of a shard of missed files: their records (made again from the bytes
    it read), the pieces by path, reader crashes, the cached rules' crashes, whether all of it may
    be stored, and the side files its reader looked at."""

    records: list[FileRecord]
    fresh: dict[str, Dataset]
    crashes: list[Crash]
    rule_crashes: list[Crash]
    storable: bool
    side_files: dict[str, str | None]


def check_misses(job: ShardJob, shard: Shard) -> MissResult:
    """Reads a shard of one group's missed files and runs the cached rules on them (in a worker).
    Each file is probed again here, so its record's digest is of the bytes its piece was read from
    even when the file changed after the driver hashed it."""
    source = WorkTree(Path(job.cwd))
    contents: dict[str, bytes] = {}
    now = time.time_ns()
    records = [_probe(path, None, now, contents, source, {}) for path in shard.files]
    side_files: dict[str, str | None] = {}
    fresh, crashes, report, storable = _read_misses(
        shard.reader, records, shard.options, job.settings, job.rules, source, contents, side_files
    )
    return MissResult(records, fresh, crashes, report.crashes, storable, side_files)


class _MissReader:
    """Where a group's missed files are read: in this process, or (with --jobs/--executor) in
    shards on workers, when there is any miss to read."""

    def __init__(self, parallel: Parallel | None, job: ShardJob) -> None:
        self.parallel, self.job = parallel, job

    def on_workers(self, misses: list[FileRecord]) -> bool:
        return self.parallel is not None and bool(misses)

    def read(self, reader: Reader, misses: list[FileRecord], options: dict, side_files: dict):
        """(pieces by path, reader crashes, a report of the rules' crashes, storable, the new
        record of each miss by path), as `_read_misses` gives them in this process."""
        assert self.parallel is not None
        cwd = Path(self.job.cwd)
        # Workers elsewhere (Dask) have their own working folder: they get absolute paths, and
        # what they send back is keyed by the paths this process knows.
        known = {str(cwd / record.path): record.path for record in misses}
        groups = [(reader, [Path(path) for path in known], options)]
        results = shard_executor(self.parallel)(self.job, groups, self.parallel.shard_size, check_misses)
        fresh, crashes, report, storable, redone = {}, [], Report(), True, {}
        for result in results:
            for record in result.records:
                record.path = known[record.path]
                redone[record.path] = record
            fresh.update((known[path], piece) for path, piece in result.fresh.items())
            crashes.extend(result.crashes)
            report.crashes.extend(result.rule_crashes)
            storable &= result.storable
            side_files.update(result.side_files)
        return fresh, crashes, report, storable, redone


def _read_misses(reader, misses, options, settings, rules, source, contents, side_files):
    """The missed files read one piece each (a reader's `read_each`), the cached rules run on
    them together, and each problem given to its file's record: (pieces by path, reader crashes,
    the rules' report, whether all of it may be stored)."""
    if not misses:
        return {}, [], Report(), True
    tracked = _Tracked(source, contents, side_files)
    paths = [Path(record.path) for record in misses]
    pieces, crashes = _read_each(reader, paths, options, settings, tracked)
    fresh = {record.path: piece for record, piece in zip(misses, pieces, strict=True) if piece is not None}
    together = Dataset.concat(list(fresh.values())) if fresh else Dataset()
    context = rule_context(together, settings.spec, settings.spec_display, settings.config, source)
    report = run_rules(rules, context)
    interned: dict = {}
    owners = [record_piece(r, fresh[r.path], interned) for r in misses if r.path in fresh]
    alone = _hand_out(report, owners, fresh)
    return fresh, crashes, report, alone and not report.crashes


def _read_each(reader: Reader, paths: list[Path], options: dict, settings: Settings, tracked: _Tracked):
    """One piece per path (None for a file whose reader crashed), as `read_groups` would read
    each file alone; a reader whose `read_each` crashes is retried file by file."""
    context = ReadContext(tracked.read_bytes, tracked.is_file, tracked.display, settings.spec, options, tracked.reopen)
    try:
        return list(reader.read_each(paths, context)), []
    except LabellintError:
        raise
    except Exception:
        pass
    pieces, crashes = [], []
    for path in paths:
        issues: list = []
        parts, failed = read_groups([(reader, [path], options)], settings.spec, tracked, issues)
        crashes.extend(failed)
        piece = parts[0] if parts else None
        if piece is not None:
            piece.issues.extend(issues)
        pieces.append(piece)
    return pieces, crashes


def _hand_out(report: Report, records: list[FileRecord], pieces: dict[str, Dataset]) -> bool:
    """Each problem of `report` (on the misses' pieces concatenated) moved to its file's record,
    its subjects counted from that piece: by its item or annotation, else by the file it names.
    False when one belongs to no single piece (it goes with the first, and nothing is stored)."""
    items = np.cumsum([0] + [r.items for r in records])
    annotations = np.cumsum([0] + [r.annotations for r in records])
    by_file = {f.path: k for k, r in enumerate(records) for f in pieces[r.path].files}
    alone = True
    for problem in report.problems:
        if problem.subject_item is not None:
            k = int(np.searchsorted(items, problem.subject_item, side="right")) - 1
        elif problem.subject_annotations:
            k = int(np.searchsorted(annotations, problem.subject_annotations[0], side="right")) - 1
        else:
            k = by_file.get(problem.location.path, -1)
            alone &= k >= 0
            k = max(k, 0)
        alone &= all(annotations[k] <= a < annotations[k + 1] for a in problem.subject_annotations)
        item = None if problem.subject_item is None else problem.subject_item - int(items[k])
        subject = tuple(a - int(annotations[k]) for a in problem.subject_annotations)
        records[k].problems.append(replace(problem, subject_item=item, subject_annotations=subject))
    report.problems = []
    return alone


def _assemble(old: Pieces, plan: list, fresh: dict[str, Dataset]) -> tuple[Pieces, list]:
    """The group's pieces in file order (runs of unchanged files cut from the old dataset, fresh
    pieces between them) and the cached problems with subjects counted from the group's start."""
    if plan == list(range(len(old.records))):  # every file a hit, in the old order: nothing to cut
        return old, _shifted_problems(old.records)
    offsets = np.zeros((len(old.records) + 1, 4), np.int64)
    if old.records:
        counts = [(r.files, r.items, r.annotations, r.issues) for r in old.records]
        offsets[1:] = np.cumsum(np.asarray(counts, np.int64), axis=0)
    parts, records = [], []
    k = 0
    while k < len(plan):
        step = plan[k]
        if isinstance(step, FileRecord):
            if step.path in fresh:
                parts.append(fresh[step.path])
                records.append(step)
            k += 1
            continue
        stop = k + 1
        while stop < len(plan) and isinstance(plan[stop], int) and plan[stop] == plan[stop - 1] + 1:
            stop += 1
        parts.append(slice_records(old, step, plan[stop - 1] + 1, offsets))
        records.extend(old.records[step : plan[stop - 1] + 1])
        k = stop
    return join(parts, records), _shifted_problems(records)


def _shifted_problems(records: list[FileRecord]) -> list:
    """The records' cached problems with subjects counted from the first record's start."""
    problems, items, annotations = [], 0, 0
    for record in records:
        for problem in record.problems:
            subject = tuple(a + annotations for a in problem.subject_annotations)
            item = None if problem.subject_item is None else problem.subject_item + items
            problems.append(replace(problem, subject_item=item, subject_annotations=subject))
        items += record.items
        annotations += record.annotations
    return problems
