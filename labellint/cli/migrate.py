"""`labellint migrate`: apply the spec's renames, merges and new ids to the label files."""

from __future__ import annotations

import json
import sys

import click

from labellint.cli._common import Choices, write_output


@click.command()
@click.option("--base", default="HEAD", show_default=True, metavar="REV", help="The spec the labels follow now.")
@click.option(
    "--path",
    "paths",
    multiple=True,
    metavar="PATH",
    help="Label files or folders (repeatable; default: the datasets in the config).",
)
@click.option("--spec", "spec_file", metavar="FILE", help="The label spec (default: as `check` finds it).")
@click.option("--config", "config_file", metavar="FILE", help="The config file (default: found walking up).")
@click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file).")
@click.option("--dry-run", is_flag=True, help="Write nothing; print the label diff the migration would make.")
@click.option("--drop-removed", is_flag=True, help="Delete annotations of removed classes (default: list them).")
@click.option("--queue", metavar="FILE", help="Write the review queue (.csv, .jsonl, or .json Label Studio tasks).")
@click.option(
    "--format", "--output-format", "output_format", type=Choices(["text", "json"]), default="text", show_default=True
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def migrate(base, paths, spec_file, config_file, reader, dry_run, drop_removed, queue, output_format, output) -> None:
    """Apply the spec's change since BASE to the label files, in place.

    Renamed and merged classes are relabelled and class ids remapped where the format writes
    them; annotations of removed classes are listed (deleted with --drop-removed); labels of
    split classes or changed definitions are left as written and queued for review (--queue).
    """
    from labellint.commands.migrate import MigrateRequest, run_migrate

    request = MigrateRequest(
        base=base,
        paths=list(paths),
        reader=reader,
        spec_file=spec_file,
        config_file=config_file,
        dry_run=dry_run,
        drop_removed=drop_removed,
        queue=queue,
    )
    result = run_migrate(request)
    if output_format == "json":
        text = json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = _render(result)
    write_output(text, output)
    sys.exit(0)


def _render(result) -> str:
    from labellint.diff.render import render_text

    verb = "would change" if result.diff is not None else "changed"
    lines = [f"migrate spec {result.base_version} ({result.base}) -> {result.head_version}"]
    lines += [f"  {c.kind}: {c.detail}" for c in result.applied]
    for edit in result.edits:
        if edit.new is None and not edit.listed:
            continue
        state = verb if edit.new is not None else "unchanged"
        lines.append(f"{edit.display}: {state}, {edit.relabelled} relabelled, {edit.renumbered} renumbered")
        for listed in edit.listed:
            lines.append(f"  {listed.where}: class '{listed.class_name}' {listed.reason}")
        lines += [f"  {note}" for note in edit.notes]
    if not result.changed_files:
        lines.append("nothing to migrate")
    for path in result.unwritable:
        lines.append(f"{path}: not migrated (labellint cannot write this format)")
    if result.review:
        where = f"written to {result.queue}" if result.queue else "pass --queue FILE to write it"
        lines.append(f"{len(result.review)} annotations need review (split or changed definition): {where}")
    text = "\n".join(lines) + "\n"
    if result.diff is not None:
        text += "\n" + render_text(result.diff, result.base, "migrated")
    return text
