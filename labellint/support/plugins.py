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

from labellint.support import stderr
from labellint.support.paths import from_cwd


@dataclass(frozen=True, slots=True)
class BrokenPlugin:
    """An entry point that failed to load: its name, where it pointed, and why."""

    group: str
    name: str
    value: str
    error: str


# labellint's own distributions: their entry points are the built-ins, loaded even under --no-plugins.
OWN_DISTRIBUTIONS = {"labellint-git", "labellint"}


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


def _distribution(point: EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    return _distribution_name(dist) if dist is not None else ""


# Reading a distribution's METADATA once, not once per entry point it registers (start-up time).
_NAMES: dict[int, str] = {}


def _distribution_name(dist: Any) -> str:
    key = id(dist)
    if key not in _NAMES:
        _NAMES[key] = dist.metadata["Name"] or ""
    return _NAMES[key]


def is_builtin(point: EntryPoint) -> bool:
    """Registered by labellint itself, for a module inside the labellint package (built-ins are
    imported only when used, and are the only entry points loaded under --no-plugins)."""
    if point.module.split(".")[0] != "labellint":
        return False
    return _distribution(point).lower().replace("_", "-") in OWN_DISTRIBUTIONS


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


def trusted_points(group: str, points: list[EntryPoint], third_party: bool) -> list[EntryPoint]:
    """The points a run may import: all of them, or (--no-plugins) labellint's built-ins only, with
    one stderr line naming the installed plugins skipped: a reviewer asking for no third-party code
    gets none."""
    if third_party:
        return points
    skipped = [p for p in points if not is_builtin(p)]
    if skipped:
        named = [f"{p.name} = {p.value} (from {_distribution(p) or 'an unknown distribution'})" for p in skipped]
        stderr.note(f"not loading installed plugins (--no-plugins): {group}: {', '.join(named)}")
    return [p for p in points if is_builtin(p)]


def load_group(group: str, third_party: bool = True) -> tuple[list[tuple[str, Any]], list[BrokenPlugin]]:
    """Every (name, object) registered under `group` that the run trusts, and the ones that failed
    to import."""
    return load_points(group, trusted_points(group, group_points(group), third_party))


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
        stderr.note(f"loading local plugin {from_cwd(path)} (from {announce})")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
