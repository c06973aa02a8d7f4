"""The markdown reporter: a summary a reviewer reads in the pull request ($GITHUB_STEP_SUMMARY)."""

from __future__ import annotations

from collections import Counter, defaultdict

from labellint.problem import Severity
from labellint.report import Report
from labellint.reporters._common import repo_path, rule_url
from labellint.reporters.base import RenderOptions, Reporter
from labellint.support.wording import plural

FIRST_PROBLEMS = 50
WORST_FILES = 10


def cell(text: str) -> str:
    """Text made safe inside a table cell: no pipes, no line breaks, no stray HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\r", " ").replace("\n", " ")


class MarkdownReporter(Reporter):
    """Totals, problems by rule (each linked to its rulebook page), the worst files, the first problems."""

    name = "markdown"
    description = "a markdown summary for pull requests (GitHub step summary, GitLab notes)"
    first_problems = FIRST_PROBLEMS
    worst_files = WORST_FILES

    def render(self, report: Report, options: RenderOptions) -> str:
        out = _summary(report)
        if options.html_report:
            out += [
                "",
                f"The labels drawn on their images, plots and the full table: `{cell(options.html_report)}` "
                "(the HTML report, uploaded as this run's artifact).",
            ]
        if not report.problems:
            return "\n".join(out) + "\n"
        out += _problems_by_rule(report)
        out += self._worst_files(report)
        out += self._first_problems(report)
        out += ["", f"<sub>labellint {options.version}</sub>"]
        return "\n".join(out) + "\n"

    def _worst_files(self, report: Report) -> list[str]:
        """The files with the most errors, then the most problems."""
        per_file: dict[str, Counter] = defaultdict(Counter)
        for p in report.problems:
            per_file[repo_path(p.location.path) or "(dataset)"][p.severity] += 1
        worst = sorted(per_file.items(), key=lambda kv: (-kv[1][Severity.ERROR], -kv[1].total(), kv[0]))
        out = [
            "",
            "### Files with the most problems",
            "",
            "| File | Errors | Warnings | Problems |",
            "|---|---:|---:|---:|",
        ]
        for path, n in worst[: self.worst_files]:
            out.append(f"| `{cell(path)}` | {n[Severity.ERROR]:,} | {n[Severity.WARNING]:,} | {n.total():,} |")
        if len(worst) > self.worst_files:
            out.append(f"\n…and {plural(len(worst) - self.worst_files, 'more file')} with problems.")
        return out

    def _first_problems(self, report: Report) -> list[str]:
        """The first problems in report order, one table row each (where, rule, message)."""
        shown = report.problems[: self.first_problems]
        title = "All problems" if len(shown) == len(report.problems) else f"First {len(shown)} problems"
        out = ["", f"### {title}", "", "| Location | Rule | Message |", "|---|---|---|"]
        for p in shown:
            loc = p.location
            where = repo_path(loc.path) or "(dataset)"
            if loc.line:
                where += f":{loc.line}:{loc.column or 1}"
            message = p.message + (f" (`{loc.pointer}`)" if loc.pointer else "")
            severity = "" if p.severity is Severity.ERROR else f" ({p.severity.value})"
            out.append(f"| `{cell(where)}` | {p.code}{severity} | {cell(message)} |")
        if len(report.problems) > len(shown):
            rest = len(report.problems) - len(shown)
            out.append(f"\n…and {plural(rest, 'more problem')}: see the job log or the SARIF report.")
        return out


def _summary(report: Report) -> list[str]:
    """The status heading, what was checked and the totals, then crashes and notes."""
    scanned = (
        f"{plural(report.files, 'file')}, {plural(report.items, 'item')}, {plural(report.annotations, 'annotation')}"
    )
    out = [f"## labellint: {_status(report)}", ""]
    infos = report.count(Severity.INFO)
    parts = [plural(report.errors, "error"), plural(report.warnings, "warning")]
    parts += [f"{infos:,} info"] if infos else []
    out.append(f"Checked {scanned}: **{plural(len(report.problems), 'problem')}** ({', '.join(parts)}).")
    for crash in report.crashes:
        out.append("")
        out.append(f"> **Internal error:** `{cell(crash.source)}` crashed: {cell(crash.error)}")
    for note in report.notes:
        out.append("")
        out.append(f"> {cell(note)}")
    return out


def _status(report: Report) -> str:
    if report.crashes:
        return "💥 a rule crashed"
    if report.errors:
        return "❌ " + plural(report.errors, "error")
    if report.problems:
        return "⚠️ no errors"
    return "✅ all checks passed"


def _problems_by_rule(report: Report) -> list[str]:
    """A table of problem counts per rule, each rule linked to its rulebook page."""
    out = ["", "### Problems by rule", "", "| Rule | Severity | Problems |", "|---|---|---:|"]
    by_rule = Counter((p.code, p.name, p.severity.value) for p in report.problems)
    for (code, name, severity), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        url = rule_url(report.rules.get(code))
        label = f"[{code} {name}]({url})" if url else f"{code} {name}"
        out.append(f"| {label} | {severity} | {n:,} |")
    return out
