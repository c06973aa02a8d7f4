"""A count matrix (relabel transitions, gold-vs-given confusions) as a table heatmap."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

CLASSES_SHOWN = 30  # classes on each axis (the ones with the most counts)


@dataclass(slots=True)
class Matrix:
    """A row per class of `row_key`, a column per class of `col_key`, shaded by count."""

    rows: list[str]
    columns: list[str]
    cells: list[list[tuple[int, float]]]  # count and shade (square root of count / peak) per cell
    dropped: int = 0  # classes left out (those with the fewest counts past CLASSES_SHOWN)


def count_matrix(entries: list[dict], row_key: str, col_key: str) -> Matrix | None:
    """The matrix of entries {row_key: name, col_key: name, "count": n}; None when there are none."""
    if not entries:
        return None
    weight: Counter = Counter()
    for e in entries:
        weight[str(e[row_key])] += e["count"]
        weight[str(e[col_key])] += e["count"]
    kept = {name for name, _ in weight.most_common(CLASSES_SHOWN)}
    rows = sorted({str(e[row_key]) for e in entries} & kept)
    columns = sorted({str(e[col_key]) for e in entries} & kept)
    grid = np.zeros((len(rows), len(columns)), np.int64)
    for e in entries:
        r, c = str(e[row_key]), str(e[col_key])
        if r in kept and c in kept:
            grid[rows.index(r), columns.index(c)] += e["count"]
    peak = max(int(grid.max()), 1)
    cells = [[(int(n), round((n / peak) ** 0.5, 3)) for n in row.tolist()] for row in grid]
    return Matrix(rows, columns, cells, len(weight) - len(kept))
