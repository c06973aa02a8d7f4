"""`labellint spec render|export`: options and output only (logic in commands/spec_share.py)."""

from __future__ import annotations

import click

from labellint.cli._common import Choices
from labellint.support import stderr

SPEC_OPTION = click.option("--spec", "spec_file", metavar="FILE", help="The spec (default: config, else found upward).")
CONFIG_OPTION = click.option("--config", "config_file", metavar="FILE", help="The config file (default: found upward).")
OUTPUT_OPTION = click.option("-o", "--output", metavar="FILE", help="Write here (default: standard output).")


def _share(kind: str, output: str | None, spec_file: str | None, config_file: str | None) -> None:
    from labellint.commands.spec_share import SpecShareRequest, run_spec_share

    result = run_spec_share(SpecShareRequest(kind, output, spec_file, config_file))
    if output is None:
        click.echo(result.text, nl=False)
    else:
        stderr.note(f"wrote {output} ({kind}, spec {result.spec_version}, {len(result.classes)} classes)")


@click.command("render")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["markdown", "html"]),
    default="markdown",
    show_default=True,
)
@OUTPUT_OPTION
@SPEC_OPTION
@CONFIG_OPTION
def spec_render(output_format, output, spec_file, config_file) -> None:
    """Write the labeling guidelines for annotators: every class's definition and examples, edge
    cases, priority rules, the unsure path, geometry rules in words, version and changelog."""
    _share(output_format, output, spec_file, config_file)


@click.command("export")
@click.option("--to", "tool", type=click.Choice(["labelstudio", "cvat"]), required=True)
@OUTPUT_OPTION
@SPEC_OPTION
@CONFIG_OPTION
def spec_export(tool, output, spec_file, config_file) -> None:
    """Write the annotation tool's labeling configuration from the spec (Label Studio XML config,
    CVAT labels JSON) so the tool and the spec never drift."""
    _share(tool, output, spec_file, config_file)
