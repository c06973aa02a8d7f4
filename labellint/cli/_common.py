"""Helpers shared by the click commands: writing output (atomically to files), list options."""

from __future__ import annotations

from pathlib import Path

import click

from labellint.errors import UsageError
from labellint.support.atomic import write_atomically
from labellint.support.paths import from_cwd


def display_path(path: Path) -> str:
    """A path as labellint prints it (relative to the working folder)."""
    return from_cwd(path)


def write_output(text: str, output: str | None) -> None:
    """Prints to stdout, or writes a file atomically (temp file + rename)."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    target = Path(output)
    if not target.exists() and target.parent and not target.parent.exists():
        raise UsageError(f"{output}: the folder does not exist")
    write_atomically(target, text)


def split_list(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists: `--select LL2,LL101`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
