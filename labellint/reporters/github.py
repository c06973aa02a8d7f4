"""The GitHub Actions reporter: workflow commands that become annotations on the pull request."""

from __future__ import annotations

from collections import Counter

from labellint.problem import Problem, Severity
from labellint.report import Report
from labellint.reporters._common import repo_path
from labellint.reporters.base import RenderOptions, Reporter
from labellint.reporters.text import summary_line

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub shows at most 10 annotations of each kind per step and 50 per job; more are dropped
# silently, so we stop early and say how many were left out instead.
MAX_ANNOTATIONS = 50


def escape_data(text: str) -> str:
    """The message part of a workflow command (GitHub's documented escaping)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A `key=value` property of a workflow command: data escaping plus `:` and `,`."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubReporter(Reporter):
    """`::error file=…,line=…,col=…,title=…::message` per problem, worst first, then a summary."""

    name = "github"
    description = "GitHub Actions workflow commands (annotations on the pull request)"
    max_annotations = MAX_ANNOTATIONS

    def render(self, report: Report, options: RenderOptions) -> str:
        ranked = sorted(report.problems, key=lambda p: -p.severity.rank)  # stable: keeps file order
        shown = ranked[: self.max_annotations]
        lines = [workflow_command(p) for p in shown]
        hidden = ranked[len(shown) :]
        if hidden:
            kinds = Counter(p.severity.value for p in hidden)
            detail = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
            lines.append(
                f"::warning title=labellint::{len(hidden)} more problems ({escape_data(detail)}) are not shown "
                f"as annotations (limit {self.max_annotations}); see the job log or the SARIF/markdown report"
            )
        for crash in report.crashes:
            lines.append(f"::error title=labellint internal error::{escape_data(f'{crash.source}: {crash.error}')}")
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"


def workflow_command(problem: Problem) -> str:
    loc = problem.location
    properties = []
    path = repo_path(loc.path)
    if path:
        properties.append(f"file={escape_property(path)}")
        if loc.line:
            properties.append(f"line={loc.line}")
            if loc.column:
                properties.append(f"col={loc.column}")
    properties.append(f"title={escape_property(f'{problem.code} {problem.name}')}")
    message = problem.message + (f" ({loc.pointer})" if loc.pointer else "")
    return f"::{COMMAND[problem.severity]} {','.join(properties)}::{escape_data(message)}"
