"""Annotations per spec class (or per dataset class without a spec), shared by LL301 and LL302."""

from __future__ import annotations

import numpy as np

from labellint.rules._classes import spec_name_per_class
from labellint.rules.base import RuleContext


def counts_by_name(context: RuleContext) -> tuple[dict[str, int], dict[str, int]]:
    """(annotations per class name, first annotation index per name). With a spec, names are the
    spec's (aliases folded in, every spec class present, possibly with 0); without, as written."""
    ds = context.dataset
    known = ds.ann_class[ds.ann_class >= 0]
    per_class = np.bincount(known, minlength=len(ds.classes))
    first = np.full(len(ds.classes), -1, np.int64)
    if len(known):
        uniques, where = np.unique(ds.ann_class, return_index=True)
        for cls, index in zip(uniques.tolist(), where.tolist(), strict=True):
            if cls >= 0:
                first[cls] = index
    names = spec_name_per_class(context) if context.spec is not None else ds.class_names
    counts: dict[str, int] = {name: 0 for name in context.spec.classes} if context.spec is not None else {}
    firsts: dict[str, int] = {}
    for cls, name in enumerate(names):
        if name is None:
            continue  # unknown to the spec: LL101's business
        counts[name] = counts.get(name, 0) + int(per_class[cls])
        if first[cls] >= 0 and (name not in firsts or first[cls] < firsts[name]):
            firsts[name] = int(first[cls])
    return counts, firsts
