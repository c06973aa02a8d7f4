"""Helpers shared by the click commands: writing output (atomically to files), list and choice options, colour."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import click

from labellint.errors import UsageError
from labellint.support.atomic import write_atomically
from labellint.support.paths import from_cwd


def display_path(path: Path) -> str:
    """A path as labellint prints it (relative to the working folder)."""
    return from_cwd(path)


def write_output(text: str, output: str | None, *, color: bool | None = None) -> None:
    """Prints to stdout (keeping ANSI colours only when `color`), or writes a file atomically."""
    if output is None or output == "-":
        click.echo(text, nl=False, color=color)
        return
    target = Path(output)
    if not target.exists() and target.parent and not target.parent.exists():
        raise UsageError(f"{output}: the folder does not exist")
    write_atomically(target, text)


def split_list(values: tuple[str, ...]) -> list[str]:
    """Repeatable options that also accept comma-separated lists: `--select LL2,LL101`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


class Choices(click.Choice):
    """A choice whose error lists every value and names the nearest one (`sarf`: did you mean `sarif`?)."""

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(unknown_value(value, [str(c) for c in self.choices]), param, ctx)


class ReporterChoice(click.ParamType):
    """`check --format`: a reporter (built in or a plugin, so known only at run time) or `auto`."""

    name = "format"

    def names(self) -> list[str]:
        from labellint.reporters import reporter_names

        return [*reporter_names(), "auto"]

    def convert(self, value, param, ctx):
        if value not in self.names():
            self.fail(unknown_value(value, self.names()), param, ctx)
        return value

    def shell_complete(self, ctx, param, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(name) for name in self.names() if name.startswith(incomplete)]


def unknown_value(value: str, known: list[str]) -> str:
    """`'sarf' is not one of text, json, sarif (did you mean 'sarif'?)`."""
    near = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return f"{value!r} is not one of {', '.join(known)}{hint}"


def color_wanted(flag: bool | None, stream) -> bool:
    """--color/--no-color, else NO_COLOR (set and not empty: never), else FORCE_COLOR (set, not
    empty, not 0: always), else only on a terminal (https://no-color.org, force-color.org)."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return stream.isatty()
