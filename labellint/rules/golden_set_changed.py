"""LL504 golden-set-changed: golden-set labels changed without a spec change explaining it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from labellint.model import Dataset
from labellint.problem import Location
from labellint.rules.base import Finding
from labellint.rules.change import ChangeContext, ChangeRule, Side


class GoldenSetChanged(ChangeRule):
    """Golden-set labels changed while the spec (meaning and version) stayed the same."""

    code = "LL504"
    name = "golden-set-changed"

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        base, head = context.base.spec, context.head.spec
        if head is None or not head.golden:
            return
        if context.amendments or base is None or base.version != head.version:
            return  # the spec changed with it: the golden set may follow the new meaning
        before = _files(context.base, base.golden or head.golden)
        after = _files(context.head, head.golden)
        for relative in sorted(before.keys() | after.keys()):
            old_path, new_path = before.get(relative), after.get(relative)
            if old_path is not None and new_path is not None:
                if context.base.source.read_bytes(old_path) == context.head.source.read_bytes(new_path):
                    continue
                differing = _differing_annotations(context, old_path, new_path)
                if differing == 0:
                    continue  # reformatted or reordered: the labels themselves are the same
                if differing is None:
                    what = f"the file changed since {context.base.label} and does not read as labels on one side"
                else:
                    verb = "s differ" if differing != 1 else " differs"
                    what = f"{differing} annotation{verb} from {context.base.label}"
            elif new_path is not None:
                what = f"the file was added since {context.base.label}"
            else:
                what = f"the file was deleted since {context.base.label}"
            display = context.head.source.display(new_path or context.head.root / head.golden / relative)
            yield Finding(
                f"golden-set labels changed ({what}) but the spec did not (still {head.version}); golden labels "
                f"are the answer key: change them only with a spec change, bump and changelog that explain why",
                location=Location(path=display),
                identity=relative,
            )


def _files(side: Side, golden: str) -> dict[str, Path]:
    """The golden set's files on one side, by path relative to the golden folder (or the file itself)."""
    path = side.root / golden
    if side.source.is_file(path):
        return {path.name: path}
    if not side.source.is_dir(path):
        return {}
    return {found.relative_to(path).as_posix(): found for found in side.source.walk(path)}


def _differing_annotations(context: ChangeContext, old_path: Path, new_path: Path) -> int | None:
    """How many annotations differ (by item, class, box and attributes); None when a side is unreadable."""
    old = _signatures(context.load_labels(context.base, [old_path]))
    new = _signatures(context.load_labels(context.head, [new_path]))
    if old is None or new is None:
        return None
    # A relabelled or moved box is one annotation gone and one new: count it once.
    return max(sum((old - new).values()), sum((new - old).values()))


def _signatures(dataset: Dataset) -> Counter | None:
    # A Python loop is fine here: golden sets are small, hand-checked answer keys.
    if dataset.issues and not dataset.n_annotations:
        return None
    items = [name or str(key) for name, key in zip(_item_names(dataset), dataset.item_ids.tolist(), strict=True)]
    boxes = np.round(dataset.ann_box, 2).tolist()
    found: Counter = Counter()
    for a in range(dataset.n_annotations):
        item = int(dataset.ann_item[a])
        attributes = sorted((k, repr(v)) for k, v in dataset.ann_attributes.get(a, {}).items())
        found[(items[item] if item >= 0 else "?", dataset.class_name(a), repr(boxes[a]), repr(attributes))] += 1
    return found


def _item_names(dataset: Dataset) -> list[str | None]:
    return dataset.item_names if len(dataset.item_names) == dataset.n_items else [None] * dataset.n_items
