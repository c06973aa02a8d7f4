"""`labellint spec …`: validate the spec, print its JSON Schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from labellint.errors import SpecError
from labellint.support import stderr
from labellint.support.wording import plural


@click.group()
def spec() -> None:
    """Work with the label spec (labelspec.yaml)."""


@spec.command()
@click.argument("file", required=False, type=click.Path())
def validate(file: str | None) -> None:
    """Check that a spec file is valid; print every problem with its line."""
    from labellint.cli._common import display_path
    from labellint.spec.loader import find_spec, load_spec
    from labellint.support.paths import repository_root

    path = Path(file) if file else find_spec(Path.cwd(), repository_root(Path.cwd()))
    if path is None:
        raise SpecError("no labelspec.yaml found here or above; pass the spec file")
    try:
        loaded = load_spec(path, display_path(path))
    except SpecError as exc:
        for line in exc.details or [exc.message]:
            stderr.diagnostic(line)
        sys.exit(2)
    click.echo(
        f"{display_path(path)}: valid spec {loaded.name or ''} version {loaded.version} "
        f"({plural(len(loaded.classes), 'class', 'classes')})"
    )


@spec.command()
def schema() -> None:
    """Print the JSON Schema of labelspec.yaml (for editors)."""
    from labellint.spec.schema import spec_json_schema

    click.echo(json.dumps(spec_json_schema(), indent=2))
