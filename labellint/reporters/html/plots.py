"""The dataset plots, each from numpy aggregates (never one point per annotation)."""

from __future__ import annotations

import numpy as np

from labellint.model import Dataset
from labellint.reporters.html.charts import Chart, categories, heatmap, histogram

BINS = 30
GRID = 24  # cells per side of the label positions heatmap
CLASSES_SHOWN = 60
AREA_CLASSES = 20


def dataset_plots(dataset: Dataset, spec) -> list[Chart]:
    """Class counts against the spec, box sizes and shapes, boxes per image, positions, span lengths."""
    charts = [_class_counts(dataset, spec)]
    boxes = _pixel_boxes(dataset)
    if boxes is not None:
        charts += _box_plots(dataset, *boxes)
    spans = dataset.spans()
    has_span = spans[:, 0] >= 0 if len(spans) else np.zeros(0, bool)
    if has_span.any():
        lengths = spans[has_span, 1] - spans[has_span, 0]
        # Whole-character bins (a length of 3.5 characters means nothing), at most BINS of them.
        low, high = int(lengths.min()), int(lengths.max())
        step = max(1, -(-(high - low + 1) // BINS))
        edges = np.arange(low, high + step + 1, step)
        counts, _ = np.histogram(lengths, bins=edges)
        charts.append(histogram("span-length", "Span length (characters)", counts, edges))
    return [c for c in charts if c is not None]


def _class_counts(dataset: Dataset, spec) -> Chart | None:
    """Annotations per class; spec classes with none are shown at zero, unknown labels in red."""
    counts: dict[str, int] = {}
    known = dataset.ann_class[dataset.ann_class >= 0]
    per_class = np.bincount(known, minlength=len(dataset.classes)) if known.size else np.zeros(len(dataset.classes))
    for ref, n in zip(dataset.classes, per_class.tolist(), strict=True):
        counts[ref.name] = counts.get(ref.name, 0) + int(n)
    for a in dataset.unresolved_class:
        name = dataset.class_name(a) or "(unresolved)"
        counts[name] = counts.get(name, 0) + 1
    spec_names = set(spec.classes) if spec is not None else set()
    for name in spec_names:
        counts.setdefault(name, 0)
    if not counts:
        return None
    if spec is not None:  # labels written by another name (an alias) count for the spec's class
        merged: dict[str, int] = {}
        for name, n in counts.items():
            target = spec.resolve_class(name) or name
            merged[target] = merged.get(target, 0) + n
        counts = merged
    order = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = order[:CLASSES_SHOWN]
    css = ["bar" if spec is None or name in spec_names else "bar unknown" for name, _ in shown]
    css = [c if n or spec is None else "bar unused" for c, (_, n) in zip(css, shown, strict=True)]
    note = "red: not a class of the spec; zero: a spec class with no annotation" if spec is not None else ""
    if len(order) > len(shown):
        note += f" ({len(order) - len(shown)} smaller classes not shown)"
    return categories("class-counts", "Annotations per class", [n for n, _ in shown], [c for _, c in shown], css, note)


def _pixel_boxes(dataset: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """Finite boxes in pixels (normalized ones scaled by their item's size when it is known), with
    each box's annotation index; None when no annotation has a box."""
    box = dataset.ann_box
    if not len(box):
        return None
    items = dataset.ann_item
    ok = np.isfinite(box).all(axis=1) & (items >= 0)
    if not ok.any():
        return None
    index = np.flatnonzero(ok)
    box = box[index].copy()
    item = items[index]
    norm = dataset.item_normalized[item]
    width, height = dataset.item_width[item], dataset.item_height[item]
    scale = norm & np.isfinite(width) & np.isfinite(height)
    box[scale] *= np.stack([width, height, width, height], axis=1)[scale]
    return box, index


def _box_plots(dataset: Dataset, box: np.ndarray, index: np.ndarray) -> list[Chart]:
    item = dataset.ann_item[index]
    width, height = dataset.item_width[item], dataset.item_height[item]
    pixels = ~dataset.item_normalized[item] | (np.isfinite(width) & np.isfinite(height))
    unit = " px" if pixels.all() else " (px, or image units for normalized labels)"
    w, h = box[:, 2], box[:, 3]
    charts = [
        _hist("box-width", "Box width" + unit, w[w > 0], log=True),
        _hist("box-height", "Box height" + unit, h[h > 0], log=True),
    ]
    positive = (w > 0) & (h > 0)
    charts.append(_hist("box-aspect", "Box aspect ratio (width / height)", w[positive] / h[positive], log=True))
    charts.append(_area_per_class(dataset, box, index, positive))
    per_image = np.bincount(item, minlength=dataset.n_items)
    top = int(per_image.max()) if per_image.size else 0
    edges = np.arange(0, top + 2) if top < BINS else np.linspace(0, top + 1, BINS + 1)
    counts, edges = np.histogram(per_image, bins=edges)
    charts.append(histogram("boxes-per-image", "Boxes per image", counts, edges))
    charts.append(_positions(dataset, box, item))
    return charts


def _hist(key: str, title: str, values: np.ndarray, log: bool) -> Chart:
    if not values.size:
        return histogram(key, title, np.zeros(1, np.int64), np.array([0.0, 1.0]), note="no positive values")
    if log:
        low, high = np.log10(values.min()), np.log10(values.max())
        edges = np.logspace(low, high if high > low else low + 1, BINS + 1)
    else:
        edges = np.histogram_bin_edges(values, bins=BINS)
    counts, edges = np.histogram(values, bins=edges)
    return histogram(key, title, counts, edges, note="logarithmic bins" if log else "")


def _area_per_class(dataset: Dataset, box: np.ndarray, index: np.ndarray, positive: np.ndarray) -> Chart:
    """Box area (log bins) per class: one heatmap row per class, the most frequent classes."""
    area = box[positive, 2] * box[positive, 3]
    cls = dataset.ann_class[index][positive]
    keep = cls >= 0
    area, cls = area[keep], cls[keep]
    names = dataset.class_names
    if not area.size:
        return heatmap("area-per-class", "Box area per class", np.zeros((1, 1)), [""], [""], note="no boxes")
    top = np.argsort(-np.bincount(cls, minlength=len(names)), kind="stable")[:AREA_CLASSES]
    low, high = np.log10(area.min()), np.log10(area.max())
    edges = np.logspace(low, high if high > low else low + 1, BINS + 1)
    grid = np.zeros((len(top), BINS), np.int64)
    for row, c in enumerate(top.tolist()):
        grid[row] = np.histogram(area[cls == c], bins=edges)[0]
    columns = [f"{edges[k]:.3g} px²" for k in range(BINS)]
    note = f"the {len(top)} largest classes" if len(names) > AREA_CLASSES else ""
    return heatmap("area-per-class", "Box area per class", grid, [names[c] for c in top.tolist()], columns, note)


def _positions(dataset: Dataset, box: np.ndarray, item: np.ndarray) -> Chart:
    """Where box centres sit in their image, as a share of its width and height."""
    width, height = dataset.item_width[item], dataset.item_height[item]
    norm = dataset.item_normalized[item]
    size_ok = np.isfinite(width) & np.isfinite(height) & (width > 0) & (height > 0)
    cx = box[:, 0] + box[:, 2] / 2
    cy = box[:, 1] + box[:, 3] / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        fx = np.where(norm & ~size_ok, cx, cx / width)
        fy = np.where(norm & ~size_ok, cy, cy / height)
    ok = (size_ok | norm) & np.isfinite(fx) & np.isfinite(fy)
    grid, _, _ = np.histogram2d(fy[ok], fx[ok], bins=GRID, range=[[0, 1], [0, 1]])
    columns = [f"x {k / GRID:.2f}" for k in range(GRID)]
    outside = int((ok & ((fx < 0) | (fx > 1) | (fy < 0) | (fy > 1))).sum())
    note = f"{outside:,} centres outside their image not shown" if outside else ""
    return heatmap("positions", "Box centres in the image", grid.astype(np.int64), [""] * GRID, columns, note)
