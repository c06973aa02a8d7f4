"""`labellint review apply`: options and output only (logic in commands/review_apply.py)."""

from __future__ import annotations

import json
import sys

import click

from labellint.cli._common import Choices
from labellint.support import stderr


@click.group()
def review() -> None:
    """Bring reviewers' decisions back into the label files."""


@review.command("apply")
@click.argument("export", type=click.Path())
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--spec", "spec_file", metavar="FILE", help="Label spec (classes a relabel may use) [default: found].")
@click.option("--queue", metavar="FILE", help="For a CVAT XML EXPORT: the CVAT task `sample --cvat` wrote.")
@click.option(
    "--format", "--output-format", "output_format", type=Choices(["text", "json"]), default="text", show_default=True
)
def review_apply(export, dry_run, spec_file, queue, output_format) -> None:
    """Apply the decisions in a Label Studio JSON EXPORT of a `sample --labelstudio` queue (or a CVAT
    for images XML export of a `sample --cvat` task, with --queue) to COCO,
    YOLO, VOC or Label Studio label files: only the reviewed labels change (relabel, move, delete, a
    region drawn new added, an unsure mark resolved); a label changed since the queue was made stops
    the whole apply (exit 2, nothing written)."""
    from pathlib import Path

    from labellint.commands.review_apply import ReviewApplyRequest, run_review_apply
    from labellint.errors import UsageError
    from labellint.settings.resolve import resolve_settings

    try:
        spec = resolve_settings(None, spec_file, Path.cwd()).spec
        result = run_review_apply(ReviewApplyRequest(export, spec, dry_run, queue))
    except UsageError as exc:
        for line in exc.details or [exc.message]:
            stderr.error(line)
        sys.exit(2)
    if output_format == "json":
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    stderr.notes(result.notes)
    for path, changes in result.changes.items():
        for change in changes:
            detail = ", ".join(f"{k} {v}" for k, v in change.items() if k not in ("pointer", "line", "change"))
            where = change["pointer"] if "pointer" in change else f":{change['line']}" if change.get("line") else ""
            click.echo(f"{path}{where}: {change['change']} {detail}".rstrip())
    verb = "would change" if dry_run else "changed"
    total = sum(len(c) for c in result.changes.values())
    click.echo(
        f"{verb} {total} labels in {len(result.changes)} files ({result.reviewed_tasks} tasks reviewed, "
        f"{result.unreviewed_tasks} not yet)"
    )
