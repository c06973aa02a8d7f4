"""`labellint sample`: a seeded, stratified review queue plus every unsure label."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import Choices, write_output
from labellint.support import stderr


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--rate", default=0.03, show_default=True, type=float, help="Share of each class to review (0.02-0.05).")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed and labels: same sample.")
@click.option("--since", metavar="REV", help="Sample only the labels added or changed since REV.")
@click.option("--spec", "spec_file", metavar="FILE", help="Label spec (for the unsure path) [default: found].")
@click.option("--reader", metavar="NAME", help="Force the reader for the label files.")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["csv", "jsonl"]),
    help="[default: by --output, else csv]",
)
@click.option("--output", "-o", metavar="FILE", help="Write the queue to FILE (.csv or .jsonl) instead of stdout.")
@click.option("--labelstudio", metavar="FILE", help="Also write a Label Studio import file (tasks JSON).")
@click.option("--cvat", metavar="FILE", help="Also write a CVAT for images 1.1 XML task (boxes pre-annotated).")
def sample(paths, rate, seed, since, spec_file, reader, output_format, output, labelstudio, cvat) -> None:
    """A reproducible review queue from the label files in PATHS.

    Draws RATE of the labels of every class (at least one per class, stratified so rare
    classes are reviewed too) with a seeded hash of each label's identity, so the draw does
    not depend on file order; then adds 100% of the labels on the spec's unsure path.
    """
    from labellint.commands.sample import SampleRequest, run_sample
    from labellint.settings.resolve import resolve_settings

    settings = resolve_settings(None, spec_file, Path(paths[0]) if paths else Path.cwd())
    result = run_sample(SampleRequest(list(paths), settings, rate, seed, since, reader))
    fmt = output_format or ("jsonl" if output and output.endswith(".jsonl") else "csv")
    stderr.notes(getattr(result.dataset, "notes", []))
    write_output(result.queue(fmt), output)
    if labelstudio:
        write_output(json.dumps(result.labelstudio(), indent=1) + "\n", labelstudio)
    if cvat:
        text, notes = result.cvat()
        stderr.notes(notes)
        write_output(text, cvat)
    stderr.note(
        f"{result.drawn} of {result.pool} {'changed ' if since else ''}labels drawn (rate {rate}, "
        f"seed {seed}) + {result.unsure} unsure = {len(result.rows)} to review"
    )
