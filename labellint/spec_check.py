"""Spec versioning runs: both sides of a change (git revisions, files or folders), change rules, affected items."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labellint.config import Config
from labellint.errors import SpecError, UsageError
from labellint.model import Dataset
from labellint.problem import Location, Problem, fingerprint
from labellint.report import Crash, Report, RuleInfo
from labellint.rules import Rule, all_rules
from labellint.rules.change import ChangeContext, ChangeRule, Side
from labellint.runner import CheckRequest, read_dataset
from labellint.sources import GitRevision, WorkTree
from labellint.spec.diff import Change, diff_specs, required_bump
from labellint.spec.loader import load_spec_text
from labellint.spec.model import LabelSpec
from labellint.spec.versioning import Bump, bump_made

WORK_TREE = "work tree"


# ----------------------------------------------------------------------------- sides
def work_tree_side(spec_path: Path, display: str) -> Side:
    """The spec as it is on disk now (the default HEAD)."""
    text = _read_text(spec_path, display)
    return Side(WORK_TREE, load_spec_text(text, display), text, display, spec_path.parent.resolve(), WorkTree())


def file_side(spec_path: Path, display: str) -> Side:
    """A spec file given by path (`spec diff old.yaml new.yaml`); its labels are those beside it."""
    text = _read_text(spec_path, display)
    return Side(display, load_spec_text(text, display), text, display, spec_path.parent.resolve(), WorkTree())


def revision_side(spec_path: Path, rev: str, *, missing_ok: bool = False) -> Side:
    """The spec (and labels) at a git revision; the spec path is where it sits in the work tree.

    `missing_ok`: a revision without the spec gives a side whose spec is None (a brand-new spec).
    """
    from labellint import git

    source = GitRevision(spec_path.parent, rev)
    relative = spec_path.resolve().relative_to(source.root).as_posix()
    data = git.read_at(source.repo, source.rev, relative)
    display = f"{rev}:{relative}"
    if data is None:
        if missing_ok:
            return Side(rev, None, None, display, spec_path.parent.resolve(), source)
        raise SpecError(f"{relative} does not exist at {rev}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{display}: the spec is not UTF-8 text") from None
    return Side(rev, load_spec_text(text, display), text, display, spec_path.parent.resolve(), source)


def _read_text(path: Path, display: str) -> str:
    try:
        # Bytes decoded as they are: universal newlines would turn CRLF into LF behind the user's back.
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SpecError(f"{display}: spec file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{display}: cannot read the spec: {exc}") from None


def folder_side(folder: Path, label: str, cwd: Path) -> Side:
    """A folder holding `labelspec.yaml` and labels (a rulebook's `before/` or `after/`)."""
    spec_path = folder / "labelspec.yaml"
    source = WorkTree(cwd=cwd)
    display = source.display(spec_path)
    if not spec_path.is_file():
        return Side(label, None, None, display, folder.resolve(), source)
    text = _read_text(spec_path, display)
    return Side(label, load_spec_text(text, display), text, display, folder.resolve(), source)


# ----------------------------------------------------------------------------- context and rules
def labels_loader(config: Config, datasets_root: Path | None = None):
    """A `load_labels(side, paths)` for ChangeContext: the given files, or the config's datasets."""

    def load(side: Side, paths: Sequence[Path] | None) -> Dataset:
        if paths is None:
            if config.datasets:
                request = CheckRequest()
            elif datasets_root is not None:
                request = CheckRequest(paths=[str(side.root)])
            else:
                return Dataset()
        else:
            request = CheckRequest(paths=[str(p) for p in paths])
        try:
            dataset, _ = read_dataset(request, config, side.spec, side.source)
        except UsageError:
            return Dataset()  # the dataset does not exist on this side (added or removed in the change)
        return dataset

    return load


def change_context(base: Side, head: Side, policy, config: Config | None = None, datasets_root=None) -> ChangeContext:
    changes = diff_specs(base.spec, head.spec, policy) if base.spec is not None and head.spec is not None else []
    return ChangeContext(base, head, changes, labels_loader(config or Config(), datasets_root))


def run_change_rules(context: ChangeContext, rules: Sequence[Rule]) -> Report:
    """Findings of change rules as problems (crashes isolated), like the engine does for the others."""
    report = Report()
    for rule in rules:
        kind = type(rule)
        report.rules[kind.code] = RuleInfo(kind.code, kind.name, kind.severity.value, kind.summary())
        try:
            findings = list(rule.check(context))
        except Exception as exc:  # one broken rule must not hide the others' problems
            report.crashes.append(
                Crash(f"{kind.code} {kind.name}", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        for finding in findings:
            location = finding.location or Location(path=context.head.spec_display)
            identity = finding.identity or finding.message
            report.problems.append(
                Problem(
                    code=kind.code,
                    name=kind.name,
                    severity=finding.severity or kind.severity,
                    message=finding.message,
                    location=location,
                    identity=identity,
                    fingerprint=fingerprint(kind.code, location.path, identity),
                )
            )
    report.problems.sort(key=Problem.sort_key)
    return report


def change_rules(select: Sequence[str] | None = None, ignore: Sequence[str] = ()) -> list[Rule]:
    """Registered change rules with a code in `select` (None: all), minus `ignore` selectors, instantiated."""
    from labellint.rules import matches

    found = [cls for cls in all_rules().values() if issubclass(cls, ChangeRule)]
    chosen = [cls for cls in found if select is None or cls.code in select]
    return [cls() for cls in chosen if not any(matches(selector, cls) for selector in ignore)]


# ----------------------------------------------------------------------------- spec check
@dataclass(slots=True)
class SpecCheck:
    """The result of `spec check`: required bump, the bump made, and the change rules' problems."""

    base_version: str | None
    head_version: str | None
    required: Bump
    actual: Bump
    changes: list[Change]
    report: Report
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.report.errors and not self.report.crashes

    def as_json(self) -> dict:
        return {
            "required": self.required.value,
            "actual": self.actual.value,
            "ok": self.ok,
            "changes": [c.as_json() for c in self.changes],
            "base_version": self.base_version,
            "head_version": self.head_version,
            "problems": [
                {
                    "code": p.code,
                    "name": p.name,
                    "severity": p.severity.value,
                    "message": p.message,
                    "path": p.location.path,
                    "line": p.location.line,
                    "fingerprint": p.fingerprint,
                }
                for p in self.report.problems
            ],
        }


def spec_check(context: ChangeContext, rules: Sequence[Rule] | None = None) -> SpecCheck:
    base, head = context.base.spec, context.head.spec
    notes = []
    if base is None:
        notes.append(f"no spec at {context.base.label}: nothing to compare, every class is new")
    report = run_change_rules(context, rules if rules is not None else change_rules())
    required = required_bump(context.changes)
    actual = Bump.NONE
    if base is not None and head is not None:
        actual = bump_made(base.version, head.version)
    return SpecCheck(
        base.version if base else None, head.version if head else None, required, actual, context.changes, report, notes
    )


# ----------------------------------------------------------------------------- affected items
@dataclass(slots=True)
class AffectedItem:
    """An item to relabel: where it is written, its id (and file name), the touched classes on it."""

    path: str
    item: str
    name: str | None
    classes: list[str]


def touched_classes(changes: Sequence[Change], base: LabelSpec, head: LabelSpec) -> set[str] | None:
    """Class names (base and head) that MAJOR changes touch; None when one touches every class."""
    touched: set[str] = set()
    for change in changes:
        if change.bump is not Bump.MAJOR:
            continue
        if not change.classes:
            return None
        touched.update(change.classes)
    # Labels may still say a class by an alias of either side.
    for spec in (base, head):
        for name in list(touched):
            if name in spec.classes:
                touched.update(spec.classes[name].aliases)
    return touched


def affected_items(dataset: Dataset, touched: set[str] | None) -> list[AffectedItem]:
    """Items with at least one annotation of a touched class (every annotated item when None)."""
    if dataset.n_annotations == 0:
        return []
    names = np.array([c.name for c in dataset.classes] + [""], dtype=object)
    hit_class = np.ones(len(names), bool) if touched is None else np.isin(names, list(touched))
    hit = hit_class[dataset.ann_class] & (dataset.ann_item >= 0)
    out: list[AffectedItem] = []
    order = np.argsort(dataset.ann_item[hit], kind="stable")
    items, classes = dataset.ann_item[hit][order], dataset.ann_class[hit][order]
    if not len(items):
        return out
    starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]])
    ends = np.r_[starts[1:], len(items)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        item = int(items[start])
        location = dataset.item_location(item)
        out.append(
            AffectedItem(
                path=location.path or "",
                item=location.item or "",
                name=dataset.item_names[item] if item < len(dataset.item_names) else None,
                classes=sorted({str(names[c]) for c in classes[start:end].tolist()}),
            )
        )
    return out
