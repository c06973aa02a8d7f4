"""Reporter registry (entry-point group `labellint.reporters`)."""

from __future__ import annotations

from functools import cache

from labellint.errors import UsageError
from labellint.reporters.base import RenderOptions, Reporter
from labellint.settings.trust import current_trust
from labellint.support.plugins import BrokenPlugin, load_group

__all__ = ["RenderOptions", "Reporter", "available_reporters", "get_reporter"]


@cache
def _registry(third_party: bool) -> tuple[dict[str, Reporter], tuple[BrokenPlugin, ...]]:
    loaded, broken = load_group("labellint.reporters", third_party)
    reporters: dict[str, Reporter] = {}
    for name, obj in loaded:
        if isinstance(obj, type) and issubclass(obj, Reporter):
            reporters[obj.name or name] = obj()
        else:
            broken.append(BrokenPlugin("labellint.reporters", name, repr(obj), "not a Reporter subclass"))
    return reporters, tuple(broken)


def available_reporters() -> dict[str, Reporter]:
    return _registry(current_trust().plugins)[0]


def broken_reporters() -> tuple[BrokenPlugin, ...]:
    """Reporter plugins that failed to load."""
    return _registry(current_trust().plugins)[1]


def get_reporter(name: str) -> Reporter:
    """The reporter called `name`; a usage error listing the known ones otherwise."""
    reporters = available_reporters()
    if name not in reporters:
        raise UsageError(f"unknown output format {name!r} (known: {', '.join(sorted(reporters))})")
    return reporters[name]
