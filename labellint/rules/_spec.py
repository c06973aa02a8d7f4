"""Helpers for spec-scope rules: a problem located at a key of `labelspec.yaml`."""

from __future__ import annotations

from labellint.problem import Location
from labellint.rules.base import RuleContext


def spec_location(context: RuleContext, *path: str | int) -> Location:
    """The spec file, at the line and column of the key at `path` (or its nearest written parent)."""
    position = context.spec.position(*path) if context.spec is not None else None
    line, column = position if position else (None, None)
    return Location(path=context.spec_path, line=line, column=column)
