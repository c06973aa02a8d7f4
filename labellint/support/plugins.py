"""Loads objects registered under an entry-point group; a broken plugin is reported, not fatal."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
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


def _distribution(point: EntryPoint) -> str:
    dist = getattr(point, "dist", None)
    return (dist.metadata["Name"] or "") if dist is not None else ""


def is_builtin(point: EntryPoint) -> bool:
    """Registered by labellint itself, for a module inside the labellint package."""
    own = _distribution(point).lower().replace("_", "-") in OWN_DISTRIBUTIONS
    return own and point.module.split(".")[0] == "labellint"


def load_group(group: str, third_party: bool = True) -> tuple[list[tuple[str, Any]], list[BrokenPlugin]]:
    """Every (name, object) registered under `group`, and the ones that failed to import. Without
    `third_party` (--no-plugins), only labellint's built-ins are imported and one stderr line names
    the installed plugins skipped: a reviewer asking for no third-party code gets none."""
    loaded: list[tuple[str, Any]] = []
    broken: list[BrokenPlugin] = []
    seen: set[tuple[str, str]] = set()
    skipped: list[str] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        if not third_party and not is_builtin(point):
            skipped.append(f"{point.name} = {point.value} (from {_distribution(point) or 'an unknown distribution'})")
            continue
        # One registration found twice (a stale `labellint.egg-info` from before the distribution
        # was renamed labellint-git, beside the installed one) is one plugin, not a clash.
        if (point.name, point.value) in seen:
            continue
        seen.add((point.name, point.value))
        try:
            loaded.append((point.name, point.load()))
        except Exception as exc:  # a plugin's import error must not take the built-ins down
            broken.append(BrokenPlugin(group, point.name, point.value, f"{type(exc).__name__}: {exc}"))
    if skipped:
        stderr.note(f"not loading installed plugins (--no-plugins): {group}: {', '.join(skipped)}")
    return loaded, broken


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
