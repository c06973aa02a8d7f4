"""What a reviewer's Label Studio region means for one label file: the ReviewChange to write, in the file's units."""

from __future__ import annotations

import numpy as np

from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.spec.model import LabelSpec
from labellint.writers.review import ReviewChange
from labellint.writers.review_lines import yolo_class_ids

WRITABLE = ("coco", "yolo", "voc", "labelstudio", "jsonl")
LABEL_KEYS = ("rectanglelabels", "polygonlabels", "labels", "choices")


def region_label(region: dict) -> str | None:
    """The one class a Label Studio region names (None: none or several)."""
    value = region.get("value") or {}
    labels = next((value[k] for k in LABEL_KEYS if k in value), None)
    return labels[0] if isinstance(labels, list) and len(labels) == 1 else None


class FileView:
    """One label file as read now: turns reviewers' regions into changes in the file's own units
    (pixels, or fractions of the image for YOLO) and class ids."""

    def __init__(self, dataset: Dataset, reader: str, spec: LabelSpec | None) -> None:
        self.dataset, self.reader, self.spec = dataset, reader, spec
        self.class_ids: dict[str, int] = {}
        if reader == "yolo" and dataset.files:
            self.class_ids = yolo_class_ids(dataset.files[0].meta.get("names_file"))

    def _class(self, change: ReviewChange, label: str, where: str) -> None:
        if self.spec is not None and self.spec.resolve_class(label) is None:
            raise UsageError(f"{where}: the reviewer chose {label!r}, a class the spec does not know; nothing written")
        change.class_name = label
        if self.reader == "yolo":
            if label not in self.class_ids:
                raise UsageError(f"{where}: {label!r} is not in the YOLO names file; add it there first")
            change.class_id = self.class_ids[label]

    def box(self, region: dict, item: int) -> list[float] | None:
        """The region's rectangle as [x, y, width, height] in the units the item's boxes use."""
        value = region.get("value") or {}
        if not all(k in value for k in ("x", "y", "width", "height")) or item < 0:
            return None
        percent = [value["x"], value["y"], value["width"], value["height"]]
        if self.dataset.item_normalized[item]:
            return [v / 100 for v in percent]
        width = region.get("original_width") or self.dataset.item_width[item]
        height = region.get("original_height") or self.dataset.item_height[item]
        if not (width > 0 and height > 0):
            return None
        scale = [width / 100, height / 100, width / 100, height / 100]
        return [v * k for v, k in zip(percent, scale, strict=True)]

    def decide(self, entry: dict, region: dict | None, a: int, unsure: bool, where: str) -> ReviewChange | None:
        """What the reviewer did to queued label `a`: deleted it (its region is gone), relabelled or
        moved it, resolved its unsure mark (kept it, with the spec's unsure attribute set)."""
        change = ReviewChange(entry.get("pointer"), entry.get("line"))
        span = self.dataset.spans()[a].tolist()
        change.was = (span[0], span[1], entry["class"])
        if region is None:
            change.delete = True
            return change
        label = region_label(region)
        if label is not None and label != entry["class"]:
            self._class(change, label, where)
        item = int(self.dataset.ann_item[a])
        box, current = self.box(region, item), self.dataset.ann_box[a].tolist()
        tolerance = 1e-4 if item >= 0 and self.dataset.item_normalized[item] else 0.01
        if box is not None and any(abs(x - y) > tolerance for x, y in zip(box, current, strict=True)):
            change.box = box
        value = region.get("value") or {}
        if span[0] >= 0 and isinstance(value.get("start"), int) and [value["start"], value.get("end")] != span:
            change.span = (value["start"], value["end"])
        attribute = self.spec.unsure.attribute if self.spec is not None and self.spec.unsure else None
        if unsure and attribute and attribute in self.dataset.ann_attributes.get(a, {}):
            change.clear_unsure = attribute
        edited = change.class_name, change.box, change.span, change.clear_unsure
        return change if any(v is not None for v in edited) else None

    def added(self, decision, problems: list[str]) -> ReviewChange | None:
        """A region the reviewer drew new, as a label on the anchor's item; None (with a note in
        `problems`) when it is not a box or span with one class."""
        region, anchor, where = decision.region, decision.anchor, decision.where
        label = region_label(region)
        items = [i for i in range(self.dataset.n_items) if str(self.dataset.item_ids[i]) == str(decision.item)]
        if label is None or not items:
            problems.append(f"{where}: a new region needs one class and the queued item; nothing written")
            return None
        item_id = self.dataset.item_ids[items[0]]
        change = ReviewChange(None, add=True, item=item_id.item() if isinstance(item_id, np.generic) else item_id)
        self._class(change, label, where)
        value = region.get("value") or {}
        if isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
            change.span = (value["start"], value["end"])
        else:
            change.box = self.box(region, items[0])
        if change.box is None and change.span is None:
            problems.append(f"{where}: a new region must be a rectangle or a span; nothing written")
            return None
        if self.reader == "labelstudio":
            change.pointer = (anchor.get("pointer") or "").rpartition("/")[0]
        elif self.reader == "coco":
            change.pointer = "/annotations"
        elif self.reader in ("yolo", "jsonl"):
            change.line = anchor.get("line")
        return change
