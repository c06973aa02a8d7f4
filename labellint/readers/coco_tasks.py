"""COCO task files: which question a file's labels answer, read from COCO's own file naming."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from labellint.model import Dataset

# COCO ships one image set with a file per task (`instances_train2017.json`,
# `person_keypoints_…`, `stuff_…`, `panoptic_…`, `captions_…`). The same image in two of them is
# one image asked two questions, not a conflict. `instances_` (objects of the declared classes)
# is the question YOLO, VOC and every other box format answer, so it carries no task of its own;
# Datumaro's `labels_` (image-level classes) is told apart by having no geometry (LL303 does that
# for every format). The names are COCO's convention: a file named otherwise is `instances`.
_TASK = re.compile(r"(person_keypoints|stuff|panoptic|captions)_", re.IGNORECASE)


def mark_task(dataset: Dataset, panoptic: bool, dropped: list[Any]) -> None:
    """Sets the COCO task of every item of a one-file dataset, and marks the items of a file with
    no annotations at all (an `image_info_` list, a test split shipped without labels) as items
    whose labels the file does not give: such an image is listed, not labelled "nothing here".
    So are the images (`dropped`: their ids) of annotations that could not be read (LL002)."""
    n_items = dataset.n_items
    if not n_items:
        return
    if dropped:
        wanted = set(map(str, dropped))
        for item, image_id in enumerate(dataset.item_ids.tolist()):
            if str(image_id) in wanted:
                dataset.item_labels_unknown[item] = "one of its annotations could not be read"
    if not dataset.n_annotations:
        why = "the file lists images without any annotation"
        dataset.item_labels_unknown = dict.fromkeys(range(n_items), why)
        return
    match = _TASK.match(PurePath(dataset.files[0].path).name)
    task = "panoptic" if panoptic else match.group(1).lower() if match else None
    if task is not None:
        dataset.item_task = dict.fromkeys(range(n_items), f"COCO {task}")
