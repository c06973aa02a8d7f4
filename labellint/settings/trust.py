"""What one run may trust: configs found by searching, and the Python files a config names."""

from __future__ import annotations

import os
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Trust:
    """`isolated`: no config file is searched for (ruff's --isolated); `plugins`: third-party code
    may be imported, the local rule modules a config names and other distributions' entry-point
    plugins (they run code, so a reviewer can turn them off)."""

    isolated: bool = False
    plugins: bool = True


_TRUST: ContextVar[Trust | None] = ContextVar("labellint_trust", default=None)
_TRUE = {"1", "true", "yes", "on"}


def set_trust(trust: Trust | None) -> None:
    """Set by the command line for one run (`--isolated`, `--no-plugins`); None resets it."""
    _TRUST.set(trust)


def current_trust() -> Trust:
    """The run's trust, tightened by LABELLINT_ISOLATED / LABELLINT_NO_PLUGINS (for CI jobs
    that run on code from forks)."""
    trust = _TRUST.get() or Trust()
    isolated = trust.isolated or os.environ.get("LABELLINT_ISOLATED", "").lower() in _TRUE
    plugins = trust.plugins and os.environ.get("LABELLINT_NO_PLUGINS", "").lower() not in _TRUE
    return Trust(isolated, plugins)
