"""LL003 duplicate-id: two items, two annotations or two declared classes share an id."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules.base import Finding, Rule, RuleContext, Scope
from labellint.rules.unreadable_file import reader_findings


class DuplicateId(Rule):
    """Two items, or two annotations, or two declared classes share an id.

    Classes are the readers' finding (COCO categories repeating an id or a name, a YOLO names
    list naming one class twice), reported where the second declaration is."""

    code = "LL003"
    name = "duplicate-id"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        yield from reader_findings(context, self.code)
        ds = context.dataset
        # COCO ids are a namespace per file; formats whose item id names the image itself
        # (VOC's <filename>) share one namespace per reader, so two XML files naming one image clash.
        reader_of = {r: k for k, r in enumerate(sorted({f.reader for f in ds.files}))}
        namespace = np.array(
            [-1 - reader_of[f.reader] if f.shared_item_ids else k for k, f in enumerate(ds.files)],
            np.int64,
        )
        for later, first in _repeats(namespace[ds.item_file] if ds.n_items else ds.item_file, ds.item_ids):
            first_loc = ds.item_location(first)
            yield Finding(
                f"item id {_show(ds.item_ids[later])} is used again (first at {_where(first_loc)})",
                item=int(later),
                identity="item",
            )
        has_id = np.array([v is not None for v in ds.ann_ids], bool) if ds.ann_ids.dtype == object else None
        ann_index = np.flatnonzero(has_id) if has_id is not None else np.arange(ds.n_annotations)
        for later, first in _repeats(ds.ann_file[ann_index], ds.ann_ids[ann_index]):
            a, b = int(ann_index[later]), int(ann_index[first])
            yield Finding(
                f"annotation id {_show(ds.ann_ids[a])} is used again (first at {_where(ds.annotation_location(b))})",
                annotation=a,
                # Both records (reordering can swap which one comes "again"), and what each says,
                # since they share the id that would otherwise tell them apart.
                pair=b,
                identity="dup:" + "|".join(sorted(_content(ds, k) for k in (a, b))),
            )


def _repeats(namespace: np.ndarray, ids: np.ndarray) -> Iterator[tuple[int, int]]:
    """(later, first) index pairs for every id that occurs again in its namespace."""
    if len(ids) < 2:
        return
    if ids.dtype != object:
        if (namespace[1:] == namespace[:-1]).all() and (ids[1:] > ids[:-1]).all():
            return  # one namespace, ids rising (as exports write them): none repeats, and no sort is needed
        order = np.lexsort((np.arange(len(ids)), ids, namespace))
        same = (ids[order][1:] == ids[order][:-1]) & (namespace[order][1:] == namespace[order][:-1])
        if not same.any():
            return
        starts = np.concatenate(([True], ~same))
        first_of_run = order[np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))]
        for k in np.flatnonzero(same) + 1:
            yield int(order[k]), int(first_of_run[k])
        return
    seen: dict[tuple[int, str], int] = {}
    for index, (space, value) in enumerate(zip(namespace.tolist(), ids.tolist(), strict=True)):
        key = (space, str(value))
        if key in seen:
            yield index, seen[key]
        else:
            seen[key] = index


def _content(ds, a: int) -> str:
    """What an annotation says (its box and class), to tell records that share an id apart."""
    return ",".join(f"{v:.4g}" for v in ds.ann_box[a]) + f"@{ds.class_name(a)}"


def _show(value: object) -> str:
    """An id as the file writes it: numbers bare, strings quoted."""
    value = value.item() if hasattr(value, "item") else value
    return repr(value)


def _where(location) -> str:
    parts = [location.path or ""]
    if location.line:
        parts.append(str(location.line))
    text = ":".join(parts)
    return f"{text} {location.pointer}" if location.pointer and not location.line else text
