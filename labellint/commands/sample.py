"""`sample`: a seeded, stratified review queue of the labels, plus every label on the unsure path."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from labellint.commands.labels import LabelSelection, anchor_of, read_labels, selection_paths, source_for
from labellint.errors import UsageError
from labellint.quality.review_queue import (
    SAMPLE_COLUMNS,
    QueueEntry,
    annotation_region,
    head_commit,
    labelstudio_tasks,
    present_in,
    queue_row,
    render_rows,
)
from labellint.settings.resolve import Settings


@dataclass(slots=True)
class SampleRequest:
    """Which labels, how much of each class to draw, and from which change."""

    paths: list[str]
    settings: Settings
    rate: float = 0.03
    seed: int = 0
    since: str | None = None
    reader: str | None = None


@dataclass(slots=True)
class SampleResult:
    """The queued labels (drawn, then unsure) and how large the pool was."""

    rows: list[dict]
    entries: list[QueueEntry]
    drawn: int
    unsure: int
    pool: int
    dataset: object = field(repr=False, default=None)

    def to_json(self) -> list[dict]:
        return self.rows

    def queue(self, fmt: str) -> str:
        """The queue as CSV or JSONL."""
        return render_rows(self.rows, SAMPLE_COLUMNS, fmt)

    def labelstudio(self) -> list[dict]:
        """One Label Studio task per sampled item, its current labels as a prediction to review."""
        return labelstudio_tasks(self.dataset, self.entries, "labellint-sample", "queued")

    def cvat(self) -> tuple[str, list[str]]:
        """The queue as a CVAT for images 1.1 XML task (boxes pre-annotated), and notes on labels left out."""
        from labellint.quality.cvat_queue import cvat_task

        return cvat_task(self.dataset, self.entries, "labellint sample queue")


def run_sample(request: SampleRequest) -> SampleResult:
    """Draws `rate` of every class's labels (at least one per class) by a seeded hash of each
    label's identity, so the draw does not depend on file order; then adds every unsure label."""
    from labellint.quality.from_dataset import content_keys, unsure_mask
    from labellint.quality.sampling import stratified_sample

    if not 0 < request.rate <= 1:
        raise UsageError(f"--rate must be in (0, 1], got {request.rate}")
    paths, spec, config = list(request.paths), request.settings.spec, request.settings.config
    selection = LabelSelection(paths, request.reader)
    anchor = anchor_of(selection, config)
    dataset = read_labels(paths, source_for(None, anchor), spec, request.reader, config)
    if dataset.n_annotations == 0:
        raise UsageError(f"no labels found in {', '.join(selection_paths(selection, config))}")
    keys = content_keys(dataset)
    eligible = None
    if request.since:
        base = read_labels(paths, source_for(request.since, anchor), spec, request.reader, config)
        eligible = ~present_in(keys, content_keys(base))
    identities = np.asarray([dataset.annotation_identity(a) for a in range(dataset.n_annotations)], dtype=object)
    classes = dataset.ann_class.astype("int64")
    chosen, drawn = stratified_sample(
        classes, identities, request.rate, request.seed, eligible, unsure_mask(dataset, spec)
    )
    rows, entries = [], []
    commit = head_commit(anchor)
    for a, was_drawn in zip(chosen.tolist(), drawn.tolist(), strict=True):
        row = queue_row(dataset, int(a), "sample" if was_drawn else "unsure")
        rows.append(row)
        meta = {k: row[k] for k in ("annotation", "class", "reason", "path", "line", "pointer")}
        # What `review apply` needs to find this label again and to know it is unchanged since.
        meta.update(region=f"labellint-{a}", fingerprint=str(keys[a]), commit=commit)
        entries.append(QueueEntry(int(dataset.ann_item[a]), meta, annotation_region(dataset, int(a))))
    pool = dataset.n_annotations if eligible is None else int(eligible.sum())
    return SampleResult(rows, entries, int(drawn.sum()), int((~drawn).sum()), pool, dataset)
