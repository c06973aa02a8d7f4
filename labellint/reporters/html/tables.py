"""The summary counts and the problems table's rows (capped, with a note saying so)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from labellint.model import Dataset
from labellint.problem import Severity
from labellint.report import Report

TABLE_LIMIT = 5000  # rows in the problems table; the counts above it cover every problem
FILES_SHOWN = 30


@dataclass(slots=True)
class Summary:
    """Problem counts by rule (with its summary line), by severity and by file."""

    by_rule: list[tuple[str, str, str, int, str]] = field(default_factory=list)  # code, name, severity, n, summary
    by_severity: list[tuple[str, int]] = field(default_factory=list)
    by_file: list[tuple[str, int, int]] = field(default_factory=list)  # path, errors, problems
    more_files: int = 0


def summarize(report: Report) -> Summary:
    summary = Summary()
    by_rule = Counter((p.code, p.name, p.severity.value) for p in report.problems)
    for (code, name, severity), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        info = report.rules.get(code)
        summary.by_rule.append((code, name, severity, n, info.summary if info else ""))
    severities = Counter(p.severity for p in report.problems)
    summary.by_severity = [(s.value, severities.get(s, 0)) for s in Severity]
    per_file: dict[str, Counter] = {}
    for p in report.problems:
        per_file.setdefault(p.location.path or "(dataset)", Counter())[p.severity] += 1
    worst = sorted(per_file.items(), key=lambda kv: (-kv[1][Severity.ERROR], -kv[1].total(), kv[0]))
    summary.by_file = [(path, n[Severity.ERROR], n.total()) for path, n in worst[:FILES_SHOWN]]
    summary.more_files = max(0, len(worst) - FILES_SHOWN)
    return summary


def problem_rows(report: Report, dataset: Dataset | None, anchors: dict[int, str], out_dir: Path) -> list[list]:
    """One row per problem, at most TABLE_LIMIT: rule, severity, class, file, line, message,
    a link to the label file (relative to the report) and the gallery card's anchor."""
    rows = []
    links: dict[str, str] = {}
    for index, p in enumerate(report.problems[:TABLE_LIMIT]):
        loc = p.location
        cls = ""
        if dataset is not None and p.subject_annotations and p.subject_annotations[0] < dataset.n_annotations:
            cls = dataset.class_name(p.subject_annotations[0])
        path = loc.path or ""
        if path and path not in links:
            links[path] = _relative(path, out_dir)
        href = links.get(path, "")
        message = p.message + (f" ({loc.pointer})" if loc.pointer else "")
        rows.append([p.code, p.severity.value, cls, path, loc.line or 0, message, href, anchors.get(index, "")])
    return rows


def _relative(path: str, out_dir: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), out_dir.resolve())).as_posix()
    except ValueError:  # another drive
        return Path(path).resolve().as_posix()
