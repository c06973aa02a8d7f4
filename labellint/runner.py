"""One `check` run from resolved settings: collect files, read them, run the rules."""

from __future__ import annotations

import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from labellint.collect import Target, collect
from labellint.config import Config
from labellint.engine import run_rules
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.policy import Overrides, Policy, apply_policy, build_policy, is_excluded
from labellint.readers.base import ReadContext
from labellint.report import Crash, Report
from labellint.sources import Source, WorkTree
from labellint.spec.model import LabelSpec


@dataclass(slots=True)
class CheckRequest:
    """What the command line asked for; unset values fall back to the config."""

    paths: list[str] = field(default_factory=list)
    reader: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    # Issue 4: configuration, baselines and --new-since (see labellint.policy, labellint.baseline).
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    rule_settings: dict[str, dict] = field(default_factory=dict)
    baseline: str | None = None
    update_baseline: bool = False
    new_since: str | None = None


def targets_for(request: CheckRequest, config: Config) -> tuple[list[Target], Path]:
    """Command-line paths (relative to the cwd) or the config's datasets (relative to the config)."""
    if request.paths:
        return [Target(p, request.reader or config.reader) for p in request.paths], Path.cwd()
    if config.datasets:
        targets = [Target(d.path, request.reader or d.reader or config.reader, d.options) for d in config.datasets]
        return targets, config.root
    raise UsageError("no label files to check: pass PATHS, or list `datasets` in the config")


def read_dataset(
    request: CheckRequest, config: Config, spec: LabelSpec | None, source: Source
) -> tuple[Dataset, list[Crash]]:
    """Every target read into one dataset; a reader that crashes is reported, the rest go on."""
    targets, base = targets_for(request, config)
    collected = collect(targets, source, base)
    drop_excluded(collected, [*config.exclude, *request.exclude], config.root)
    if collected.missing:
        raise UsageError(f"no such file or folder: {', '.join(collected.missing)}")
    parts: list[Dataset] = []
    crashes: list[Crash] = []
    for reader, files, options in collected.groups.values():
        context = ReadContext(source.read_bytes, source.is_file, source.display, spec, options)
        try:
            parts.append(reader.read(files, context))
        except Exception:
            # A reader bug must not hide the other files' problems: read them one by one and
            # report only the files that still fail.
            for path in files:
                try:
                    parts.append(reader.read([path], context))
                except Exception as exc:
                    crashes.append(
                        Crash(
                            f"reader {reader.name} on {source.display(path)}",
                            f"{type(exc).__name__}: {exc}",
                            traceback.format_exc(),
                        )
                    )
    dataset = Dataset.concat(parts) if parts else Dataset()
    dataset.issues.extend(collected.issues)
    declare_spec_versions(dataset, config, source)
    note_work_tree(dataset, config, source)
    return dataset, crashes


def note_work_tree(dataset: Dataset, config: Config, source: Source) -> None:
    """Stamps, into each file's meta, the folder its display path is relative to and the config's
    folder, so rules that read companion files (LL601 predictions) find them; a git revision
    stamps nothing (its files are not on disk)."""
    if not isinstance(source, WorkTree):
        return
    work_tree, config_root = str(source.cwd), str(config.root)
    for file in dataset.files:
        file.meta.setdefault("work_tree", work_tree)
        file.meta.setdefault("config_root", config_root)


def declare_spec_versions(dataset: Dataset, config: Config, source: Source) -> None:
    """Stamps `spec-version` of configured datasets into their files' meta (LL503 reads it)."""
    for entry in config.datasets:
        if entry.spec_version is None:
            continue
        found = collect([Target(entry.path, entry.reader)], source, config.root)
        paths = {source.display(p) for _, files, _ in found.groups.values() for p in files}
        for file in dataset.files:
            if file.path in paths:
                file.meta["spec_version"] = entry.spec_version


def run_check(request: CheckRequest, config: Config, spec: LabelSpec | None, spec_display: str | None) -> Report:
    """Reads the labels, runs the selected rules and returns the report."""
    policy = build_policy(config, overrides_of(request))
    dataset, crashes = read_dataset(request, config, spec, WorkTree())
    report = run_rules(dataset, spec, policy.rules, spec_display)
    report.crashes[:0] = crashes
    apply_policy(report, policy, spec, spec_display)
    adopt(report, request, config, spec, spec_display, policy)
    if spec is None:
        report.notes.append("no labelspec.yaml found; checking structure and geometry only (pass --spec)")
    return report


def overrides_of(request: CheckRequest) -> Overrides:
    """The command line's rule settings."""
    return Overrides(
        select=request.select,
        extend_select=request.extend_select,
        ignore=request.ignore,
        exclude=request.exclude,
        per_file_ignores=request.per_file_ignores,
        rules=request.rule_settings,
    )


def drop_excluded(collected, patterns: list[str], root: Path) -> None:
    """Removes files matching the `exclude` globs before anything reads them."""
    if not patterns:
        return
    for key, (reader, files, options) in list(collected.groups.items()):
        kept = [f for f in files if not is_excluded(f, patterns, root)]
        if kept:
            collected.groups[key] = (reader, kept, options)
        else:
            del collected.groups[key]


def adopt(
    report: Report,
    request: CheckRequest,
    config: Config,
    spec: LabelSpec | None,
    spec_display: str | None,
    policy: Policy,
) -> None:
    """--new-since (drop problems already present at REV), then the baseline (read, or rewrite)."""
    from labellint import __version__
    from labellint.baseline import filter_known, read_baseline, render_baseline, stable_key, write_baseline
    from labellint.config import repository_root

    # Keys are paths from the config's folder, else from the repository root: the same wherever you run.
    root = config.root if config.source else (repository_root(Path.cwd()) or Path.cwd())

    if request.new_since:
        old = _problems_at(request.new_since, request, config, spec, spec_display, policy)
        before = len(report.problems)
        known = Counter(stable_key(p, root) for p in old)
        report.problems, _ = filter_known(report.problems, known, root)
        report.notes.append(f"--new-since {request.new_since}: {before - len(report.problems)} older problems hidden")
    if request.baseline is None:
        return
    path = Path(request.baseline)
    if request.update_baseline:
        write_baseline(path, render_baseline(report.problems, __version__, root))
        report.notes.append(f"wrote {len(report.problems)} problems to the baseline {request.baseline}")
        report.problems = []
        return
    report.problems, result = filter_known(report.problems, read_baseline(path), root)
    if result.hidden:
        report.notes.append(f"{result.hidden} problems hidden by the baseline {request.baseline}")
    if result.stale:
        report.notes.append(
            f"{result.stale} baseline entries no longer occur (fixed?); run with --update-baseline to drop them"
        )


def _problems_at(
    rev: str, request: CheckRequest, config: Config, spec: LabelSpec | None, spec_display: str | None, policy: Policy
) -> list:
    """The problems the same check (same rules, spec and settings) finds on the labels at `rev`."""
    from labellint.sources import GitRevision

    source = GitRevision(Path.cwd(), rev)
    try:
        dataset, _ = read_dataset(request, config, spec, source)
    except UsageError:
        return []  # the labels did not exist at REV: every problem is new
    report = run_rules(dataset, spec, policy.rules, spec_display)
    apply_policy(report, policy, spec, spec_display)
    return report.problems
