"""Charts as SVG geometry computed from aggregates (bars, histograms, heatmaps), drawn by the template."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

WIDTH, HEIGHT = 460.0, 200.0
LEFT, BOTTOM, TOP = 48.0, 28.0, 8.0
ROW = 16.0  # height of one horizontal bar


@dataclass(slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    tip: str
    css: str = "bar"
    opacity: float = 1.0


@dataclass(slots=True)
class Chart:
    """One plot: its rectangles and axis labels in SVG units."""

    key: str
    title: str
    width: float
    height: float
    rects: list[Rect] = field(default_factory=list)
    xticks: list[tuple[float, float, str]] = field(default_factory=list)  # x, y, text
    yticks: list[tuple[float, float, str]] = field(default_factory=list)
    note: str = ""
    xanchor: str = "start"  # CSS class of the x tick labels: "middle" centres them under their bin edge


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1000 or abs(value) < 0.01:
        return f"{value:.2g}"
    return f"{value:.3g}"


def histogram(key: str, title: str, counts: np.ndarray, edges: np.ndarray, unit: str = "", note: str = "") -> Chart:
    """Vertical bars, one per bin; `edges` has one more value than `counts`."""
    chart = Chart(key, title, WIDTH, HEIGHT, note=note, xanchor="middle")
    peak = float(counts.max()) if counts.size and counts.max() > 0 else 1.0
    plot_w, plot_h = WIDTH - LEFT - 24, HEIGHT - BOTTOM - TOP  # room for a centred label on the last edge
    step = plot_w / max(len(counts), 1)
    for k, n in enumerate(counts.tolist()):
        h = plot_h * n / peak
        tip = f"{_fmt(edges[k])} to {_fmt(edges[k + 1])}{unit}: {n:,}"
        chart.rects.append(Rect(LEFT + k * step, TOP + plot_h - h, max(step - 1, 0.5), h, tip))
    for k in range(0, len(edges), max(1, len(edges) // 5)):
        chart.xticks.append((LEFT + k * step, HEIGHT - 10, _fmt(float(edges[k])) + unit))
    chart.yticks = [(LEFT - 4, TOP + 4, f"{int(peak):,}"), (LEFT - 4, TOP + plot_h, "0")]
    return chart


def categories(key: str, title: str, names: list[str], counts: list[int], css: list[str], note: str = "") -> Chart:
    """Horizontal bars, one row per category, labelled with its name and count."""
    label_w = 150.0
    height = TOP + ROW * max(len(names), 1) + 8
    chart = Chart(key, title, WIDTH, height, note=note)
    peak = max([*counts, 1])
    plot_w = WIDTH - label_w - 60
    for k, (name, n, style) in enumerate(zip(names, counts, css, strict=True)):
        y = TOP + k * ROW
        bar = max(plot_w * n / peak, 0.5 if n else 0.0)
        chart.rects.append(Rect(label_w, y + 2, bar, ROW - 4, f"{name}: {n:,}", style))
        chart.yticks.append((label_w - 4, y + ROW - 4, name[:24]))
        chart.xticks.append((label_w + plot_w * n / peak + 4, y + ROW - 4, f"{n:,}"))
    return chart


def heatmap(key: str, title: str, grid: np.ndarray, rows: list[str], columns: list[str], note: str = "") -> Chart:
    """Cells shaded by count (square-root scale, so a few hot cells do not hide the rest)."""
    n_rows, n_cols = grid.shape
    label_w = 110.0 if any(rows) else 8.0
    cell_w = (WIDTH - label_w - 8) / max(n_cols, 1)
    cell_h = min(cell_w, 16.0) if any(rows) else cell_w
    height = TOP + cell_h * n_rows + BOTTOM
    chart = Chart(key, title, WIDTH, height, note=note, xanchor="middle")
    peak = float(grid.max()) if grid.size and grid.max() > 0 else 1.0
    for r in range(n_rows):
        for c in range(n_cols):
            n = int(grid[r, c])
            if n == 0:
                continue
            tip = f"{rows[r] + ', ' if rows[r] else ''}{columns[c]}: {n:,}"
            x, y = label_w + c * cell_w, TOP + r * cell_h
            chart.rects.append(Rect(x, y, cell_w, cell_h, tip, "cell", round((n / peak) ** 0.5, 3)))
        if rows[r]:
            chart.yticks.append((label_w - 4, TOP + r * cell_h + cell_h - 4, rows[r][:18]))
    for c in range(0, n_cols, max(1, n_cols // 5)):
        chart.xticks.append((label_w + c * cell_w, height - 10, columns[c]))
    return chart
