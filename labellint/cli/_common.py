"""Helpers shared by commands: settings resolution and writing output atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

from labellint.atomic import write_atomically
from labellint.errors import SpecError, UsageError


@dataclass(slots=True)
class Resolved:
    """Config, spec and where they came from, after defaults < file < command line."""

    config: object
    spec: object | None
    spec_path: Path | None
    spec_display: str | None


def resolve_settings(config_file: str | None, spec_file: str | None, start: Path) -> Resolved:
    """Finds and loads the config and the spec; a missing file that was asked for is fatal."""
    from labellint.config import find_config, load_config, repository_root
    from labellint.spec.loader import find_spec, load_spec

    config_path = Path(config_file) if config_file else find_config(start)
    config = load_config(config_path)
    if spec_file:
        spec_path: Path | None = Path(spec_file)
    elif config.spec:
        spec_path = config.resolve(config.spec)
    else:
        search_from = config.root if config_path else (start if start.is_dir() else start.parent)
        spec_path = find_spec(search_from, repository_root(search_from))
    if spec_path is None:
        return Resolved(config, None, None, None)
    if not spec_path.is_file():
        raise SpecError(f"{display_path(spec_path)}: spec file not found")
    display = display_path(spec_path)
    return Resolved(config, load_spec(spec_path, display), spec_path, display)


def display_path(path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), Path.cwd().resolve())).as_posix()


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
