"""`spec affected`: the items whose classes a MAJOR spec change touched, i.e. what to relabel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labellint.model import Dataset
from labellint.spec.diff import Amendment
from labellint.spec.model import LabelSpec
from labellint.spec.versioning import Bump


@dataclass(slots=True)
class AffectedItem:
    """An item to relabel: where it is written, its id (and file name), the touched classes on it."""

    path: str
    item: str
    name: str | None
    classes: list[str]


def touched_classes(changes: Sequence[Amendment], base: LabelSpec, head: LabelSpec) -> set[str] | None:
    """Class names (base and head) that MAJOR changes touch; None when one touches every class."""
    touched: set[str] = set()
    for change in changes:
        if change.bump is not Bump.MAJOR:
            continue
        if not change.classes:
            return None
        touched.update(change.classes)
    # Labels may still say a class by an alias of either side.
    for spec in (base, head):
        for name in list(touched):
            if name in spec.classes:
                touched.update(spec.classes[name].aliases)
    return touched


def affected_items(dataset: Dataset, touched: set[str] | None) -> list[AffectedItem]:
    """Items with at least one annotation of a touched class (every annotated item when None)."""
    if dataset.n_annotations == 0:
        return []
    names = np.array([c.name for c in dataset.classes] + [""], dtype=object)
    hit_class = np.ones(len(names), bool) if touched is None else np.isin(names, list(touched))
    hit = hit_class[dataset.ann_class] & (dataset.ann_item >= 0)
    out: list[AffectedItem] = []
    order = np.argsort(dataset.ann_item[hit], kind="stable")
    items, classes = dataset.ann_item[hit][order], dataset.ann_class[hit][order]
    if not len(items):
        return out
    starts = np.flatnonzero(np.r_[True, items[1:] != items[:-1]])
    ends = np.r_[starts[1:], len(items)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        item = int(items[start])
        location = dataset.item_location(item)
        out.append(
            AffectedItem(
                path=location.path or "",
                item=location.item or "",
                name=dataset.item_names[item] if item < len(dataset.item_names) else None,
                classes=sorted({str(names[c]) for c in classes[start:end].tolist()}),
            )
        )
    return out


@dataclass(slots=True)
class AffectedRequest:
    """The labels (PATHS, or the config's datasets) and the spec version they were made under."""

    base: str
    paths: list[str] = field(default_factory=list)
    spec_file: str | None = None
    config_file: str | None = None


@dataclass(slots=True)
class AffectedResult:
    """The MAJOR changes since BASE, the classes they touch (None: every class), and the items to relabel."""

    base: str
    base_version: str
    head_version: str
    touched: set[str] | None
    majors: list[Amendment]
    items: list[AffectedItem]
    total: int

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "base": self.base,
            "base_version": self.base_version,
            "head_version": self.head_version,
            "classes": None if self.touched is None else sorted(self.touched),
            "changes": [c.as_json() for c in self.majors],
            "items": [{"path": i.path, "item": i.item, "name": i.name, "classes": i.classes} for i in self.items],
            "total_items": self.total,
        }


def run_spec_affected(request: AffectedRequest) -> AffectedResult:
    """What to relabel after the spec's MAJOR changes since BASE, in the labels as they are now."""
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.commands.sides import side_for
    from labellint.errors import SpecError
    from labellint.settings.resolve import resolve_spec_path
    from labellint.sources import WorkTree
    from labellint.spec.diff import diff_specs

    config, spec_path, policy = resolve_spec_path(request.config_file, request.spec_file)
    before = side_for(request.base, spec_path, base=False)
    after = side_for(None, spec_path, base=False)
    if before.spec is None:
        raise SpecError(f"no spec at {request.base}")
    changes = diff_specs(before.spec, after.spec, policy)
    touched = touched_classes(changes, before.spec, after.spec)
    majors = [c for c in changes if c.bump is Bump.MAJOR]
    items, total = [], 0
    if majors:
        dataset, _ = read_dataset(LabelSelection(paths=list(request.paths)), config, after.spec, WorkTree())
        items, total = affected_items(dataset, touched), dataset.n_items
    return AffectedResult(request.base, before.spec.version, after.spec.version, touched, majors, items, total)
