"""`labellint spec diff|check|bump|affected`: the spec's meaning across versions, and its version number."""

from __future__ import annotations

import json
import sys

import click

from labellint.cli._common import Choices
from labellint.support import stderr
from labellint.support.wording import plural

SPEC_OPTION = click.option("--spec", "spec_file", metavar="FILE", help="The spec (default: config, else found upward).")
CONFIG_OPTION = click.option("--config", "config_file", metavar="FILE", help="The config file (default: found upward).")
FORMAT_OPTION = click.option(
    "--format", "--output-format", "output_format", type=Choices(["text", "json"]), default="text", show_default=True
)


def _change_lines(changes) -> list[str]:
    width = max((len(c.where) for c in changes), default=0)
    return [f"  {c.bump.value:<5}  {c.where:<{width}}  {c.detail} [{c.kind}]" for c in changes]


# ----------------------------------------------------------------------------- spec diff
@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_diff(base, head, spec_file, config_file, output_format) -> None:
    """What changed in the spec's MEANING from BASE to HEAD (git revisions or spec files; HEAD
    defaults to the work tree), each change with the bump it needs."""
    from labellint.commands.spec_diff import SpecDiffRequest, run_spec_diff

    result = run_spec_diff(SpecDiffRequest(base, head, spec_file, config_file))
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    changes = result.changes
    click.echo(
        f"spec {result.base_version} ({result.base}) -> {result.head_version} ({result.head}): "
        + (f"{len(changes)} change{'s' if len(changes) != 1 else ''} of meaning" if changes else "no change of meaning")
        + (f"; needs a {result.required.value} bump (made: {result.actual.value})" if changes else "")
    )
    for line in _change_lines(changes):
        click.echo(line)


# ----------------------------------------------------------------------------- spec check
@click.command("check")
@click.option(
    "--base",
    "base",
    default="HEAD",
    show_default=True,
    metavar="REV",
    help="Compare with this revision (as `spec bump` does; e.g. origin/main in CI).",
)
@click.option("--head", "head", metavar="REV", help="Compare this revision (default: the work tree).")
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_check_command(base, head, spec_file, config_file, output_format) -> None:
    """Does the version bump match the change of meaning since BASE, with a changelog entry?
    (LL501, LL502, LL504, LL506). Exit 1 when the bump or the changelog falls short."""
    from labellint.commands.spec_check import SpecCheckRequest, run_spec_check
    from labellint.reporters.text import format_problem

    result = run_spec_check(SpecCheckRequest(base, head, spec_file, config_file))
    stderr.notes(result.notes)
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
    else:
        if result.base_version is not None:
            click.echo(
                f"spec {result.base_version} ({base}) -> {result.head_version} ({result.head_label}): "
                f"the changes need {result.required.value}, the version made {result.actual.value}"
                + (" (enough under 0.x)" if result.ok and result.actual < result.required else "")
            )
        for line in _change_lines(result.changes):
            click.echo(line)
        for problem in result.report.problems:
            click.echo(format_problem(problem))
        for crash in result.report.crashes:
            click.echo(f"internal error: {crash.source} crashed: {crash.error}")
        verdict = "ok" if result.ok else f"failed ({plural(len(result.report.problems), 'problem')})"
        click.echo(f"spec check {verdict}: {result.spec_display}")
    sys.exit(3 if result.report.crashes else 0 if result.ok else 1)


# ----------------------------------------------------------------------------- spec bump
@click.command("bump")
@click.option(
    "--level",
    type=click.Choice(["auto", "major", "minor", "patch"]),
    default="auto",
    show_default=True,
    help="auto: the bump the changes since BASE need.",
)
@click.option("--base", "base", default="HEAD", show_default=True, metavar="REV", help="The last released spec.")
@click.option("--dry-run", is_flag=True, help="Show the edit; write nothing.")
@SPEC_OPTION
@CONFIG_OPTION
def spec_bump(level, base, dry_run, spec_file, config_file) -> None:
    """Write the new version and a changelog stub listing the changes since BASE (atomically;
    comments, key order and formatting of everything else are kept byte for byte)."""
    from labellint.commands.spec_bump import BumpRequest, Outcome, run_spec_bump

    result = run_spec_bump(BumpRequest(level, base, dry_run, spec_file, config_file))
    if result.outcome is Outcome.NO_CHANGE:
        click.echo(f"{result.display}: no change of meaning since {base}; nothing to bump ({result.current})")
    elif result.outcome is Outcome.UP_TO_DATE:
        click.echo(f"{result.display}: already at {result.target} with a changelog entry; nothing to do")
    elif result.outcome is Outcome.PLANNED:
        click.echo(result.edit, nl=False)
        click.echo(
            f"{result.display}: would bump {result.current} -> {result.target} ({_level(result)}); "
            "--dry-run wrote nothing"
        )
    else:
        click.echo(
            f"{result.display}: {result.current} -> {result.target} ({_level(result)}); changelog stub lists "
            f"{plural(result.changes, 'change')}: edit it to say why"
        )


def _level(result) -> str:
    """`major`, or `minor: a major change under 0.x` when the two differ."""
    if result.made is result.wanted:
        return result.wanted.value
    return f"{result.made.value}: a {result.wanted.value} change under 0.x"


# ----------------------------------------------------------------------------- spec affected
@click.command("affected")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--base", "base", required=True, metavar="REV", help="The spec version the labels were made under.")
@SPEC_OPTION
@CONFIG_OPTION
@FORMAT_OPTION
def spec_affected(paths, base, spec_file, config_file, output_format) -> None:
    """The items whose classes a MAJOR spec change since BASE touched: what to relabel (PATHS, or
    the config's datasets, as they are in the work tree)."""
    from labellint.commands.spec_affected import AffectedRequest, run_spec_affected

    result = run_spec_affected(AffectedRequest(base, list(paths), spec_file, config_file))
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    if not result.majors:
        click.echo(f"no major change of meaning since {base} ({result.base_version}): nothing to relabel")
        return
    for change in result.majors:
        click.echo(f"  {change.where}: {change.detail}")
    for item in result.items:
        name = f" ({item.name})" if item.name and item.name != item.item else ""
        click.echo(f"{item.path}: item {item.item}{name}: {', '.join(item.classes)}")
    scope = "every class" if result.touched is None else ", ".join(sorted(result.touched))
    click.echo(
        f"{len(result.items)} of {result.total} items to relabel since {base} ({result.base_version}); classes: {scope}"
    )
