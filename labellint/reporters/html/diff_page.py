"""The HTML page of `diff`: counts, the relabel transition matrix as a heatmap, class counts, edits."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

from labellint.diff import LabelDiff
from labellint.reporters.html import asset, environment

EDITS_SHOWN = 2000  # rows of the edits table; the counts above it cover every edit
CLASSES_SHOWN = 30  # classes on each axis of the transition heatmap (the most relabelled ones)


@dataclass(slots=True)
class Matrix:
    """The relabel transitions as a table heatmap: a row per class before, a column per class after."""

    rows: list[str]
    columns: list[str]
    cells: list[list[tuple[int, float]]]  # count and shade (square root of count / peak) per cell
    dropped: int = 0  # classes left out (the least relabelled ones past CLASSES_SHOWN)


def transition_matrix(transitions: list[dict]) -> Matrix | None:
    if not transitions:
        return None
    weight: Counter = Counter()
    for t in transitions:
        weight[t["from"]] += t["count"]
        weight[t["to"]] += t["count"]
    kept = {name for name, _ in weight.most_common(CLASSES_SHOWN)}
    rows = sorted({t["from"] for t in transitions} & kept)
    columns = sorted({t["to"] for t in transitions} & kept)
    grid = np.zeros((len(rows), len(columns)), np.int64)
    for t in transitions:
        if t["from"] in kept and t["to"] in kept:
            grid[rows.index(t["from"]), columns.index(t["to"])] += t["count"]
    peak = max(int(grid.max()), 1)
    cells = [[(int(n), round((n / peak) ** 0.5, 3)) for n in row.tolist()] for row in grid]
    return Matrix(rows, columns, cells, len(weight) - len(kept))


def render_diff_html(diff: LabelDiff, base: str, head: str, version: str = "") -> str:
    """The whole page as one string; it needs no script and loads nothing from a network host."""
    started = time.perf_counter()
    classes = [
        (name, counts.get("base", 0), counts.get("head", 0), counts.get("head", 0) - counts.get("base", 0))
        for name, counts in sorted(diff.classes.items())
    ]
    return (
        environment()
        .get_template("diff.html.j2")
        .render(
            title="labellint diff",
            base=base,
            head=head,
            version=version,
            diff=diff,
            transitions=sorted(diff.transitions, key=lambda t: (-t["count"], t["from"], t["to"])),
            matrix=transition_matrix(diff.transitions),
            classes=classes,
            edits=diff.edits[:EDITS_SHOWN],
            edits_limited=len(diff.edits) > EDITS_SHOWN,
            limit=EDITS_SHOWN,
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )
