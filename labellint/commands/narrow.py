"""Narrows a finished check report to the label files a change touches (`--changed-since`, hooks)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from labellint.readers.yolo import NAME_FILES
from labellint.report import Report
from labellint.rules import Rule, Scope
from labellint.sources.changed import ChangedFiles
from labellint.support.paths import from_repository


def narrow(
    report: Report, change: ChangedFiles, shared: Iterable[Path], rules: dict[str, type[Rule]], cwd: Path | None = None
) -> Report:
    """The report with per-file problems kept only for changed files.

    All files were read and every rule saw the whole dataset, so problems with no file, and
    dataset-level problems placed in the spec or config, stay. A change to a file every label
    depends on (the spec, the config, a YOLO names file) can break untouched labels, so then
    nothing is narrowed.
    """
    shared = list(shared)
    shared_changed = [p for p in shared if change.touches(p)]
    names_changed = sorted(f for f in change.files if f.rsplit("/", 1)[-1] in NAME_FILES)
    if shared_changed or names_changed:
        first = from_repository(shared_changed[0], change.root) if shared_changed else names_changed[0]
        note = f"{first} changed ({change.label}): checking every label file"
        return dataclasses.replace(report, notes=[*report.notes, note])
    base = (cwd or Path.cwd()).resolve()
    shared_files = {from_repository(p, change.root) for p in shared} - {None}
    dataset_wide = {code for code, rule in rules.items() if rule.scope is Scope.DATASET}

    def keep(problem) -> bool:
        path = problem.location.path
        if path is None or change.touches(base / path):
            return True
        # A dataset-level finding placed in the spec or config (e.g. a class nobody uses any more)
        # may be caused by any label change, so it is never narrowed away.
        return problem.code in dataset_wide and from_repository(base / path, change.root) in shared_files

    kept = [p for p in report.problems if keep(p)]
    dropped = len(report.problems) - len(kept)
    notes = list(report.notes)
    if dropped:
        notes.append(f"{dropped} problem{'s' if dropped != 1 else ''} in unchanged files not shown ({change.label})")
    return dataclasses.replace(report, problems=kept, notes=notes)
