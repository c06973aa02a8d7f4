"""Where the project lives: the one home of its URLs is `[project.urls]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

IMPORT_NAME = "labellint"


def distribution_name() -> str | None:
    """The installed distribution that provides the `labellint` package (its PyPI name differs)."""
    names = metadata.packages_distributions().get(IMPORT_NAME, [])
    return names[0] if names else None


@cache
def project_urls() -> dict[str, str]:
    """`[project.urls]` by label, from the installed metadata, else from the source tree's
    pyproject.toml (a checkout run without installing); empty when neither is there."""
    name = distribution_name()
    if name is not None:
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
