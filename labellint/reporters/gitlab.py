"""The GitLab Code Quality reporter: the JSON artifact shown in merge-request widgets."""

from __future__ import annotations

import json

from labellint.problem import Severity
from labellint.report import Report
from labellint.reporters._common import repo_path, unique_fingerprints
from labellint.reporters.base import RenderOptions, Reporter

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


class GitlabReporter(Reporter):
    """A list of Code Quality issues: description, check_name, fingerprint, severity, location."""

    name = "gitlab"
    description = "GitLab Code Quality JSON (artifacts:reports:codequality)"

    def render(self, report: Report, options: RenderOptions) -> str:
        issues = []
        for problem, fp in zip(report.problems, unique_fingerprints(report.problems), strict=True):
            loc = problem.location
            description = problem.message + (f" ({loc.pointer})" if loc.pointer else "")
            issues.append(
                {
                    "type": "issue",
                    "description": f"{problem.code} {description}",
                    "check_name": f"{problem.code} {problem.name}",
                    "fingerprint": fp,
                    "severity": SEVERITY[problem.severity],
                    "categories": ["Bug Risk"] if problem.severity is Severity.ERROR else ["Style"],
                    # GitLab needs a path and a line for every issue; dataset-wide problems have neither.
                    "location": {"path": repo_path(loc.path) or ".", "lines": {"begin": loc.line or 1}},
                }
            )
        return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
