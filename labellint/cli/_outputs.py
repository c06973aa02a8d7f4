"""Where `check` writes its reports: `--format` for stdout, `--output [FORMAT:]PATH` (repeatable)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from labellint.errors import UsageError


@dataclass(frozen=True, slots=True)
class Output:
    """One report to write: a reporter name and a path (None: stdout)."""

    reporter: str
    path: str | None


def auto_format(name: str) -> str:
    """`auto`: GitHub workflow commands under GitHub Actions, text elsewhere."""
    if name != "auto":
        return name
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def plan_outputs(output_format: str, outputs: tuple[str, ...]) -> list[Output]:
    """Every report a run writes. `--output FORMAT:PATH` adds a report in FORMAT; a plain
    `--output FILE` (at most one) sends the `--format` report there instead of stdout."""
    from labellint.reporters import get_reporter, reporter_names

    known = reporter_names()
    stdout_format = auto_format(output_format)
    get_reporter(stdout_format)  # fails early, naming the known formats
    plan: list[Output] = []
    plain: list[str] = []
    for value in outputs:
        prefix, sep, rest = value.partition(":")
        if sep and (prefix in known or prefix == "auto") and rest:
            plan.append(Output(auto_format(prefix), rest))
        elif sep and rest and len(prefix) > 1 and prefix.isidentifier():
            raise UsageError(f"--output {value}: unknown format {prefix!r} (known: {', '.join(sorted(known))})")
        else:
            plain.append(value)
    if len(plain) > 1:
        raise UsageError(f"--output without FORMAT: given {len(plain)} times; write others as FORMAT:PATH")
    plan.insert(0, Output(stdout_format, plain[0] if plain else None))
    paths = [o.path for o in plan if o.path not in (None, "-")]
    if len(set(paths)) != len(paths):
        raise UsageError("two --output values write the same file")
    return plan


def write_reports(
    report,
    plan: list[Output],
    *,
    color: bool | None,
    statistics: bool,
    quiet: bool = False,
    show_todos: bool = False,
    renderers=None,
) -> None:
    """Renders the report once per output; only stdout text is coloured. `renderers` maps a reporter
    name to a function of the output that renders it instead (the HTML page with the dataset)."""
    from labellint import __version__
    from labellint.cli._common import color_wanted, write_output
    from labellint.reporters import RenderOptions, get_reporter

    renderers = renderers or {}
    html = next((o.path for o in plan if o.reporter == "html" and o.path not in (None, "-")), None)
    for output in plan:
        to_stdout = output.path in (None, "-")
        use_color = to_stdout and color_wanted(color, sys.stdout)
        options = RenderOptions(
            color=use_color,
            statistics=statistics,
            version=__version__,
            quiet=quiet,
            show_todos=show_todos,
            html_report=html,
        )
        render = renderers.get(output.reporter)
        text = render(output) if render else get_reporter(output.reporter).render(report, options)
        write_output(text, output.path, color=use_color)
