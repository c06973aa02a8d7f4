"""Reporter registry (entry-point group `labellint.reporters`)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint

from labellint.errors import UsageError
from labellint.reporters.base import RenderOptions, Reporter
from labellint.settings.trust import current_trust
from labellint.support.plugins import BrokenPlugin, group_points, is_builtin, load_points, trusted_points

__all__ = ["RenderOptions", "Reporter", "available_reporters", "get_reporter", "reporter_names"]

GROUP = "labellint.reporters"


@cache
def _builtins() -> dict[str, EntryPoint]:
    """labellint's own reporters by entry-point name, not imported yet (the HTML one pulls in
    Jinja2, Pillow and the readers: a `check` printing text must not pay for it)."""
    return {point.name: point for point in group_points(GROUP) if is_builtin(point)}


def _plugins() -> tuple[dict[str, Reporter], tuple[BrokenPlugin, ...]]:
    """Other packages' reporters, imported at once so a broken one is reported on every run
    (none under --no-plugins)."""
    return _trusted_plugins(current_trust().plugins)


@cache
def _trusted_plugins(third_party: bool) -> tuple[dict[str, Reporter], tuple[BrokenPlugin, ...]]:
    others = [p for p in group_points(GROUP) if not is_builtin(p)]
    return _instances(load_points(GROUP, trusted_points(GROUP, others, third_party)))


def _instances(group: tuple[list, list[BrokenPlugin]]) -> tuple[dict[str, Reporter], tuple[BrokenPlugin, ...]]:
    loaded, broken = group
    reporters: dict[str, Reporter] = {}
    for name, obj in loaded:
        if isinstance(obj, type) and issubclass(obj, Reporter):
            reporters[obj.name or name] = obj()
        else:
            broken.append(BrokenPlugin(GROUP, name, repr(obj), "not a Reporter subclass"))
    return reporters, tuple(broken)


@cache
def _builtin(name: str) -> tuple[dict[str, Reporter], tuple[BrokenPlugin, ...]]:
    return _instances(load_points(GROUP, [_builtins()[name]]))


def reporter_names() -> list[str]:
    """Every reporter's name, built in or a plugin, without importing the built-in ones."""
    return sorted({*_builtins(), *_plugins()[0]})


def available_reporters() -> dict[str, Reporter]:
    """Every reporter by name (imports all of them: for listing, not for one run's output)."""
    reporters = {}
    for name in _builtins():
        reporters.update(_builtin(name)[0])
    return dict(sorted({**reporters, **_plugins()[0]}.items()))


def broken_reporters() -> tuple[BrokenPlugin, ...]:
    """Reporter plugins that failed to load (a built-in one is reported when it is used)."""
    return _plugins()[1]


def get_reporter(name: str) -> Reporter:
    """The reporter called `name`; a usage error listing the known ones otherwise."""
    plugins = _plugins()[0]
    if name in plugins:
        return plugins[name]
    if name in _builtins():
        found, broken = _builtin(name)
        if name in found:
            return found[name]
        if broken:
            raise UsageError(f"output format {name!r} failed to load: {broken[0].error}")
    raise UsageError(f"unknown output format {name!r} (known: {', '.join(reporter_names())})")
