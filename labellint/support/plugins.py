"""Loads objects registered under an entry-point group; a broken plugin is reported, not fatal."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from labellint.support.paths import from_cwd


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    """An entry point that failed to load: its name, where it pointed, and why."""

    group: str
    name: str
    value: str
    error: str


@cache
def _installed() -> EntryPoints:
    """Every installed entry point: one scan of the installed distributions per run, not one per group."""
    return entry_points()


def group_points(group: str) -> list[EntryPoint]:
    """The entry points registered under `group`, in name order, each registration once."""
    points: list[EntryPoint] = []
    seen: set[tuple[str, str]] = set()
    for point in sorted(_installed().select(group=group), key=lambda p: p.name):
        # One registration found twice (a stale `labellint.egg-info` from before the distribution
        # was renamed labellint-git, beside the installed one) is one plugin, not a clash.
        if (point.name, point.value) in seen:
            continue
        seen.add((point.name, point.value))
        points.append(point)
    return points


def is_builtin(point: EntryPoint) -> bool:
    """Whether an entry point names labellint's own code (loaded only when used, to start fast)."""
    return point.value.startswith("labellint.")


def load_points(group: str, points: list[EntryPoint]) -> tuple[list[tuple[str, Any]], list[BrokenPlugin]]:
    """(name, object) for each entry point that imports, and the ones that failed to."""
    loaded: list[tuple[str, Any]] = []
    broken: list[BrokenPlugin] = []
    for point in points:
        try:
            loaded.append((point.name, point.load()))
        except Exception as exc:  # a plugin's import error must not take the built-ins down
            broken.append(BrokenPlugin(group, point.name, point.value, f"{type(exc).__name__}: {exc}"))
    return loaded, broken


def load_group(group: str) -> tuple[list[tuple[str, Any]], list[BrokenPlugin]]:
    """Every (name, object) registered under `group`, and the ones that failed to import."""
    return load_points(group, group_points(group))


def load_module(path: Path, prefix: str = "labellint_local", announce: str | None = None) -> ModuleType:
    """Imports a Python file as a module (a local plugin named in the config); raises what it raises.
    With `announce` (the config naming it), one stderr line says so whenever the file is run, so a
    reviewer running labellint on a cloned repository sees which code it executes."""
    name = f"{prefix}_{hashlib.sha1(str(path.resolve()).encode(), usedforsecurity=False).hexdigest()[:8]}_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} is not a Python module")
    if announce is not None:
        print(f"labellint: loading local plugin {from_cwd(path)} (from {announce})", file=sys.stderr)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
