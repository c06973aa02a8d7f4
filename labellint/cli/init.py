"""`labellint init`: scaffold labelspec.yaml and labellint.toml from existing labels."""

from __future__ import annotations

import datetime
import json
import os
import re
from collections import Counter
from pathlib import Path

import click

from labellint.atomic import write_atomically
from labellint.errors import UsageError

SPEC_NAME = "labelspec.yaml"
CONFIG_NAME = "labellint.toml"
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_ -]*$")


@click.command("init")
@click.option(
    "--from",
    "source",
    default=".",
    show_default=True,
    metavar="FILE_OR_FOLDER",
    help="Existing labels to read the classes, ids and counts from.",
)
@click.option("--reader", metavar="NAME", help="Force the input format (default: sniff each file).")
def init(source: str, reader: str | None) -> None:
    """Write labelspec.yaml and labellint.toml here, scaffolded from existing labels.

    Classes, their ids and annotation counts come from the data; definitions, include and
    exclude examples and the unsure path are left as TODOs that the spec-quality rules
    (LL401-LL404) report until they are written. Existing files are never overwritten, and
    there is no --force: the spec is the team's hand-written prose, so replacing it must be a
    deliberate act (delete or move the file first).
    """
    from labellint.config import Config
    from labellint.runner import CheckRequest, read_dataset
    from labellint.sources import WorkTree

    here = Path.cwd()
    existing = [name for name in (SPEC_NAME, CONFIG_NAME) if (here / name).exists()]
    if existing:
        raise UsageError(
            f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''} here; "
            "init never overwrites (move the file away to scaffold a new one)"
        )
    if reader:
        from labellint.readers import get_reader

        get_reader(reader)  # an unknown name is a usage error before any reading
    request = CheckRequest(paths=[source], reader=reader)
    dataset, crashes = read_dataset(request, Config(root=here), None, WorkTree())
    if dataset.n_items == 0 and not dataset.files:
        raise UsageError(f"{source}: no label files found to scaffold from")
    readers = sorted({f.reader for f in dataset.files})
    spec_text = scaffold_spec(dataset, source)
    config_text = scaffold_config(source, readers[0] if len(readers) == 1 else reader)
    write_new(here / SPEC_NAME, spec_text)
    write_new(here / CONFIG_NAME, config_text)
    classes = spec_text.count("\n  # class ")
    click.echo(
        f"wrote {SPEC_NAME} ({classes} classes from {dataset.n_annotations} annotations in "
        f"{dataset.n_items} items) and {CONFIG_NAME}; fill in the TODOs, then run `labellint check`"
    )
    problems = len(dataset.issues) + len(crashes)
    if problems:
        click.echo(f"note: {problems} label files had read problems; `labellint check` lists them", err=True)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _task(dataset) -> str:
    if dataset.ann_keypoints:
        return "keypoints"
    if dataset.ann_segmentation:
        return "segmentation"
    if len(dataset.ann_span) and (dataset.ann_span[:, 0] >= 0).any():
        return "ner"
    if dataset.item_text:
        return "classification"
    return "detection"


def _yaml_key(name: str) -> str:
    """A class name as a YAML key: bare when safe, else a JSON (= YAML double-quoted) string."""
    reserved = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
    if PLAIN_KEY.match(name) and name.lower() not in reserved and not name.endswith(" "):
        return name
    return json.dumps(name)


def scaffold_spec(dataset, source: str) -> str:
    """The text of a labelspec.yaml for the classes found in `dataset` (counts as comments)."""
    import numpy as np

    known = dataset.ann_class >= 0
    counts = np.bincount(dataset.ann_class[known], minlength=len(dataset.classes))
    pairs = np.unique(np.stack([dataset.ann_class[known], dataset.ann_item[known]]), axis=1)
    items_per_class = np.bincount(pairs[0], minlength=len(dataset.classes))
    # One spec class per name; a name written with several ids (merged sources) gets no id.
    ids_by_name: dict[str, set] = {}
    count_by_name: Counter[str] = Counter()
    items_by_name: Counter[str] = Counter()
    for index, ref in enumerate(dataset.classes):
        name = ref.name
        if dataset.files and dataset.files[0].meta.get("names") == "index":
            name = f"class_{ref.source_id}"  # YOLO without names: the spec's ids will name them
        ids_by_name.setdefault(name, set()).add(ref.source_id)
        count_by_name[name] += int(counts[index])
        items_by_name[name] += int(items_per_class[index])
    for raw in sorted({v for v in dataset.unresolved_class.values() if isinstance(v, int)}):
        ids_by_name.setdefault(f"class_{raw}", set()).add(raw)
        count_by_name[f"class_{raw}"] += sum(1 for v in dataset.unresolved_class.values() if v == raw)

    def order(name: str) -> tuple:
        ids = [i for i in ids_by_name[name] if isinstance(i, int)]
        return (min(ids) if ids else float("inf"), name)

    today = datetime.date.today().isoformat()
    lines = [
        f"# Scaffolded by `labellint init --from {source}` on {today}: {dataset.n_items} items,",
        f"# {dataset.n_annotations} annotations. Every TODO is yours to write; `labellint check` reports",
        "# the missing definitions, examples and unsure path (LL401-LL404) until they are done.",
        "spec: 1",
        f"name: {_yaml_key(Path(source).resolve().name or 'dataset')}",
        "version: 0.1.0  # the version of the labels' MEANING; bump it when a definition changes",
        f"task: {_task(dataset)}",
        "# decision: TODO - the decision these labels serve, in one sentence",
        "classes:",
    ]
    for name in sorted(ids_by_name, key=order):
        ids = sorted(ids_by_name[name], key=str)
        count, items = count_by_name[name], items_by_name[name]
        lines.append(f"  # class {name!r}: {_count(count, 'annotation')} in {_count(items, 'item')}")
        lines.append(f"  {_yaml_key(name)}:")
        if len(ids) == 1 and type(ids[0]) is int:
            lines.append(f"    id: {ids[0]}")
        elif len(ids) > 1:
            lines.append(f"    # TODO: the labels write this class with several ids: {', '.join(map(str, ids))}")
        lines += [
            "    # definition: TODO - what this class means, in one or two sentences (LL401)",
            "    include: []  # TODO: at least 3 examples that ARE this class (LL402)",
            "    exclude: []  # TODO: at least 3 look-alikes that are NOT this class (LL402)",
        ]
    lines += [
        "# unsure:  # TODO: the safe path for ambiguous samples (LL403), for example:",
        "#   attribute: unsure",
        "#   criteria: [TODO - when a labeller should mark a sample unsure instead of guessing]",
        "geometry:  # dataset-wide defaults; a class may override them",
        "  inside_image: {tolerance: 0.5}  # pixels a box may reach past the image edge",
        "  duplicate_iou: 0.9  # same class at or above this IoU: duplicate (LL205)",
        "  conflict_iou: 0.9  # different classes at or above this IoU: conflict (LL206)",
        "changelog:",
        "  - {version: 0.1.0, changes: Scaffolded from the existing labels by labellint init.}",
        "",
    ]
    return "\n".join(lines)


def scaffold_config(source: str, reader: str | None) -> str:
    """The text of labellint.toml pointing at the scaffolded spec and the labels."""
    path = Path(source)
    relative = os.path.relpath(path.resolve(), Path.cwd().resolve()) if path.is_absolute() else source
    lines = [
        "# Scaffolded by `labellint init`; paths are relative to this file.",
        f'spec = "{SPEC_NAME}"',
        "# The datasets below are the whole dataset, so spec classes nobody uses are worth a warning.",
        'extend-select = ["LL301"]',
        "",
        "[[datasets]]",
        f"path = {json.dumps(Path(relative).as_posix())}",
    ]
    if reader:
        lines.append(f'reader = "{reader}"')
    return "\n".join(lines) + "\n"


def write_new(target: Path, text: str) -> None:
    """Writes a new file atomically and never over an existing one (a hard link fails if it exists)."""
    try:
        write_atomically(target, text, replace=False)
    except FileExistsError:
        raise UsageError(f"{target.name} appeared while init was running; not overwriting it") from None
