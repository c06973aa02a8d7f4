"""`labellint init`: scaffold labelspec.yaml and labellint.toml from existing labels."""

from __future__ import annotations

import click

from labellint.support import stderr


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
    from labellint.support.wording import plural

    result = run_init(InitRequest(source, reader))
    click.echo(
        f"wrote {SPEC_NAME} ({plural(result.classes, 'class', 'classes')} from "
        f"{plural(result.annotations, 'annotation')} in {plural(result.items, 'item')}) and {CONFIG_NAME}; "
        "fill in the TODOs, then run `labellint check`"
    )
    stderr.notes(result.notes)
    if result.read_problems:
        stderr.warning(f"{plural(result.read_problems, 'label file')} had read problems; `labellint check` lists them")
