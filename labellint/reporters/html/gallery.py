"""The gallery: flagged annotations drawn over thumbnails of their images (or a bare canvas)."""

from __future__ import annotations

import base64
import io
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from labellint.model import Dataset
from labellint.problem import Problem
from labellint.reporters.html.shapes import FLAGGED, NEIGHBOUR, OTHER, Shape, shape_of
from labellint.rules._media import ImageFiles

THUMBNAIL = 320  # longest side of a drawn card, CSS pixels
OTHERS_PER_CARD = 200  # the item's other annotations drawn faintly, at most
NORMALIZED_CANVAS = 1000.0  # pixels per unit for normalized labels without an image


@dataclass(slots=True)
class Card:
    """One item of the gallery: its canvas in pixels, the image (data URI or relative path), shapes."""

    anchor: str
    item: int
    title: str
    width: float
    height: float
    view: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    image: str | None = None
    missing: str = ""  # why there is no image ("not found", "unreadable: ...")
    shapes: list[Shape] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def display(self) -> tuple[int, int]:
        """Width and height on the page, the longer side THUMBNAIL pixels."""
        w, h = self.view[2], self.view[3]
        scale = THUMBNAIL / max(w, h, 1e-9)
        return max(1, round(w * scale)), max(1, round(h * scale))


@dataclass(slots=True)
class GalleryOptions:
    max_images: int = 200
    link_images: bool = False
    out_dir: Path = Path(".")
    progress: Callable[[int, int], None] | None = None


@dataclass(slots=True)
class Gallery:
    cards: list[Card]
    notes: list[str]
    anchors: dict[int, str]  # problem index in the report -> its card's anchor


def choose(problems: list[Problem], dataset: Dataset, limit: int) -> dict[int, list[int]]:
    """Items to draw (item -> problem indexes), taken in turn from each (rule, class) so that a
    common rule does not crowd out the rare ones; at most `limit` items."""
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, problem in enumerate(problems):
        if problem.subject_item is None or problem.subject_item >= dataset.n_items:
            continue
        first = problem.subject_annotations[0] if problem.subject_annotations else None
        buckets[(problem.code, dataset.class_name(first) if first is not None else "")].append(index)
    chosen: dict[int, list[int]] = {}
    queues = [list(reversed(v)) for _, v in sorted(buckets.items())]
    while queues and len(chosen) < limit:
        for queue in queues:
            index = queue.pop()
            item = problems[index].subject_item
            if item in chosen or len(chosen) < limit:
                chosen.setdefault(item, []).append(index)
        queues = [q for q in queues if q]
    return chosen


def build_gallery(problems: list[Problem], dataset: Dataset, options: GalleryOptions) -> Gallery:
    """The cards of the chosen items, in the order chosen; a missing image is a note, never an abort."""
    chosen = choose(problems, dataset, options.max_images)
    finders: dict[Path, ImageFiles] = {}
    cards, anchors = [], {}
    missing, unreadable = [], []
    for done, (item, indexes) in enumerate(chosen.items(), 1):
        card = _card(dataset, item, [problems[i] for i in indexes], finders, options)
        cards.append(card)
        for i in indexes:
            anchors[i] = card.anchor
        if card.missing == "not found":
            missing.append(card.title)
        elif card.missing:
            unreadable.append(f"{card.title} ({card.missing})")
        if options.progress is not None:
            options.progress(done, len(chosen))
    notes = []
    if missing:
        notes.append(
            f"{len(missing)} of {len(cards)} drawn items have no image file beside their labels "
            f"(looked in ./, ../images/ and images/), drawn on a blank canvas: {', '.join(missing[:3])}"
            + (" …" if len(missing) > 3 else "")
        )
    if unreadable:
        notes.append(f"{len(unreadable)} image files could not be read: {', '.join(unreadable[:3])}")
    return Gallery(cards, notes, anchors)


def _card(dataset: Dataset, item: int, problems: list[Problem], finders, options: GalleryOptions) -> Card:
    name = dataset.item_names[item] if item < len(dataset.item_names) else None
    title = name or f"item {dataset.item_ids[item]}"
    width, height = float(dataset.item_width[item]), float(dataset.item_height[item])
    card = Card(anchor=f"g{item}", item=item, title=title, width=width, height=height)
    image_path = _find_image(dataset, item, name, finders)
    if image_path is None:
        card.missing = "not found"
    else:
        _attach_image(card, image_path, options)
    if not (np.isfinite(card.width) and card.width > 0 and np.isfinite(card.height) and card.height > 0):
        card.width = card.height = NORMALIZED_CANVAS if dataset.item_normalized[item] else 0.0
    card.problems = problems
    card.shapes = _shapes(dataset, item, problems, (card.width, card.height))
    card.view = _view(card)
    return card


def _find_image(dataset: Dataset, item: int, name: str | None, finders) -> Path | None:
    if not name:
        return None
    folder = Path(dataset.files[int(dataset.item_file[item])].path).parent
    finder = finders.setdefault(folder, ImageFiles(folder))
    found = finder.find(name)
    if found is None and "/" in name:
        found = finder.find(Path(name).name)  # COCO's `file_name` often keeps the exporter's folders
    return None if found is None else found.path


def _attach_image(card: Card, path: Path, options: GalleryOptions) -> None:
    """The image as a JPEG thumbnail inside the report (or its relative path with --link-images);
    sizes the card from the image when the labels do not give the size."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            size = image.size
            if options.link_images:
                card.image = os.path.relpath(path.resolve(), options.out_dir.resolve())
            else:
                image.draft("RGB", (THUMBNAIL, THUMBNAIL))
                thumb = image.convert("RGB")
                thumb.thumbnail((THUMBNAIL, THUMBNAIL))
                buffer = io.BytesIO()
                thumb.save(buffer, "JPEG", quality=75)
                card.image = "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        card.missing = f"unreadable: {type(exc).__name__}"
        return
    if not (np.isfinite(card.width) and card.width > 0 and np.isfinite(card.height) and card.height > 0):
        card.width, card.height = float(size[0]), float(size[1])


def _shapes(dataset: Dataset, item: int, problems: list[Problem], scale: tuple[float, float]) -> list[Shape]:
    """The flagged annotations, their pair neighbours, and a capped number of the item's others."""
    roles: dict[int, str] = {}
    for problem in problems:
        for k, a in enumerate(problem.subject_annotations):
            if roles.get(a) != FLAGGED:
                roles[a] = FLAGGED if k == 0 else NEIGHBOUR
    others = [a for a in np.flatnonzero(dataset.ann_item == item).tolist() if a not in roles]
    for a in others[:OTHERS_PER_CARD]:
        roles[a] = OTHER
    order = {OTHER: 0, NEIGHBOUR: 1, FLAGGED: 2}
    shapes = [shape_of(dataset, a, role, scale) for a, role in roles.items()]
    return sorted(shapes, key=lambda s: order[s.role])


def _view(card: Card) -> tuple[float, float, float, float]:
    """The SVG viewBox: the image plus whatever is drawn outside it, with a small margin."""
    xs = [0.0, card.width]
    ys = [0.0, card.height]
    for shape in card.shapes:
        for x, y in shape.points():
            if np.isfinite(x) and np.isfinite(y):
                xs.append(x)
                ys.append(y)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    outside = x0 < 0 or y0 < 0 or x1 > card.width or y1 > card.height
    margin = 0.03 * max(x1 - x0, y1 - y0, 1.0) if outside else 0.0
    return (x0 - margin, y0 - margin, max(x1 - x0, 1.0) + 2 * margin, max(y1 - y0, 1.0) + 2 * margin)
