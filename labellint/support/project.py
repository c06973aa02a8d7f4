"""Where the project lives: the one home of its URLs is `[project.urls]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

IMPORT_NAME = "labellint"


@cache
def project_urls() -> dict[str, str]:
    """`[project.urls]` by label, from the installed metadata (the first distribution providing
    `labellint` that has them: a stale egg-info may sit beside it), else from the source tree's
    pyproject.toml (a checkout run without installing); empty when neither is there."""
    for name in metadata.packages_distributions().get(IMPORT_NAME, []):
        entries = metadata.metadata(name).get_all("Project-URL") or []
        urls = dict(entry.split(", ", 1) for entry in entries if ", " in entry)
        if urls:
            return urls
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        return dict(tomllib.loads(pyproject.read_text("utf-8"))["project"]["urls"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return {}


def repository_url() -> str | None:
    """The source repository (SARIF `informationUri`; the rulebook's links start here)."""
    return project_urls().get("Repository")
