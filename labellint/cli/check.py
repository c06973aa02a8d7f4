"""`labellint check`: lint label files against the spec."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from labellint.cli._adopt import adoption_options, fill_request, report_broken_plugins
from labellint.cli._common import ReporterChoice, split_list
from labellint.cli._parallel import parallel_options, parallel_request
from labellint.support import stderr


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
    "--output-format",
    "output_format",
    type=ReporterChoice(),
    default="text",
    show_default=True,
    help="Output format: text, json, sarif, github, markdown, junit, gitlab, html, a plugin's, or auto (github "
    "under GitHub Actions).",
)
@click.option(
    "--output",
    "-o",
    multiple=True,
    metavar="[FORMAT:]PATH",
    help="Write a FORMAT report to PATH (repeatable); a bare PATH takes the --format report instead of stdout.",
)
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules (codes, prefixes, names, ALL).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Run these rules too.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Do not run these rules.")
@click.option("--statistics", is_flag=True, help="Add counts per rule.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when errors are found.")
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text output (default: on a terminal, unless NO_COLOR is set; FORCE_COLOR forces it).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print the problems only: no summary line, no notes.")
@click.option(
    "--show-todos",
    is_flag=True,
    help="List the spec's TODO warnings (LL401-LL403) one per line; by default the text report counts them "
    "per rule (also shown when --select names them).",
)
@click.option("--changed-since", metavar="REV", help="Report per-file problems only for files changed since REV.")
@click.option("--staged", is_flag=True, help="Report per-file problems only for files staged for commit.")
@click.option(
    "--changed-paths",
    is_flag=True,
    help="PATHS are the changed files (as pre-commit passes them): check the config's datasets, "
    "report per-file problems only for PATHS.",
)
@parallel_options
# Off by default: a cold run pays for writing every file's entry (2.3x a plain run on 100k YOLO
# files, benchmarks/RESULTS.md), and CI runs are always cold; a work tree checked again and again
# (the pre-commit hook, an editor) opts in.
@click.option(
    "--cache/--no-cache",
    default=False,
    envvar="LABELLINT_CACHE",
    help="Keep what each label file gave in .labellint_cache/ and re-read only changed files "
    "(env LABELLINT_CACHE=1). Default: off.",
)
@adoption_options
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
    quiet=False,
    show_todos=False,
    changed_since=None,
    staged=False,
    changed_paths=False,
    cache=False,
    **adoption,
) -> None:
    """Lint label files (PATHS, or the datasets in the config) against the label spec."""
    from labellint.cli._outputs import plan_outputs, write_reports
    from labellint.commands.check import CheckRequest, run_check, settings_document
    from labellint.settings.resolve import resolve_settings

    plan = plan_outputs(output_format, output)
    start = Path(paths[0]) if paths else Path.cwd()
    settings = resolve_settings(config_file, spec_file, start)
    changed, paths = _changed(paths, start, settings, changed_since, staged, changed_paths)
    request = CheckRequest(
        paths=list(paths),
        reader=reader,
        select=split_list(select) or None,
        extend_select=split_list(extend_select),
        ignore=split_list(ignore),
        changed=changed,
        candidates=changed_paths,
        show_todos=show_todos,
        parallel=parallel_request(adoption),
        cache=cache,
    )
    fill_request(request, adoption)
    report_broken_plugins()
    if adoption.get("show_settings"):
        click.echo(settings_document(request, settings), nl=False)
        sys.exit(0)
    result = run_check(request, settings)
    report = result.report
    if not quiet:
        stderr.notes(report.notes)
    if request.update_baseline:
        # The problems went into the baseline: "All checks passed" on stdout would misread that.
        plan = [o for o in plan if o.path not in (None, "-")]
    renderers = _page_renderers(result, settings)
    options = {"quiet": quiet, "show_todos": result.show_todos, "renderers": renderers}
    write_reports(report, plan, color=color, statistics=statistics, **options)
    sys.exit(report.exit_code(exit_zero))


def _changed(paths, start: Path, settings, changed_since, staged: bool, changed_paths: bool):
    """What --changed-since/--staged or the hook's paths name, and the paths left to read."""
    changed = None
    if changed_since or staged:
        from labellint.sources.changed import changes_for

        changed = changes_for(start if start.is_dir() else start.parent, changed_since, staged)
    if changed_paths:
        from labellint.sources.changed import changes_from_paths, hook_paths

        changed = changes_from_paths(paths)
        paths = hook_paths(paths, bool(settings.config.datasets))
        if not paths and not settings.config.datasets:
            stderr.note("no label files among the changed files")
            sys.exit(0)
    return changed, paths


def _page_renderers(result, settings) -> dict:
    """`--output html:PATH` draws the dataset too, which a Reporter alone cannot see."""

    def html(output) -> str:
        from labellint.commands.report import html_for_check  # Jinja2 and Pillow only when asked

        return html_for_check(result, settings, output.path or "")[0]

    return {"html": html}
