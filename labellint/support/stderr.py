"""THE place labellint writes a line to stderr: `labellint: error: …`, `labellint: warning: …` or a note."""

from __future__ import annotations

import click

PROGRAM = "labellint"
# A note that says figures were computed from fewer files than were given is a warning.
LEFT_OUT = "figures leave out"


def error(message: str) -> None:
    """A fatal problem (the run stops, exit 2 or 3): `labellint: error: MESSAGE`."""
    _line(f"error: {message}")


def warning(message: str) -> None:
    """Something was left out or did not work, and the run goes on: `labellint: warning: MESSAGE`."""
    _line(f"warning: {message}")


def note(message: str) -> None:
    """What the run did or assumed (files skipped, a spec not found): `labellint: MESSAGE`."""
    _line(message)


def diagnostic(line: str) -> None:
    """A located problem, `PATH:LINE:COL: MESSAGE` as it is (the form editors and `grep PATH:` read)."""
    click.echo(line.replace("\n", "\\n"), err=True)


def notes(messages: list[str]) -> None:
    """A command's notes, each as a note or, when it says data was left out, as a warning."""
    for message in messages:
        (warning if message.startswith(LEFT_OUT) else note)(message)


def _line(text: str) -> None:
    # One line per message: a name with a newline in it must not split it (names are escaped
    # upstream; this is the last guard for the `grep labellint: warning:` a CI log is read with).
    click.echo(f"{PROGRAM}: {text}".replace("\n", "\\n"), err=True)
