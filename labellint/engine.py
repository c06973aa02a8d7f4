"""The one rule loop: runs rules on a check or change context, isolates crashes, stamps problems."""

from __future__ import annotations

import dataclasses
import traceback
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from labellint.model import Dataset
from labellint.problem import Problem, fingerprint
from labellint.report import Crash, Report
from labellint.rules.base import Finding, Rule, RuleContext
from labellint.rules.change import ChangeContext

Context = RuleContext | ChangeContext


def run_rules(rules: Sequence[Rule], context: Context) -> Report:
    """Every rule's findings as problems. The context's scopes decide which rules run (check rules
    on a RuleContext, change rules on a ChangeContext); a rule that raises becomes a Crash and the
    others go on; problems pointed at by JSON pointer get their line."""
    dataset = context.dataset if isinstance(context, RuleContext) else None
    report = Report()
    if dataset is not None:
        report = Report(files=len(dataset.files), items=dataset.n_items, annotations=dataset.n_annotations)
    for rule in rules:
        kind = type(rule)
        if kind.scope not in context.scopes:
            continue
        report.rules[kind.code] = kind.info()
        if kind.needs_spec and context.spec is None:
            continue
        try:
            # Coordinates near the float limits overflow to inf, which every comparison handles;
            # numpy's RuntimeWarning on stderr would only be noise around the report.
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                findings = list(rule.check(context))
        except Exception as exc:  # one broken rule must not hide the others' problems
            report.crashes.append(
                Crash(f"{kind.code} {kind.name}", f"{type(exc).__name__}: {exc}", traceback.format_exc())
            )
            continue
        report.problems.extend(_stamp(kind, finding, context, dataset) for finding in findings)
    if dataset is not None:
        _fill_lines(report.problems, dataset)
    report.problems.sort(key=Problem.sort_key)
    return report


def _stamp(kind: type[Rule], finding: Finding, context: Context, dataset: Dataset | None) -> Problem:
    """The rule's code, name and severity on the finding, with its location and fingerprint."""
    if finding.location is not None:
        location, identity = finding.location, finding.identity
    elif dataset is not None and finding.annotation is not None:
        location = dataset.annotation_location(finding.annotation)
        identity = dataset.annotation_identity(finding.annotation)
        if finding.pair is not None:
            identity = "pair:" + "|".join(sorted([identity, dataset.annotation_identity(finding.pair)]))
        identity += f"|{finding.identity}" if finding.identity else ""
    elif dataset is not None and finding.item is not None:
        location = dataset.item_location(finding.item)
        identity = f"item:{location.item}" + (f"|{finding.identity}" if finding.identity else "")
    else:
        location, identity = context.default_location(), finding.identity
    identity = identity or finding.message
    annotations = tuple(a for a in (finding.annotation, finding.pair) if a is not None)
    item = finding.item
    if item is None and annotations and dataset is not None and finding.location is None:
        item = int(dataset.ann_item[annotations[0]])
    return Problem(
        code=kind.code,
        name=kind.name,
        severity=finding.severity or kind.severity,
        message=finding.message,
        location=location,
        identity=identity,
        fingerprint=fingerprint(kind.code, location.path, identity),
        subject_annotations=annotations if dataset is not None else (),
        subject_item=item if item is not None and item >= 0 else None,
    )


def _fill_lines(problems: list[Problem], dataset: Dataset) -> None:
    """Lines for problems that only have a JSON pointer: one scan per file that has any."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for index, problem in enumerate(problems):
        loc = problem.location
        if loc.line is None and loc.pointer is not None and loc.path is not None:
            wanted[loc.path].append(index)
    if not wanted:
        return
    locators = {f.path: f.locator for f in dataset.files if f.locator is not None}
    for path, indexes in wanted.items():
        locator = locators.get(path)
        if locator is None:
            continue
        found = locator(sorted({problems[i].location.pointer for i in indexes}))
        for i in indexes:
            position = found.get(problems[i].location.pointer)
            if position:
                problems[i].location = dataclasses.replace(problems[i].location, line=position[0], column=position[1])
