"""`labellint diff` and `labellint log`: what a change did to the labels' meaning."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from labellint.cli._common import Choices, write_output
from labellint.support import stderr


def _common_options(function):
    options = [
        click.option(
            "--path",
            "paths",
            multiple=True,
            metavar="PATH",
            help="Label files or folders to compare (repeatable; default: the datasets in the config).",
        ),
        click.option("--spec", "spec_file", metavar="FILE", help="The label spec (default: as `check` finds it)."),
        click.option("--config", "config_file", metavar="FILE", help="The config file (default: found walking up)."),
        click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file)."),
        click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
        click.option(
            "--iou",
            type=click.FloatRange(0, 1, min_open=True),
            default=0.5,
            show_default=True,
            help="IoU at which two boxes of different versions are the same object.",
        ),
        click.option(
            "--tolerance",
            type=click.FloatRange(0),
            default=0.01,
            show_default=True,
            help="A box coordinate must change by more than this (pixels) to count as moved.",
        ),
        click.option(
            "--max-relabel",
            type=click.FloatRange(0, 1),
            default=None,
            metavar="FRACTION",
            help="LL505: largest share of annotations one change may relabel "
            "(default: [rules.LL505] max-fraction, else 0.2).",
        ),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when LL505 fires."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.command()
@click.argument("base")
@click.argument("head", required=False)
@_common_options
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "markdown", "html"]),
    default="text",
    show_default=True,
    help="Output format (html: a self-contained page with the relabel matrix as a heatmap).",
)
@click.option(
    "--limit",
    type=click.IntRange(0),
    default=20,
    show_default=True,
    help="Changed annotations listed in text and markdown (json lists all).",
)
def diff(
    base,
    head,
    paths,
    spec_file,
    config_file,
    reader,
    output,
    iou,
    tolerance,
    max_relabel,
    exit_zero,
    output_format,
    limit,
) -> None:
    """What the labels' meaning lost or gained from BASE to HEAD.

    BASE and HEAD are git revisions (HEAD defaults to the work tree), or two label files or
    folders. Items match by file name or id; annotations by id where ids survived, else by
    content (IoU, span overlap, item label); classes by name.
    """
    from labellint.commands.compare import run_diff
    from labellint.diff.render import render_markdown, render_text

    request = _request(paths, spec_file, config_file, reader, iou, tolerance, max_relabel)
    result = run_diff(request, base, head)
    if output_format == "json":
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif output_format == "markdown":
        text = render_markdown(result.diff, result.base, result.head, limit)
    elif output_format == "html":
        from labellint import __version__
        from labellint.reporters.html.diff_page import render_diff_html

        text = render_diff_html(result.diff, result.base, result.head, __version__)
    else:
        text = render_text(result.diff, result.base, result.head, limit)
    write_output(text, output)
    sys.exit(1 if result.diff.problems and not exit_zero else 0)


@click.command()
@click.argument("rev_range", metavar="[RANGE]", required=False, default="HEAD")
@_common_options
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="Output format (html: rework and class counts per commit, relabels over the range).",
)
@click.option("--max-count", "-n", type=click.IntRange(1), default=None, help="Show at most this many commits.")
def log(
    rev_range,
    paths,
    spec_file,
    config_file,
    reader,
    output,
    iou,
    tolerance,
    max_relabel,
    exit_zero,
    output_format,
    max_count,
) -> None:
    """The label-meaning diff of each commit in RANGE that touched label or spec files, newest first."""
    from labellint.commands.compare import run_log
    from labellint.diff.render import render_text

    request = _request(paths, spec_file, config_file, reader, iou, tolerance, max_relabel)
    result = run_log(request, rev_range, max_count)
    if output_format == "json":
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    elif output_format == "html":
        from labellint import __version__
        from labellint.reporters.html.diff_page import render_log_html

        text = render_log_html(result.entries, __version__)
    else:
        text = "\n".join(_log_block(entry, render_text) for entry in result.entries)
    write_output(text, output)
    sys.exit(1 if result.flagged and not exit_zero else 0)


def _log_block(entry, render_text) -> str:
    """One commit as `git log` shows it, then its label diff indented."""
    commit, result = entry.commit, entry.result
    message = "\n".join(f"    {line}" for line in commit.message.splitlines())
    body = render_text(result.diff, result.base[:10], result.head[:10], limit=5, class_limit=10)
    return (
        f"commit {commit.sha}\nAuthor: {commit.author} <{commit.email}>\nDate:   {commit.date}\n\n"
        f"{message}\n\n" + "".join(f"    {line}\n" if line else "\n" for line in body.splitlines())
    )


def _request(paths, spec_file, config_file, reader, iou, tolerance, max_relabel):
    from labellint.commands.compare import CompareRequest
    from labellint.settings.resolve import resolve_settings

    start = Path(paths[0]) if paths else Path.cwd()
    return CompareRequest(
        settings=resolve_settings(config_file, spec_file, start),
        paths=list(paths),
        reader=reader,
        iou=iou,
        tolerance=tolerance,
        max_relabel=max_relabel,
        progress=_progress() if sys.stderr.isatty() else (lambda _message: None),
        warn=stderr.warning,
    )


def _progress() -> Callable[[str], None]:
    """One overwritten status line on stderr, with the time since the start."""
    started = time.monotonic()

    def say(message: str) -> None:
        if not message:
            click.echo("\r\033[K", nl=False, err=True)
            return
        click.echo(f"\r\033[Klabellint: {message} ({time.monotonic() - started:.1f}s)", nl=False, err=True)

    return say
