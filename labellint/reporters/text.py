"""The text reporter: ruff-like `path:line:col: CODE message` lines and a summary."""

from __future__ import annotations

from collections import Counter

import click

from labellint.problem import Problem, Severity
from labellint.report import Report
from labellint.reporters.base import RenderOptions, Reporter
from labellint.support.wording import plural

SEVERITY_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


class TextReporter(Reporter):
    """One line per problem, then counts; coloured on a terminal."""

    name = "text"
    description = "ruff-like lines `path:line:col: CODE message` and a summary"

    def render(self, report: Report, options: RenderOptions) -> str:
        style = _styler(options.color)
        todos = Counter() if options.show_todos else _todo_counts(report)
        lines = [format_problem(p, style) for p in report.problems if p.code not in todos]
        for code, count in sorted(todos.items()):
            counted = plural(count, "spec TODO warning")
            lines.append(
                f"{style(code, fg='yellow', bold=True)} {report.rules[code].name}: {counted}; "
                f"list them: labellint check --select {code}"
            )
        for crash in report.crashes:
            lines.append(style(f"internal error: {crash.source} crashed: {crash.error}", fg="red", bold=True))
        if options.statistics and report.problems:
            lines.append("")
            counts = Counter((p.code, p.name) for p in report.problems)
            for (code, name), count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"{count:>7}  {style(code, fg='red', bold=True)}  {name}")
        if not options.quiet:
            lines.append(summary_line(report, style))
        return "".join(line + "\n" for line in lines)


def _todo_counts(report: Report) -> Counter[str]:
    """Problems of spec-completeness TODO rules, by code."""
    todo = {code for code, info in report.rules.items() if info.todo}
    return Counter(p.code for p in report.problems if p.code in todo and p.severity is not Severity.ERROR)


def format_problem(problem: Problem, style=lambda text, **_: text) -> str:
    """`path:line:col: CODE [severity] message [pointer]` (line and column when known)."""
    loc = problem.location
    where = loc.path or "<spec>"
    if loc.line:
        where += f":{loc.line}:{loc.column or 1}"
    tail = f" ({loc.pointer})" if loc.pointer else ""
    severity = "" if problem.severity is Severity.ERROR else f"[{problem.severity.value}] "
    code = style(problem.code, fg=SEVERITY_COLOR[problem.severity], bold=True)
    return f"{style(where, bold=True)}: {code} {severity}{problem.message}{style(tail, dim=True)}"


def summary_line(report: Report, style=lambda text, **_: text) -> str:
    counts = [plural(report.files, "file"), plural(report.items, "item"), plural(report.annotations, "annotation")]
    scanned = ", ".join(counts)
    if not report.problems:
        return style(f"All checks passed ({scanned}).", fg="green")
    parts = [plural(report.errors, "error")]
    if report.warnings:
        parts.append(plural(report.warnings, "warning"))
    infos = report.count(Severity.INFO)
    if infos:
        parts.append(f"{infos:,} info")
    return f"Found {plural(len(report.problems), 'problem')} ({', '.join(parts)}) in {scanned}."


def _styler(color: bool):
    if not color:
        return lambda text, **_: text
    return click.style
