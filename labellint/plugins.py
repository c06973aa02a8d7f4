"""Loads objects registered under an entry-point group; a broken plugin is reported, not fatal."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    """An entry point that failed to load: its name, where it pointed, and why."""

    group: str
    name: str
    value: str
    error: str


def load_group(group: str) -> tuple[list[tuple[str, Any]], list[BrokenPlugin]]:
    """Every (name, object) registered under `group`, and the ones that failed to import."""
    loaded: list[tuple[str, Any]] = []
    broken: list[BrokenPlugin] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            loaded.append((point.name, point.load()))
        except Exception as exc:  # a plugin's import error must not take the built-ins down
            broken.append(BrokenPlugin(group, point.name, point.value, f"{type(exc).__name__}: {exc}"))
    return loaded, broken
