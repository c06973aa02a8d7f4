"""`diff` and `log`: what a change did to the labels' meaning, between revisions, files or per commit."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.history import History
from labellint.commands.labels import LabelSelection, read_dataset, targets_for
from labellint.diff import DiffOptions, LabelDiff, MatchOptions, SpecVersions, diff_datasets
from labellint.errors import SpecError, UsageError
from labellint.model import Dataset
from labellint.settings.resolve import Settings
from labellint.sources import GitRevision, Source, WorkTree
from labellint.sources.git import CommitInfo
from labellint.spec.loader import load_spec_text
from labellint.support.paths import from_repository

WORK_TREE = "work tree"


def _quiet(_message: str) -> None:
    return None


@dataclass(slots=True)
class CompareRequest:
    """How to read and match both sides (shared by `diff` and `log`)."""

    settings: Settings
    paths: list[str] = field(default_factory=list)
    reader: str | None = None
    iou: float = 0.5
    tolerance: float = 0.01
    # LL505's threshold; None: the configured `[rules.LL505] max-fraction`, else its default.
    max_relabel: float | None = None
    # Progress messages (one overwritten status line on a terminal); "" clears it.
    progress: Callable[[str], None] = _quiet
    # Warnings for a person (a spec that does not load at one end).
    warn: Callable[[str], None] = _quiet


@dataclass(slots=True)
class DiffResult:
    """The label diff of one change and how to name its two ends."""

    diff: LabelDiff
    base: str
    head: str

    def to_json(self) -> dict[str, Any]:
        return self.diff.to_json(self.base, self.head)


@dataclass(slots=True)
class LogEntry:
    """One commit and what it did to the labels."""

    commit: CommitInfo
    result: DiffResult

    def to_json(self) -> dict[str, Any]:
        c = self.commit
        return {
            "commit": c.sha,
            "author": c.author,
            "email": c.email,
            "date": c.date,
            "message": c.message,
            "diff": self.result.to_json(),
        }


@dataclass(slots=True)
class LogResult:
    """Every commit of a range that touched the labels or the spec, newest first."""

    entries: list[LogEntry]

    @property
    def flagged(self) -> bool:
        return any(entry.result.diff.problems for entry in self.entries)

    def to_json(self) -> list[dict[str, Any]]:
        return [entry.to_json() for entry in self.entries]


def run_diff(request: CompareRequest, base: str, head: str | None) -> DiffResult:
    """BASE against HEAD: two label files or folders, or two revisions (HEAD None: the work tree)."""
    comparison = Comparison(request)
    on_disk = [arg for arg in (base, head) if arg is not None and Path(arg).exists()]
    if head is not None and len(on_disk) == 2:
        return comparison.files(base, head)
    if head is not None and len(on_disk) == 1:
        # One side is a file or folder, so the other was meant as one too: say it is missing,
        # not that this is no git repository or no revision.
        missing = head if on_disk == [base] else base
        raise UsageError(f"{missing}: no such file or folder (to compare with {on_disk[0]})")
    return comparison.revisions(base, head)


def run_log(request: CompareRequest, rev_range: str, max_count: int | None = None) -> LogResult:
    """The diff of each commit in `rev_range` that touched the label files or the spec."""
    comparison = Comparison(request)
    history = History.of(Path.cwd())
    commits = history.newest_first(rev_range, comparison.pathspecs(history.root), max_count)
    entries = []
    for number, commit in enumerate(commits, start=1):
        request.progress(f"commit {number}/{len(commits)} {commit.sha[:10]}")
        parent = commit.parents[0] if commit.parents else None
        entries.append(LogEntry(commit, comparison.revisions(parent, commit.sha)))
    request.progress("")
    return LogResult(entries)


class Comparison:
    """Reads both sides with the same settings and diffs them."""

    def __init__(self, request: CompareRequest) -> None:
        self.request = request
        self.settings = request.settings
        self.selection = LabelSelection(paths=list(request.paths), reader=request.reader)
        self.rule = _mass_relabel(self.settings, request.max_relabel)
        self.options = DiffOptions(match=MatchOptions(iou=request.iou), tolerance=request.tolerance)

    def files(self, base: str, head: str) -> DiffResult:
        """Two label files or folders in the work tree."""
        reader = self.selection.reader
        base_data = self._read(LabelSelection(paths=[base], reader=reader), WorkTree(), base)
        head_data = self._read(LabelSelection(paths=[head], reader=reader), WorkTree(), head)
        versions = self._spec_versions(None, None, same=True)
        return DiffResult(self._diff(base_data, head_data, versions), base, head)

    def revisions(self, base: str | None, head: str | None) -> DiffResult:
        """A revision (None: nothing, before the first commit) against a revision or the work tree."""
        base_source = GitRevision(Path.cwd(), base) if base is not None else None
        head_source = GitRevision(Path.cwd(), head) if head is not None else WorkTree()
        base_data = self._read(self.selection, base_source, base) if base_source else Dataset()
        head_data = self._read(self.selection, head_source, head or WORK_TREE)
        versions = self._spec_versions(base_source, head_source)
        return DiffResult(self._diff(base_data, head_data, versions), base or "(empty)", head or WORK_TREE)

    def pathspecs(self, root: Path) -> list[str]:
        """Repository-relative pathspecs of the label files and the spec (for `log`)."""
        targets, folder = targets_for(self.selection, self.settings.config)
        specs = []
        for target in targets:
            relative = from_repository(folder / target.pattern, root)
            if relative is not None:
                specs.append(f":(glob){relative}" if any(c in relative for c in "*?[") else relative)
        if self.settings.spec_path is not None:
            spec = from_repository(self.settings.spec_path, root)
            if spec is not None:  # a spec outside the repository has no history here
                specs.append(spec)
        return specs

    def _read(self, selection: LabelSelection, source: Source, label: str) -> Dataset:
        self.request.progress(f"reading {label}")
        try:
            dataset, _crashes = read_dataset(selection, self.settings.config, self.settings.spec, source)
        except UsageError as exc:
            if "no such file" not in exc.message or not isinstance(source, GitRevision):
                raise
            return Dataset()  # the labels do not exist yet at this revision: everything is added
        return dataset

    def _diff(self, base_data: Dataset, head_data: Dataset, versions: SpecVersions) -> LabelDiff:
        label_diff = diff_datasets(base_data, head_data, self.options, self.request.progress)
        label_diff.problems = self.rule.check_diff(label_diff) if self.rule is not None else []
        label_diff.spec = versions
        self.request.progress("")
        return label_diff

    def _spec_versions(self, base_source, head_source, same: bool = False) -> SpecVersions:
        """The spec's version at both ends and the bump its semantic diff requires."""
        path = self.settings.spec_path
        if path is None:
            return SpecVersions()
        head_spec = self._spec_at(head_source, path)
        base_spec = head_spec if same else self._spec_at(base_source, path)
        versions = SpecVersions(
            base_version=base_spec.version if base_spec else None,
            head_version=head_spec.version if head_spec else None,
        )
        if base_spec is not None and head_spec is not None:
            from labellint.spec.diff import diff_specs, required_bump

            versions.required_bump = required_bump(diff_specs(base_spec, head_spec)).value
        return versions

    def _spec_at(self, source, path: Path):
        if source is None:
            return None
        if isinstance(source, WorkTree):
            return self.settings.spec
        try:
            text = source.read_bytes(path).decode("utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        try:
            return load_spec_text(text, f"{source.label}:{path.name}")
        except SpecError as exc:
            self.request.warn(f"the spec at {source.label} does not load, version unknown: {exc.message}")
            return None


def _mass_relabel(settings: Settings, max_relabel: float | None):
    """LL505 with the threshold of `--max-relabel`, else the config's options; None when the config
    does not select LL505 and no threshold was given."""
    from labellint.rules.mass_relabel import MassRelabel
    from labellint.settings.policy import rule_options

    if max_relabel is not None:
        return MassRelabel(MassRelabel.Options(max_fraction=max_relabel))
    with contextlib.suppress(LookupError):
        return MassRelabel(rule_options(settings.config, MassRelabel))
    return None


__all__ = ["CompareRequest", "DiffResult", "LogResult", "run_diff", "run_log"]
