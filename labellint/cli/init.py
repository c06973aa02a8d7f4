"""`labellint init`: scaffold labelspec.yaml and labellint.toml from existing labels."""

from __future__ import annotations

import click


@click.command("init")
@click.option(
    "--from",
    "source",
    default=".",
    show_default=True,
    metavar="FILE_OR_FOLDER",
    help="Existing labels to read the classes, ids and counts from.",
)
@click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file).")
def init(source: str, reader: str | None) -> None:
    """Write labelspec.yaml and labellint.toml here, scaffolded from existing labels.

    Classes, their ids and annotation counts come from the data; definitions, include and
    exclude examples and the unsure path are left as TODOs that the spec-quality rules
    (LL401-LL404) report until they are written. Existing files are never overwritten, and
    there is no --force: the spec is the team's hand-written prose, so replacing it must be a
    deliberate act (delete or move the file first).
    """
    from labellint.commands.init import CONFIG_NAME, SPEC_NAME, InitRequest, run_init

    result = run_init(InitRequest(source, reader))
    click.echo(
        f"wrote {SPEC_NAME} ({result.classes} classes from {result.annotations} annotations in "
        f"{result.items} items) and {CONFIG_NAME}; fill in the TODOs, then run `labellint check`"
    )
    if result.read_problems:
        click.echo(
            f"note: {result.read_problems} label files had read problems; `labellint check` lists them", err=True
        )
