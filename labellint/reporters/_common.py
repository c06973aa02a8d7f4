"""Helpers shared by the CI reporters: repository-relative paths, rule links, rule docs."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from labellint.problem import Problem, Severity, fingerprint
from labellint.report import RuleInfo
from labellint.support.paths import repository_root
from labellint.support.project import repository_url


@cache
def _root(cwd: str) -> Path | None:
    return repository_root(Path(cwd))


def repo_path(path: str | None) -> str | None:
    """A problem's path (relative to the working directory) made relative to the repository root,
    as code-scanning tools and CI annotations expect; unchanged outside a repository."""
    if path is None:
        return None
    cwd = Path.cwd().resolve()
    root = _root(str(cwd))
    if root is None:
        return path
    absolute = Path(os.path.normpath(cwd / path))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return path


def rule_url(info: RuleInfo | None) -> str | None:
    """The rulebook page of a built-in rule: its folder `rules/<CODE>-<name>/` in the repository
    (plugin rules have none here, nor does an install without project URLs)."""
    base = repository_url()
    if info is None or not info.builtin or base is None:
        return None
    return f"{base}/tree/main/rules/{info.code}-{info.name}"


def sarif_level(severity: Severity) -> str:
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}[severity]


def unique_fingerprints(problems: list[Problem]) -> list[str]:
    """Each problem's fingerprint over its repository-relative path (so it does not depend on the
    folder labellint ran from), with `:2`, `:3`… appended to repeats so tools that key on it
    (GitLab, code scanning) keep every problem; the order of repeats follows the report."""
    seen: dict[str, int] = {}
    out = []
    for problem in problems:
        path = repo_path(problem.location.path)
        base = fingerprint(problem.code, path, problem.identity) if problem.identity else problem.fingerprint
        count = seen.get(base, 0) + 1
        seen[base] = count
        out.append(base if count == 1 else f"{base}:{count}")
    return out
