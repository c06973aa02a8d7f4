"""Reader registry (entry-point group `labellint.readers`) and picking a reader for each file."""

from __future__ import annotations

from functools import cache

from labellint.errors import PluginError, UsageError
from labellint.readers.base import Candidate, ReadContext, Reader
from labellint.settings.trust import current_trust
from labellint.support.plugins import BrokenPlugin, load_group

__all__ = ["Candidate", "ReadContext", "Reader", "available_readers", "get_reader", "sniff_reader"]


@cache
def _registry(third_party: bool) -> tuple[dict[str, Reader], tuple[BrokenPlugin, ...]]:
    loaded, broken = load_group("labellint.readers", third_party)
    readers: dict[str, Reader] = {}
    for name, obj in loaded:
        if not (isinstance(obj, type) and issubclass(obj, Reader)):
            broken.append(BrokenPlugin("labellint.readers", name, repr(obj), "not a Reader subclass"))
            continue
        readers[obj.name or name] = obj()
    return readers, tuple(broken)


def available_readers() -> dict[str, Reader]:
    """Every registered reader by name."""
    return _registry(current_trust().plugins)[0]


def broken_readers() -> tuple[BrokenPlugin, ...]:
    return _registry(current_trust().plugins)[1]


def get_reader(name: str) -> Reader:
    """The reader called `name`; a usage error that lists the known ones otherwise."""
    readers = available_readers()
    if name not in readers:
        known = ", ".join(sorted(readers)) or "none installed"
        raise UsageError(f"unknown reader {name!r} (known readers: {known})")
    return readers[name]


def sniff_reader(candidate: Candidate) -> Reader | None:
    """The first reader (in name order) that claims this file."""
    readers = available_readers()
    if not readers:
        raise PluginError("no readers are registered: is labellint installed (`pip install -e .`)?")
    for reader in readers.values():
        try:
            claimed = reader.claims(candidate)
        except Exception:  # a sniffer tripped by odd bytes has no evidence; the others may
            claimed = False
        if claimed:
            return reader
    return None
