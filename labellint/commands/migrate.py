"""`migrate`: applies the mechanical part of the spec's change since BASE to the label files, in place.

Renames, merges and new ids are rewritten by the writer of each file's format; annotations of
removed classes are listed (dropped only on request); splits and changed definitions become a
review queue. Every file's new bytes are computed before any is written, so a file that cannot be
migrated leaves all of them as they were.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import LabelSelection, drop_excluded, read_dataset, targets_for
from labellint.diff import DiffOptions, LabelDiff, diff_datasets
from labellint.errors import SpecError, UsageError
from labellint.model import Dataset
from labellint.quality.review_queue import (
    SAMPLE_COLUMNS,
    QueueEntry,
    annotation_region,
    labelstudio_tasks,
    queue_row,
    render_rows,
)
from labellint.sources import WorkTree
from labellint.sources.collect import collect
from labellint.spec.migration import MECHANICAL, Migration, plan_migration
from labellint.spec.policy import Amendment
from labellint.support.atomic import write_atomically
from labellint.writers import FileEdit, writer_for
from labellint.writers.base import MigrationError, WriteContext


@dataclass(slots=True)
class MigrateRequest:
    """Migrate the labels (PATHS, or the config's datasets) from the spec at BASE to the spec now."""

    base: str
    paths: list[str] = field(default_factory=list)
    reader: str | None = None
    spec_file: str | None = None
    config_file: str | None = None
    dry_run: bool = False
    drop_removed: bool = False
    # Where to write the review queue (.csv, .jsonl, or .json for Label Studio tasks); None: not written.
    queue: str | None = None


@dataclass(slots=True)
class MigrateResult:
    """What the migration changed (or would change), what it listed, and what it left for review."""

    base: str
    base_version: str
    head_version: str
    applied: list[Amendment]
    edits: list[FileEdit]
    unwritable: list[str]
    review: list[dict[str, Any]]
    queue: str | None = None
    written: bool = False
    diff: LabelDiff | None = None

    @property
    def changed_files(self) -> list[FileEdit]:
        return [e for e in self.edits if e.new is not None]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "base": self.base,
            "base_version": self.base_version,
            "head_version": self.head_version,
            "written": self.written,
            "changes": [c.as_json() for c in self.applied],
            "files": [
                {
                    "path": e.display,
                    "changed": e.new is not None,
                    "relabelled": e.relabelled,
                    "renumbered": e.renumbered,
                    "listed": [{"where": x.where, "class": x.class_name, "reason": x.reason} for x in e.listed],
                    "notes": e.notes,
                }
                for e in self.edits
            ],
            "not_writable": self.unwritable,
            "review": self.review,
            "queue": self.queue,
            "diff": None if self.diff is None else self.diff.to_json(self.base, "migrated"),
        }


def run_migrate(request: MigrateRequest) -> MigrateResult:
    """The migration of the labels from the spec at BASE to the spec in the work tree."""
    from labellint.commands.sides import side_for
    from labellint.settings.resolve import resolve_spec_path
    from labellint.spec.diff import diff_specs

    config, spec_path, policy = resolve_spec_path(request.config_file, request.spec_file)
    before = side_for(request.base, spec_path, base=True)
    after = side_for(None, spec_path, base=False)
    if before.spec is None:
        raise SpecError(f"no spec at {request.base}: nothing to migrate from")
    plan = plan_migration(before.spec, after.spec, diff_specs(before.spec, after.spec, policy))
    selection = LabelSelection(paths=list(request.paths), reader=request.reader)
    edits, unwritable = _edits(selection, config, plan, request.drop_removed)
    review = _review_entries(selection, config, plan)
    result = MigrateResult(
        request.base,
        before.spec.version,
        after.spec.version,
        [c for c in plan.amendments if c.kind in MECHANICAL],
        edits,
        unwritable,
        [entry.meta for entry in review[1]],
    )
    if request.dry_run:
        result.diff = _dry_run_diff(selection, config, plan, edits)
        return result
    for edit in result.changed_files:
        write_atomically(edit.path, edit.new)
    result.written = True
    if request.queue is not None and review[1]:
        _write_queue(Path(request.queue), *review)
        result.queue = request.queue
    return result


def _edits(selection: LabelSelection, config, plan: Migration, drop_removed: bool) -> tuple[list[FileEdit], list]:
    """Every file's migration, computed in memory; all failures are reported together."""
    source = WorkTree()
    targets, root = targets_for(selection, config)
    collected = collect(targets, source, root)
    drop_excluded(collected, config.exclude, config.root)
    if collected.missing:
        raise UsageError(f"no such file or folder: {', '.join(collected.missing)}")
    edits: list[FileEdit] = []
    unwritable: list[str] = []
    failures: list[str] = []
    for reader, files, options in collected.groups.values():
        writer = writer_for(reader.name)
        if writer is None:
            unwritable.extend(source.display(f) for f in files)
            continue
        context = WriteContext(source.read_bytes, source.is_file, source.display, drop_removed, options)
        try:
            edits.extend(writer.migrate(files, plan, context))
        except MigrationError as exc:
            failures.append(str(exc))
    if failures:
        raise UsageError("nothing was written: " + "; ".join(failures))
    return edits, unwritable


def _review_entries(selection: LabelSelection, config, plan: Migration) -> tuple[Dataset, list[QueueEntry]]:
    """One queue entry per annotation of a class the change needs a person for (split, new definition)."""
    if not plan.review and not plan.review_all:
        return Dataset(), []
    dataset, _ = read_dataset(selection, config, plan.base, WorkTree())
    entries = []
    for a in range(dataset.n_annotations):
        written = dataset.class_name(a)
        if not plan.review_all and written not in plan.review:
            continue
        reasons = plan.review.get(written) or ["the spec changed for every class"]
        meta = queue_row(dataset, a, "; ".join(dict.fromkeys(reasons)))
        entries.append(QueueEntry(int(dataset.ann_item[a]), meta, annotation_region(dataset, a)))
    return dataset, entries


def _write_queue(path: Path, dataset: Dataset, entries: list[QueueEntry]) -> None:
    import json

    if path.suffix.lower() == ".json":
        tasks = labelstudio_tasks(dataset, entries, "labellint-migrate", "review", summarize=True)
        text = json.dumps(tasks, indent=2, ensure_ascii=False) + "\n"
    else:
        fmt = "jsonl" if path.suffix.lower() in (".jsonl", ".ndjson") else "csv"
        text = render_rows([e.meta for e in entries], SAMPLE_COLUMNS, fmt)
    write_atomically(path, text)


@dataclass(slots=True)
class _Overlay:
    """The work tree with some files' bytes replaced (what a migration would write)."""

    tree: WorkTree
    new: dict[Path, bytes]

    def read_bytes(self, path: Path) -> bytes:
        found = self.new.get(Path(path).resolve())
        return found if found is not None else self.tree.read_bytes(path)

    def head(self, path: Path, size: int) -> bytes:
        return self.read_bytes(path)[:size]

    def reopen(self, path: Path):
        found = self.new.get(Path(path).resolve())
        return self.tree.reopen(path) if found is None else functools.partial(bytes, found)

    def __getattr__(self, name: str):
        return getattr(self.tree, name)


def _dry_run_diff(selection: LabelSelection, config, plan: Migration, edits: list[FileEdit]) -> LabelDiff:
    """The label diff the migration would make, as `labellint diff` computes it."""
    tree = WorkTree()
    overlay = _Overlay(tree, {e.path.resolve(): e.new for e in edits if e.new is not None})
    before, _ = read_dataset(selection, config, plan.base, tree)
    after, _ = read_dataset(selection, config, plan.head, overlay)
    return diff_datasets(before, after, DiffOptions())
