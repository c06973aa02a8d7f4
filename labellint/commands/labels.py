"""Reading labels for any command: PATHS or the config's datasets, collected, read, crashes isolated."""

from __future__ import annotations

import glob
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from labellint.errors import LabellintError, UsageError
from labellint.model import Dataset, ReaderIssue, SourceFile, empty_dataset
from labellint.readers._declared import repeated_names
from labellint.readers._limits import limit_issue
from labellint.readers.base import ReadContext, Reader, issue
from labellint.report import Crash
from labellint.rules.base import RuleContext
from labellint.settings.config import Config, option_position
from labellint.settings.policy import is_excluded
from labellint.sources import GitRevision, Source, WorkTree
from labellint.sources.collect import Collected, Target, collect
from labellint.spec.model import LabelSpec
from labellint.support.paths import from_cwd
from labellint.support.stderr import LEFT_OUT

TABLE_SUFFIXES = {".csv", ".tsv", ".tab", ".jsonl", ".ndjson"}


@dataclass(slots=True)
class LabelSelection:
    """Which label files to read: PATHS (relative to the working folder) or, when there are none,
    the config's datasets, or else every label file under the working folder (as ruff checks `.`);
    a forced reader; globs never to read. `candidates`: PATHS are a hook's changed files, and the
    ones no reader claims are skipped (requirements.txt, tsconfig.json), not reported."""

    paths: list[str] = field(default_factory=list)
    reader: str | None = None
    exclude: list[str] = field(default_factory=list)
    candidates: bool = False


# What a command reads with no PATHS and no `datasets`: the working folder, minus what git ignores.
DEFAULT_PATH = "."


def targets_for(selection: LabelSelection, config: Config) -> tuple[list[Target], Path]:
    """Command-line paths (relative to the cwd) or the config's datasets (relative to the config)."""
    reader = selection.reader or config.reader
    if selection.paths:
        return [Target(p, reader, candidate=selection.candidates) for p in selection.paths], Path.cwd()
    if config.datasets:
        targets = [
            Target(d.path, selection.reader or d.reader or config.reader, d.options, configured=True)
            for d in config.datasets
        ]
        return targets, config.root
    return [Target(DEFAULT_PATH, reader, skip_ignored=True)], Path.cwd()


def selection_paths(selection: LabelSelection, config: Config) -> list[str]:
    """The paths or globs a selection reads, as the working folder sees them (for history and
    messages): the PATHS, the datasets' paths (absolute), or `.`."""
    targets, base = targets_for(selection, config)
    return [t.pattern if base == Path.cwd() else str(base / t.pattern) for t in targets]


def anchor_of(selection: LabelSelection, config: Config) -> Path:
    """Where the selection's repository is looked for: the first path, else the working folder."""
    paths = selection_paths(selection, config)
    first = Path(paths[0]) if paths else Path.cwd()
    return first if not glob.has_magic(str(first)) else Path.cwd()


def is_default(selection: LabelSelection, config: Config) -> bool:
    """No PATHS and no datasets: the labels are whatever readers claim under the working folder."""
    return not selection.paths and not config.datasets


def read_dataset(
    selection: LabelSelection, config: Config, spec: LabelSpec | None, source: Source
) -> tuple[Dataset, list[Crash]]:
    """Every target read into one dataset; a reader that crashes is reported, the rest go on."""
    collected = collect_labels(selection, config, source)
    parts, crashes = read_groups(list(collected.groups.values()), spec, source, collected.issues)
    return finish_dataset(parts, collected), crashes


def collect_labels(selection: LabelSelection, config: Config, source: Source, claims=None) -> Collected:
    """The label files a selection names, grouped by reader (a usage error when there are none);
    `claims`: the incremental cache's readers of unchanged files (sources.collect.KnownClaims)."""
    targets, base = targets_for(selection, config)
    collected = collect(targets, source, base, claims)
    drop_excluded(collected, [*config.exclude, *selection.exclude], config.root)
    if collected.missing:
        raise UsageError(f"no such file or folder: {', '.join(collected.missing)}")
    if not collected.file_count and not collected.issues:
        if is_default(selection, config):
            where = source.display(base)
            raise UsageError(f"no label files found under {where}: pass PATHS, or list `datasets` in the config")
        if not selection.candidates:
            # Paths were given and nothing in them is labels: "All checks passed" would be a lie.
            collected.issues.extend(_nothing_read(targets, base, source, collected.skipped_note()))
    if not selection.paths:
        collected.issues.extend(_repeated_option_names(config))
    return collected


def _repeated_option_names(config: Config) -> Iterator[ReaderIssue]:
    """LL003 at the config line where a dataset's `names` option gives a class name twice, as
    for a names file (two class indexes read as one class name is never what was meant)."""
    for number, dataset in enumerate(config.datasets):
        names = dataset.options.get("names")
        if isinstance(names, list):
            names = dict(enumerate(names))
        if not isinstance(names, dict) or not all(isinstance(k, int) for k in names):
            continue  # a names file, or a shape the reader refuses as a config error
        table = {index: str(name) for index, name in names.items()}
        for index, message in repeated_names(table):
            again = sum(1 for i in table if i <= index and table[i] == table[index])
            line, column = option_position(config, number, "names", table[index], again) or (None, None)
            where = from_cwd(Path(config.source)) if config.source else "labellint.toml"
            yield issue("LL003", f"reader option `names`: {message}", where, line=line, column=column)


def finish_dataset(parts: list[Dataset], collected: Collected) -> Dataset:
    """The parts as one dataset, with what collecting found (unclaimed files, their note)."""
    dataset = Dataset.concat(parts) if parts else Dataset()
    dataset.issues.extend(collected.issues)
    note = collected.skipped_note()
    if note:
        dataset.notes.append(note)
    return dataset


def read_groups(
    groups: list[tuple[Reader, list[Path], dict]], spec: LabelSpec | None, source: Source, issues: list
) -> tuple[list[Dataset], list[Crash]]:
    """Each reader's files read (one part per group); a reader that crashes is retried file by
    file, and only the files that still fail are reported (a parser's limit goes to `issues`)."""
    parts: list[Dataset] = []
    crashes: list[Crash] = []
    for reader, files, options in groups:
        mapped = getattr(source, "mapped", None)  # the work tree maps large files; a revision has bytes only
        context = ReadContext(
            source.read_bytes,
            source.is_file,
            source.display,
            spec,
            options,
            source.reopen,
            is_dir=source.is_dir,
            map_file=mapped,
            read_head=source.head,
        )
        try:
            parts.append(reader.read(files, context))
        except LabellintError:
            raise  # content that cannot be had (an unfetched LFS object): exit 2 with its message
        except Exception:
            # A reader bug must not hide the other files' problems.
            for path in files:
                try:
                    parts.append(reader.read([path], context))
                except LabellintError:
                    raise
                except Exception as exc:
                    limit = limit_issue(exc, source.display(path), _bytes_of(source, path))
                    if limit is not None:
                        # Counted as a file that was given and not read, with the reason at its line.
                        parts.append(empty_dataset(SourceFile(source.display(path), reader.name)))
                        issues.append(limit)
                        continue
                    crashes.append(
                        Crash(
                            f"reader {reader.name} on {source.display(path)}",
                            f"{type(exc).__name__}: {exc}",
                            traceback.format_exc(),
                        )
                    )
    return parts, crashes


def _nothing_read(targets, base: Path, source: Source, skipped: str | None) -> list:
    """One LL001 per given path when no label file was read from any of them."""
    why = f" ({skipped})" if skipped else " (it holds no files)"
    found = []
    for target in targets:
        path = Path(target.pattern) if Path(target.pattern).is_absolute() else base / target.pattern
        found.append(issue("LL001", f"no label files found{why}", source.display(path)))
    return found


def _bytes_of(source: Source, path: Path) -> bytes:
    try:
        return source.read_bytes(path)
    except (OSError, ValueError):
        return b""


def drop_excluded(collected: Collected, patterns: list[str], root: Path) -> None:
    """Removes files matching the `exclude` globs before anything reads them."""
    if not patterns:
        return
    for key, (reader, files, options) in list(collected.groups.items()):
        kept = [f for f in files if not is_excluded(f, patterns, root)]
        if kept:
            collected.groups[key] = (reader, kept, options)
        else:
            del collected.groups[key]


def declared_versions(config: Config, source: Source) -> dict[str, str]:
    """`spec-version` of the configured datasets, per displayed label-file path (LL503 reads it)."""
    return _per_label_file(config, source, "spec_version")


def declared_splits(config: Config, source: Source) -> dict[str, str]:
    """`split` of the configured datasets, per displayed label-file path (LL703 reads it)."""
    return _per_label_file(config, source, "split")


def _per_label_file(config: Config, source: Source, setting: str) -> dict[str, str]:
    declared: dict[str, str] = {}
    for entry in config.datasets:
        value = getattr(entry, setting)
        if value is None:
            continue
        found = collect([Target(entry.path, entry.reader)], source, config.root)
        for _, files, _ in found.groups.values():
            declared.update({source.display(p): value for p in files})
    return declared


def rule_context(
    dataset: Dataset, spec: LabelSpec | None, spec_display: str | None, config: Config, source: Source
) -> RuleContext:
    """What check rules see: the dataset and spec, where the files are (nothing on disk for a git
    revision), the config's folder and the spec versions the config declares."""
    on_disk = isinstance(source, WorkTree)
    return RuleContext(
        dataset=dataset,
        spec=spec,
        spec_path=spec_display,
        work_tree=source.cwd if on_disk else None,
        config_root=config.root if on_disk else None,
        declared_versions=declared_versions(config, source),
        splits=declared_splits(config, source),
    )


# ----------------------------------------------------------------------------- the quality commands
def is_table(path: Path, head: bytes) -> bool:
    """A long table (CSV/TSV/JSONL) rather than a label file: by suffix, or a tab-separated .txt."""
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return True
    return suffix == ".txt" and b"\t" in head.split(b"\n", 1)[0]


def source_for(rev: str | None, anchor: Path) -> Source:
    """The work tree, or the files as they are at `rev` in the repository holding `anchor`."""
    if rev is None:
        return WorkTree()
    return GitRevision(anchor.resolve().parent if anchor.is_file() else anchor.resolve(), rev)


def read_labels(
    paths: list[str],
    source: Source,
    spec: LabelSpec | None = None,
    reader: str | None = None,
    config: Config | None = None,
) -> Dataset:
    """The label files read through the normal readers into one Dataset (no PATHS: the config's
    datasets with their reader options, else the label files under `.`); reader crashes are fatal."""
    selection = LabelSelection(paths=list(paths), reader=reader)
    dataset, crashes = read_dataset(selection, config or Config(), spec, source)
    if crashes:
        raise UsageError(f"cannot read: {crashes[0].source}: {crashes[0].error}")
    note = unread_note(dataset)
    if note:
        dataset.notes.append(note)
    return dataset


def unread_note(dataset: Dataset, shown: int = 5) -> str | None:
    """ "figures leave out N files: a.json (why), ..." for the files that could not be read (LL001),
    so a figure computed from fewer files than were given says so."""
    unread = [i for i in dataset.issues if i.code == "LL001"]
    if not unread:
        return None
    listed = "; ".join(f"{i.location.path}: {i.message}" for i in unread[:shown])
    more = f"; and {len(unread) - shown} more" if len(unread) > shown else ""
    return f"{LEFT_OUT} {len(unread)} unread file{'s' if len(unread) != 1 else ''}: {listed}{more}"


def load_ratings(
    path: str | None, source: Source, *, columns=None, header: bool = True, names=None, reader=None, config=None
):
    """Ratings from a long table or from label files with annotators; returns (ratings, problems).
    No `path`: the labels `check` would read (the config's datasets with their reader options,
    else the label files under `.`); label files are read through the same selection as `check`."""
    from labellint.quality.from_dataset import ratings_from_dataset
    from labellint.quality.tables import TableColumns, load_ratings_table

    config = config or Config()
    if path is not None:
        target = Path(path)
        if not source.is_file(target) and not source.is_dir(target):
            raise UsageError(f"{path}: file not found")
        if source.is_file(target) and is_table(target, source.head(target, 4096)):
            return load_ratings_table(
                target,
                columns or TableColumns(),
                names=names,
                header=header,
                data=source.read_bytes(target),
                display=source.display(target),
            )
    paths = [path] if path is not None else []
    dataset = read_labels(paths, source, reader=reader, config=config)
    shown = ", ".join(selection_paths(LabelSelection(paths, reader), config))
    if dataset.n_annotations == 0:
        raise UsageError(f"{shown}: no annotations found")
    try:
        ratings = ratings_from_dataset(dataset)
    except ValueError as exc:
        raise UsageError(f"{shown}: {exc}") from None
    others = [f"{issue.location.path}: {issue.message}" for issue in dataset.issues if issue.code != "LL001"]
    return ratings, [*dataset.notes, *others]
