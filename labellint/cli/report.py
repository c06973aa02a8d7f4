"""`labellint report`: write the self-contained HTML report of a check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labellint.cli._common import split_list
from labellint.cli._parallel import parallel_options, parallel_request
from labellint.support import stderr


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--spec", "spec_file", metavar="FILE", help="The label spec (default: found as `check` finds it).")
@click.option("--config", "config_file", metavar="FILE", help="The config file (default: found as `check` finds it).")
@click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file).")
@click.option("--output", "-o", default="report.html", show_default=True, metavar="PATH", help="The page to write.")
@click.option(
    "--max-images",
    default=200,
    show_default=True,
    type=click.IntRange(min=0),
    help="Items drawn in the gallery, at most.",
)
@click.option("--link-images", is_flag=True, help="Reference images by relative path instead of embedding thumbnails.")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules (codes, prefixes, names, ALL).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@parallel_options
def report(paths, spec_file, config_file, reader, output, max_images, link_images, select, ignore, **parallel) -> None:
    """Check label files (PATHS, or the config's datasets) and write one HTML page that works
    offline: summary, problems table, the flagged labels drawn on their images, plots and the spec.
    Exits 0 once written (3 if a rule crashed); `check` is the gate."""
    from labellint.cli._common import write_output
    from labellint.commands.report import ReportRequest, run_report
    from labellint.settings.resolve import resolve_settings

    start = Path(paths[0]) if paths else Path.cwd()
    settings = resolve_settings(config_file, spec_file, start)
    bar = _ProgressBar() if sys.stderr.isatty() else None
    request = ReportRequest(
        paths=list(paths),
        reader=reader,
        select=split_list(select) or None,
        ignore=split_list(ignore),
        output=output,
        max_images=max_images,
        link_images=link_images,
        progress=bar.update if bar else None,
        parallel=parallel_request(parallel),
    )
    result = run_report(request, settings)
    if bar:
        bar.close()
    report = result.check.report
    stderr.notes(report.notes)
    write_output(result.html, output)
    size = len(result.html.encode())
    stderr.note(f"wrote {output} ({size / 1e6:.2f} MB): {len(report.problems):,} problems, {result.drawn} items drawn")
    sys.exit(3 if report.crashes else 0)


class _ProgressBar:
    """`drawing images` with a bar on the terminal while the gallery is made."""

    def __init__(self) -> None:
        self.bar = None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="labellint: drawing images", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
