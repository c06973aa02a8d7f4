"""Merge/split advice: class pairs annotators keep mixing up, with the spec rules that separate them."""

from __future__ import annotations

from typing import Any

import numpy as np

from labellint.quality.ratings import Ratings
from labellint.spec.model import LabelSpec


def confused_pairs(ratings: Ratings, threshold: float, top_items: int = 10) -> list[dict[str, Any]]:
    """Class pairs (a, b) where more than `threshold` of the rater pairs within {a, b} disagree.

    On each item, n_a raters said a and n_b said b: n_a * n_b rater pairs mix the two, and
    n_a(n_a-1)/2 + n_b(n_b-1)/2 agree on one of them. The share is mixed / (mixed + agreeing),
    summed over items, so it reads "of the rater pairs that chose between a and b, this many
    disagreed". Largest share first; the items cited are those with most mixed pairs."""
    counts = ratings.category_counts().astype(np.int64)
    mixed = counts.T @ counts
    same = (counts * (counts - 1) // 2).sum(axis=0)
    first, second = np.triu_indices(ratings.n_categories, k=1)
    mixed_pairs = mixed[first, second]
    within = mixed_pairs + same[first] + same[second]
    share = np.divide(mixed_pairs, within, out=np.zeros(len(within)), where=within > 0)
    chosen = np.flatnonzero(share > threshold)
    chosen = chosen[np.lexsort((second[chosen], first[chosen], -share[chosen]))]
    advice = []
    for index in chosen.tolist():
        a, b = int(first[index]), int(second[index])
        per_item = counts[:, a] * counts[:, b]
        items = np.flatnonzero(per_item)
        items = items[np.lexsort((items, -per_item[items]))][:top_items]
        advice.append(
            {
                "a": _text(ratings.categories[a]),
                "b": _text(ratings.categories[b]),
                "share": float(share[index]),
                "mixed_pairs": int(mixed_pairs[index]),
                "rater_pairs": int(within[index]),
                "items_confused": int(np.count_nonzero(per_item)),
                "items": [_text(ratings.items[i]) for i in items.tolist()],
            }
        )
    return advice


def with_spec_rules(advice: list[dict[str, Any]], spec: LabelSpec | None) -> list[dict[str, Any]]:
    """Each pair's advice text, naming the priority rules and edge cases that mention both classes."""
    for entry in advice:
        a, b = entry["a"], entry["b"]
        priority, edge_cases = [], []
        if spec is not None:
            names = {spec.resolve_class(a) or a, spec.resolve_class(b) or b}
            priority = [i for i, rule in enumerate(spec.priority) if names <= set(rule)]
            edge_cases = [case.id for case in spec.edge_cases if names <= set(case.classes) or _mentions(case, names)]
        entry["priority_rules"] = priority
        entry["edge_cases"] = edge_cases
        entry["advice"] = _sentence(entry, spec is not None)
    return advice


def _mentions(case, names: set[str]) -> bool:
    text = f"{case.rule} {' '.join(case.examples)}".lower()
    return all(name.lower() in text for name in names)


def _sentence(entry: dict[str, Any], have_spec: bool) -> str:
    a, b = entry["a"], entry["b"]
    text = (
        f"{entry['share']:.0%} of the rater pairs choosing between {a!r} and {b!r} disagree "
        f"({entry['mixed_pairs']} of {entry['rater_pairs']}, on {entry['items_confused']} items): "
        f"consider merging {a!r} and {b!r} or adding a rule that separates them"
    )
    if not have_spec:
        return text
    rules = [f"priority rule {i}" for i in entry["priority_rules"]] + [f"edge case {e!r}" for e in entry["edge_cases"]]
    if rules:
        return f"{text}; the spec's {', '.join(rules)} already mention both: make them crisper"
    return f"{text}; no priority rule or edge case in the spec mentions both"


def _text(value) -> str:
    return str(value.item() if hasattr(value, "item") else value)
