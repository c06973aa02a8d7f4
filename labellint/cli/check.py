"""`labellint check`: lint label files against the spec."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labellint.cli._common import resolve_settings, split_list, write_output


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--spec",
    "spec_file",
    metavar="FILE",
    help="The label spec (default: config `spec`, else labelspec.yaml found walking up).",
)
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    help="The config file (default: labellint.toml or [tool.labellint] found walking up).",
)
@click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file).")
@click.option(
    "--format",
    "output_format",
    default="text",
    show_default=True,
    metavar="NAME",
    help="Output format: text, json.",
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules (codes, prefixes, names, ALL).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Run these rules too.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@click.option("--statistics", is_flag=True, help="Add counts per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when stdout is a terminal).")
def check(
    paths,
    spec_file,
    config_file,
    reader,
    output_format,
    output,
    select,
    extend_select,
    ignore,
    statistics,
    exit_zero,
    color,
) -> None:
    """Lint label files (PATHS, or the datasets in the config) against the label spec."""
    from labellint import __version__
    from labellint.reporters import RenderOptions, get_reporter
    from labellint.runner import CheckRequest, run_check

    reporter = get_reporter(output_format)
    start = Path(paths[0]) if paths else Path.cwd()
    settings = resolve_settings(config_file, spec_file, start)
    request = CheckRequest(
        paths=list(paths),
        reader=reader,
        select=split_list(select) or None,
        extend_select=split_list(extend_select),
        ignore=split_list(ignore),
    )
    report = run_check(request, settings.config, settings.spec, settings.spec_display)
    for note in report.notes:
        click.echo(f"labellint: {note}", err=True)
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    text = reporter.render(report, RenderOptions(color=use_color, statistics=statistics, version=__version__))
    write_output(text, output)
    sys.exit(report.exit_code(exit_zero))
