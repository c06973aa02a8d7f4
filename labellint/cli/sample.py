"""`labellint sample`: a seeded, stratified review queue plus every unsure label."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import write_output


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rate", default=0.03, show_default=True, type=float, help="Share of each class to review (0.02-0.05).")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed and labels: same sample.")
@click.option("--since", metavar="REV", help="Sample only the labels added or changed since REV.")
@click.option("--spec", "spec_file", metavar="FILE", help="Label spec (for the unsure path) [default: found].")
@click.option("--reader", metavar="NAME", help="Force the reader for the label files.")
@click.option("--format", "output_format", type=click.Choice(["csv", "jsonl"]), help="[default: by --output, else csv]")
@click.option("--output", "-o", metavar="FILE", help="Write the queue to FILE (.csv or .jsonl) instead of stdout.")
@click.option("--labelstudio", metavar="FILE", help="Also write a Label Studio import file (tasks JSON).")
def sample(paths, rate, seed, since, spec_file, reader, output_format, output, labelstudio) -> None:
    """A reproducible review queue from the label files in PATHS.

    Draws RATE of the labels of every class (at least one per class, stratified so rare
    classes are reviewed too) with a seeded hash of each label's identity, so the draw does
    not depend on file order; then adds 100% of the labels on the spec's unsure path.
    """
    import numpy as np

    from labellint.cli._common import resolve_settings
    from labellint.cli._labels import read_labels, source_for
    from labellint.errors import UsageError
    from labellint.quality.from_dataset import content_keys, unsure_mask
    from labellint.quality.review_queue import labelstudio_tasks, present_in, queue_row, render_queue
    from labellint.quality.sampling import stratified_sample

    if not 0 < rate <= 1:
        raise UsageError(f"--rate must be in (0, 1], got {rate}")
    settings = resolve_settings(None, spec_file, Path(paths[0]))
    dataset = read_labels(list(paths), source_for(None, Path(paths[0])), settings.spec, reader)
    if dataset.n_annotations == 0:
        raise UsageError(f"no labels found in {', '.join(paths)}")
    keys = content_keys(dataset)
    eligible = None
    if since:
        base = read_labels(list(paths), source_for(since, Path(paths[0])), settings.spec, reader)
        eligible = ~present_in(keys, content_keys(base))
    unsure = unsure_mask(dataset, settings.spec)
    identities = [dataset.annotation_identity(a) for a in range(dataset.n_annotations)]
    chosen, drawn = stratified_sample(
        dataset.ann_class.astype("int64"), np.asarray(identities, dtype=object), rate, seed, eligible, unsure
    )
    rows = [queue_row(dataset, int(a), "sample" if d else "unsure") for a, d in zip(chosen, drawn, strict=True)]
    fmt = output_format or ("jsonl" if output and output.endswith(".jsonl") else "csv")
    write_output(render_queue(rows, fmt), output)
    if labelstudio:
        write_output(json.dumps(labelstudio_tasks(dataset, chosen, drawn), indent=1) + "\n", labelstudio)
    n_pool = dataset.n_annotations if eligible is None else int(eligible.sum())
    click.echo(
        f"labellint: {int(drawn.sum())} of {n_pool} {'changed ' if since else ''}labels drawn (rate {rate}, "
        f"seed {seed}) + {int((~drawn).sum())} unsure = {len(rows)} to review",
        err=True,
    )
