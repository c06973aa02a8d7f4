"""`init`: scaffold labelspec.yaml and labellint.toml from existing labels (never over existing files)."""

from __future__ import annotations

import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from labellint.commands.init_datasets import DatasetGlobs, dataset_globs
from labellint.commands.labels import LabelSelection, read_dataset
from labellint.errors import UsageError
from labellint.settings.config import Config
from labellint.sources import WorkTree
from labellint.support.atomic import write_atomically

SPEC_NAME = "labelspec.yaml"
CONFIG_NAME = "labellint.toml"
PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_ -]*$")


@dataclass(slots=True)
class InitRequest:
    """Where the existing labels are, the reader to force, and the folder to write into."""

    source: str = "."
    reader: str | None = None
    here: Path | None = None


@dataclass(slots=True)
class InitResult:
    """What was written, and what the labels held."""

    classes: int
    annotations: int
    items: int
    read_problems: int
    # What the spec could not take from the labels as they are (an id two classes share), said once each.
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "spec": SPEC_NAME,
            "config": CONFIG_NAME,
            "classes": self.classes,
            "annotations": self.annotations,
            "items": self.items,
            "read_problems": self.read_problems,
            "notes": self.notes,
        }


def run_init(request: InitRequest) -> InitResult:
    """Reads the labels and writes the scaffolded spec and config beside the working folder."""
    here = request.here or Path.cwd()
    existing = [name for name in (SPEC_NAME, CONFIG_NAME) if (here / name).exists()]
    if existing:
        raise UsageError(
            f"{' and '.join(existing)} already exist{'s' if len(existing) == 1 else ''} here; "
            "init never overwrites (move the file away to scaffold a new one)"
        )
    if request.reader:
        from labellint.readers import get_reader

        get_reader(request.reader)  # an unknown name is a usage error before any reading
    selection = LabelSelection(paths=[request.source], reader=request.reader)
    dataset, crashes = read_dataset(selection, Config(root=here), None, WorkTree())
    if dataset.n_items == 0 and not dataset.files:
        raise UsageError(f"{request.source}: no label files found to scaffold from")
    notes: list[str] = []
    spec_text = scaffold_spec(dataset, request.source, notes)
    if "\n  # class " not in spec_text:
        # A spec with no classes scaffolds nothing: say why instead of writing an empty one.
        raise UsageError(_no_classes(request.source, dataset, crashes))
    config_text = scaffold_config(dataset_globs(dataset.files, here, Path.cwd()))
    write_new(here / SPEC_NAME, spec_text)
    write_new(here / CONFIG_NAME, config_text)
    classes = spec_text.count("\n  # class ")
    return InitResult(classes, dataset.n_annotations, dataset.n_items, len(dataset.issues) + len(crashes), notes)


def _no_classes(source: str, dataset, crashes) -> str:
    """`labels/: no classes found in 1 label file (labels/a.csv:1: ...); nothing written`."""
    found = f"no classes found in {_count(len(dataset.files), 'label file')}"
    if not dataset.n_annotations and not dataset.issues and not crashes:
        # Read fine, but nothing is labelled and the format declares no class list (Label Studio, JSONL).
        hold, declare = ("holds", "declares") if len(dataset.files) == 1 else ("hold", "declare")
        return (
            f"{source}: {_count(len(dataset.files), 'label file')} with {_count(dataset.n_items, 'item')} "
            f"{hold} no annotations and {declare} no classes, so there is no class list to scaffold; nothing "
            "written (label some items first, or write labelspec.yaml by hand: labellint spec --help)"
        )
    first = None
    if dataset.issues:
        where = dataset.issues[0].location
        first = f"{where.path}{f':{where.line}' if where.line else ''}: {dataset.issues[0].message}"
    elif crashes:
        first = f"{crashes[0].source}: {crashes[0].error}"
    hint = f" ({first})" if first else ""
    return f"{source}: {found}{hint}; nothing written (is --reader right?)"


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


def _class_tallies(dataset) -> tuple[dict[str, set], Counter, Counter]:
    """Per spec class name: the ids the labels write it with, its annotations and its items."""
    import numpy as np

    by_index = dataset.files and dataset.files[0].meta.get("names") == "index"
    # YOLO without names: the spec's ids will name them.
    names = [f"class_{ref.source_id}" if by_index else ref.name for ref in dataset.classes]
    # One spec class per name; a name written with several ids (merged sources) gets no id.
    ids_by_name: dict[str, set] = {}
    for name, ref in zip(names, dataset.classes, strict=True):
        ids_by_name.setdefault(name, set()).add(ref.source_id)
    order = list(ids_by_name)
    known = dataset.ann_class >= 0
    # Counted per name, so an item with boxes of two ids that share a name is one item of it.
    name_of = np.array([order.index(name) for name in names] or [0], np.int64)[dataset.ann_class[known]]
    counts = np.bincount(name_of, minlength=len(order))
    pairs = np.unique(np.stack([name_of, dataset.ann_item[known]]), axis=1)
    items = np.bincount(pairs[0], minlength=len(order))
    count_by_name: Counter[str] = Counter({name: int(counts[k]) for k, name in enumerate(order)})
    items_by_name: Counter[str] = Counter({name: int(items[k]) for k, name in enumerate(order)})
    for raw in sorted({v for v in dataset.unresolved_class.values() if isinstance(v, int)}):
        ids_by_name.setdefault(f"class_{raw}", set()).add(raw)
        count_by_name[f"class_{raw}"] += sum(1 for v in dataset.unresolved_class.values() if v == raw)
    return ids_by_name, count_by_name, items_by_name


def _give_shared_ids_once(dataset, ids_by_name: dict[str, set]) -> dict[str, list[str]]:
    """An id the labels declare for several classes (LL003) goes to the first of them only, the
    one the annotations are read as: a spec where two classes share an id does not load. Returns,
    per class that lost an id, the TODO lines that say so."""
    owner: dict[object, str] = {}
    for ref in dataset.classes:
        if ref.source_id is not None and ref.name in ids_by_name:
            owner.setdefault(ref.source_id, ref.name)
    todo: dict[str, list[str]] = {}
    for name, ids in ids_by_name.items():
        for shared in sorted((i for i in ids if owner.get(i, name) != name), key=str):
            ids.discard(shared)
            todo.setdefault(name, []).append(
                f"    # TODO: the labels declare id {shared} for {owner[shared]!r} too (LL003), and read its"
                f" annotations as {owner[shared]!r}: give this class an id of its own, or merge it"
            )
    return todo


def _class_lines(name: str, ids: list, count: int, items: int, todo: list[str] | None = None) -> list[str]:
    # Declared by the labels (COCO categories, YOLO names, CVAT labels) but unused: kept, and said so.
    tally = f"{_count(count, 'annotation')} in {_count(items, 'item')}" if count else "declared by the labels, unused"
    lines = [f"  # class {name!r}: {tally}{' (0 annotations)' if not count else ''}", f"  {_yaml_key(name)}:"]
    lines += todo or []
    if len(ids) == 1 and type(ids[0]) is int:
        lines.append(f"    id: {ids[0]}")
    elif len(ids) > 1:
        lines.append(f"    # TODO: the labels write this class with several ids: {', '.join(map(str, ids))}")
    return [
        *lines,
        "    # definition: TODO - what this class means, in one or two sentences (LL401)",
        "    include: []  # TODO: at least 3 examples that ARE this class (LL402)",
        "    exclude: []  # TODO: at least 3 look-alikes that are NOT this class (LL402)",
    ]


SPEC_TAIL = [
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


def scaffold_spec(dataset, source: str, notes: list[str] | None = None) -> str:
    """The text of a labelspec.yaml for the classes found in `dataset` (counts as comments);
    what it could not take as the labels have it is added to `notes`."""
    ids_by_name, count_by_name, items_by_name = _class_tallies(dataset)
    todo = _give_shared_ids_once(dataset, ids_by_name)
    if notes is not None:
        notes += [
            f"class {name!r} is declared with an id another class has (LL003); the spec leaves it without that id"
            for name in todo
        ]
        notes += [
            f"class {name!r} is written with several ids ({', '.join(map(str, sorted(ids, key=str)))}); "
            "the spec leaves its id to you (a TODO)"
            for name, ids in ids_by_name.items()
            if len(ids) > 1
        ]

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
        lines += _class_lines(name, ids, count_by_name[name], items_by_name[name], todo.get(name))
    return "\n".join(lines + SPEC_TAIL)


def scaffold_config(globs: DatasetGlobs) -> str:
    """The text of labellint.toml pointing at the scaffolded spec and at the label files read."""
    lines = [
        "# Scaffolded by `labellint init`; paths are relative to this file.",
        f'spec = "{SPEC_NAME}"',
        "# The datasets below are the whole dataset, so spec classes nobody uses are worth a warning.",
        'extend-select = ["LL301"]',
    ]
    if globs.exclude:
        lines += [
            "# Matched by the globs below but not label files (names files, image lists): not read.",
            f"exclude = [{', '.join(json.dumps(p) for p in globs.exclude)}]",
        ]
    lines.append("# One dataset per folder of label files init read, with the reader that read them.")
    for pattern, reader in globs.entries:
        lines += ["", "[[datasets]]", f"path = {json.dumps(pattern)}", f"reader = {json.dumps(reader)}"]
    return "\n".join(lines) + "\n"


def write_new(target: Path, text: str) -> None:
    """Writes a new file atomically and never over an existing one (a hard link fails if it exists)."""
    try:
        write_atomically(target, text, replace=False)
    except FileExistsError:
        raise UsageError(f"{target.name} appeared while init was running; not overwriting it") from None
