"""`check`: read the labels, run the selected rules, apply the policy, baseline and change narrowing."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from labellint.commands.labels import LabelSelection, read_dataset, rule_context
from labellint.engine import run_rules
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.report import Report
from labellint.rules.base import CHECK_SCOPES
from labellint.settings.policy import Overrides, Policy, apply_policy, build_policy
from labellint.settings.resolve import Settings
from labellint.sources import GitRevision, Source, WorkTree
from labellint.support.wording import plural

if TYPE_CHECKING:  # imported when used: a plain check neither narrows nor shards (start-up time)
    from labellint.commands.shards import Parallel
    from labellint.sources.changed import ChangedFiles


@dataclass(slots=True)
class CheckRequest(LabelSelection):
    """What the command line asked for; unset values fall back to the config."""

    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    # Selector -> {"severity": ..., option: value}, like the config's `[rules.X]` tables.
    rule_settings: dict[str, dict] = field(default_factory=dict)
    baseline: str | None = None
    update_baseline: bool = False
    new_since: str | None = None
    # Report per-file problems only for these files (--changed-since, --staged, a pre-commit hook).
    changed: ChangedFiles | None = None
    show_todos: bool = False  # list spec-completeness TODOs one per line (else counted per rule)
    # Read and check in shards on worker processes or a Dask cluster (--jobs, --executor).
    parallel: Parallel | None = None
    # Keep unchanged label files' pieces and per-file problems in .labellint_cache/ (work tree only).
    cache: bool = False

    def overrides(self) -> Overrides:
        """The command line's rule settings."""
        return Overrides(
            select=self.select,
            extend_select=self.extend_select,
            ignore=self.ignore,
            exclude=self.exclude,
            per_file_ignores=self.per_file_ignores,
            rules=self.rule_settings,
        )


@dataclass(slots=True)
class CheckResult:
    """The finished report and the dataset it was made from."""

    report: Report
    dataset: Dataset
    policy: Policy
    # The text report lists spec-completeness TODOs one per line (--show-todos, or the command
    # line selected one of those rules by name, code or prefix: `--select LL4`).
    show_todos: bool = False

    def to_json(self) -> dict[str, Any]:
        from labellint import __version__
        from labellint.reporters.json_report import report_document

        return report_document(self.report, __version__)


def run_check(request: CheckRequest, settings: Settings) -> CheckResult:
    """Reads the labels, runs the selected check rules and returns the report."""
    policy = build_policy(settings.config, request.overrides())
    report, dataset = check_source(request, settings, policy, WorkTree(), request.parallel)
    adopt(report, request, settings, policy)
    if settings.spec is None:
        report.notes.append("no labelspec.yaml found; checking structure and geometry only (pass --spec)")
    if request.changed is not None:
        from labellint.commands.narrow import narrow

        report = narrow(report, request.changed, settings.shared_files(), policy.registry)
    return CheckResult(report, dataset, policy, todos_asked(request, policy))


def todos_asked(request: CheckRequest, policy: Policy) -> bool:
    """--show-todos, or a command-line selector that names a spec-completeness TODO rule."""
    from labellint.rules import matches

    selectors = [*(request.select or []), *request.extend_select]
    todo_rules = [rule for rule in policy.registry.values() if rule.todo]
    return request.show_todos or any(matches(s, rule) for s in selectors for rule in todo_rules)


def check_source(
    request: CheckRequest, settings: Settings, policy: Policy, source: Source, parallel: Parallel | None = None
) -> tuple[Report, Dataset]:
    """The policy's check rules on the labels as `source` has them (reader crashes first): with
    the incremental cache when the request asks for it (its changed files read on workers when
    `parallel` asks for that), else in shards on workers when `parallel` asks for it (the work
    tree only: a revision is read here, whole)."""
    config, spec = settings.config, settings.spec
    rules = policy.rules_in(CHECK_SCOPES)
    if getattr(request, "cache", False) and isinstance(source, WorkTree):
        from labellint.commands.check_cache import check_cached

        report, dataset, crashes = check_cached(request, settings, rules, source, parallel)
    elif parallel is not None and isinstance(source, WorkTree):
        from labellint.commands.shards import check_in_shards

        report, dataset, crashes = check_in_shards(request, settings, rules, parallel, source)
    else:
        dataset, crashes = read_dataset(request, config, spec, source)
        report = run_rules(rules, rule_context(dataset, spec, settings.spec_display, config, source))
    report.crashes[:0] = crashes
    report.notes.extend(dataset.notes)
    apply_policy(report, policy, spec, settings.spec_display)
    return report, dataset


def adopt(report: Report, request: CheckRequest, settings: Settings, policy: Policy) -> None:
    """--new-since (drop problems already present at REV), then the baseline (read, or rewrite)."""
    from labellint import __version__
    from labellint.settings.baseline import filter_known, read_baseline, render_baseline, stable_key, write_baseline
    from labellint.support.paths import repository_root

    config = settings.config
    # Keys are paths from the config's folder, else from the repository root: the same wherever you run.
    root = config.root if config.source else (repository_root(Path.cwd()) or Path.cwd())
    if request.new_since:
        old = problems_at(request.new_since, request, settings, policy)
        before = len(report.problems)
        known = Counter(stable_key(p, root) for p in old)
        report.problems, _ = filter_known(report.problems, known, root)
        hidden = plural(before - len(report.problems), "older problem")
        report.notes.append(f"--new-since {request.new_since}: {hidden} hidden")
    if request.baseline is None:
        return
    path = Path(request.baseline)
    if request.update_baseline:
        write_baseline(path, render_baseline(report.problems, __version__, root))
        report.notes.append(f"wrote {plural(len(report.problems), 'problem')} to the baseline {request.baseline}")
        report.problems = []
        return
    report.problems, result = filter_known(report.problems, read_baseline(path), root)
    if result.hidden:
        report.notes.append(f"{plural(result.hidden, 'problem')} hidden by the baseline {request.baseline}")
    if result.stale:
        report.notes.append(
            f"{plural(result.stale, 'baseline entry', 'baseline entries')}"
            f" no longer {'occurs' if result.stale == 1 else 'occur'} (fixed?);"
            " run with --update-baseline to drop them"
        )


def problems_at(rev: str, request: CheckRequest, settings: Settings, policy: Policy) -> list:
    """The problems the same check (same rules, spec and settings) finds on the labels at `rev`."""
    try:
        report, _ = check_source(request, settings, policy, GitRevision(Path.cwd(), rev))
    except UsageError:
        return []  # the labels did not exist at REV: every problem is new
    return report.problems


def settings_document(request: CheckRequest, settings: Settings) -> str:
    """The resolved settings (config, spec, every rule's severity and options) with their origins."""
    config = settings.config
    policy = build_policy(config, request.overrides())
    document = {
        "config": config.source or "(none found; defaults)",
        "spec": settings.spec_display or "(none found)",
        "datasets": [d.model_dump(by_alias=True) for d in config.datasets],
        "plugins": list(config.plugins),
        "baseline": request.baseline,
        "new-since": request.new_since,
        **policy.settings(),
    }
    return json.dumps(document, indent=2, default=str) + "\n"
