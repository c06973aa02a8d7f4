"""Helpers for class rules: which dataset classes the spec knows, and where each is first used."""

from __future__ import annotations

import numpy as np

from labellint.rules.base import RuleContext


def spec_name_per_class(context: RuleContext) -> list[str | None]:
    """For each dataset class index, the spec's class name (by name or alias), or None."""
    spec = context.spec
    names: list[str | None] = []
    for ref in context.dataset.classes:
        resolved = spec.resolve_class(ref.name) if spec else None
        if resolved is None and spec and ref.name == spec.unsure_class():
            resolved = ref.name
        names.append(resolved)
    return names


def first_use_per_file(context: RuleContext) -> dict[tuple[int, int], tuple[int, int]]:
    """(class index, file index) -> (first annotation index, number of annotations); computed once
    per run (LL101 and LL102 both ask; callers only read it)."""
    if "classes:first use per file" not in context.cache:
        context.cache["classes:first use per file"] = _first_use_per_file(context)
    return context.cache["classes:first use per file"]


def _first_use_per_file(context: RuleContext) -> dict[tuple[int, int], tuple[int, int]]:
    ds = context.dataset
    known = ds.ann_class >= 0
    keys = ds.ann_class[known].astype(np.int64) * (len(ds.files) + 1) + ds.ann_file[known]
    if not len(keys):
        return {}
    uniques, first, counts = np.unique(keys, return_index=True, return_counts=True)
    annotation_index = np.flatnonzero(known)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for key, f, c in zip(uniques.tolist(), first.tolist(), counts.tolist(), strict=True):
        out[(key // (len(ds.files) + 1), key % (len(ds.files) + 1))] = (int(annotation_index[f]), c)
    return out
