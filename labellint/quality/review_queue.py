"""Review queues as files, for `sample` and `suspects` alike: CSV/JSONL rows and Label Studio tasks."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from labellint.model import Dataset

SAMPLE_COLUMNS = ["item", "annotation", "class", "annotator", "reason", "path", "line", "pointer"]


@dataclass(slots=True)
class QueueEntry:
    """One thing to review on one item: what the task lists about it, and the label it pre-fills."""

    item: int  # index into the dataset's items (-1: an annotation whose item did not resolve)
    meta: dict[str, Any]  # listed under the task's `data.labellint` (why it is queued, where it is written)
    region: dict[str, Any] | None = None  # the Label Studio result that pre-fills the current label


def present_in(keys: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Whether each content key also occurs in `base` (an older version of the labels)."""
    return np.isin(keys.astype(str), base.astype(str)) if len(base) else np.zeros(len(keys), dtype=bool)


def queue_row(dataset: Dataset, a: int, reason: str) -> dict:
    """The `sample` queue row of annotation `a`."""
    location = dataset.annotation_location(a)
    annotator = dataset.annotators[dataset.annotator_index()[a]] if dataset.annotator_index()[a] >= 0 else None
    return {
        "item": location.item,
        "annotation": location.annotation,
        "class": dataset.class_name(a),
        "annotator": annotator,
        "reason": reason,
        "path": location.path,
        "line": location.line,
        "pointer": location.pointer,
    }


def head_commit(path: Path) -> str | None:
    """The commit HEAD points at in the repository holding `path` (None outside git or before the first commit)."""
    from labellint.errors import GitError
    from labellint.sources import git

    try:
        repo = git.open_repo(path if path.is_dir() else path.parent)
        return git.resolve(repo, "HEAD") if git.has_commits(repo) else None
    except GitError:
        return None


def cell(value: Any) -> str:
    """One queue cell: empty for None, lists joined with `|`."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


def render_rows(rows: list[dict], columns: list[str], fmt: str) -> str:
    """The queue as CSV (a header row; lists joined with `|`) or JSONL (one object per row)."""
    if fmt == "jsonl":
        return "".join(json.dumps({c: row.get(c) for c in columns}) + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def labelstudio_tasks(
    dataset: Dataset, entries: list[QueueEntry], model_version: str, listing: str, summarize: bool = False
) -> list[dict]:
    """One Label Studio task per item, in the order items first appear in `entries`: the item's data
    (its text, or its image), `data.labellint` listing each entry's `meta` under `listing`, and the
    entries' regions as one prediction, so the reviewer corrects the current labels instead of
    drawing them again. `summarize` adds a `reason` joining the entries' reasons."""
    tasks: dict[int, dict] = {}
    for entry in entries:
        task = tasks.get(entry.item)
        if task is None:
            task = tasks[entry.item] = _new_task(dataset, entry.item, model_version, listing)
        if entry.region is not None:
            # The region's id survives Label Studio's round trip: `review apply` finds the label by it.
            region = {**entry.region, "id": entry.meta["region"]} if "region" in entry.meta else entry.region
            results = task["predictions"][0]["result"]
            if "id" not in region or all(r.get("id") != region["id"] for r in results):
                results.append(region)  # two findings on one label: one region to correct
        meta = task["data"]["labellint"]
        meta[listing].append(entry.meta)
        if summarize:
            meta["reason"] = "; ".join(e["reason"] for e in meta[listing])
    return list(tasks.values())


def _new_task(dataset: Dataset, item: int, model_version: str, listing: str) -> dict:
    text = dataset.text_of(item) if item >= 0 else None
    item_id = str(dataset.item_ids[item]) if item >= 0 else None
    name = (dataset.item_names[item] if 0 <= item < len(dataset.item_names) else None) or item_id or ""
    data: dict = {"text": text} if text is not None else {"image": name}
    data["labellint"] = {"item": item_id, listing: []}
    return {"data": data, "predictions": [{"model_version": model_version, "result": []}]}


def annotation_region(dataset: Dataset, a: int) -> dict:
    """Annotation `a` as a Label Studio result: a span, a box (when the image size is known), else a choice."""
    item = int(dataset.ann_item[a])
    text = dataset.text_of(item) if item >= 0 else None
    label = dataset.class_name(a)
    spans = dataset.spans()
    if spans[a, 0] >= 0:
        start, end = int(spans[a, 0]), int(spans[a, 1])
        value = {"start": start, "end": end, "labels": [label]}
        if text is not None:
            value["text"] = text[start:end]
        return {"from_name": "label", "to_name": "text", "type": "labels", "value": value}
    box = dataset.ann_box[a]
    if not np.isnan(box).any() and item >= 0:
        region = box_region(dataset, item, box.tolist(), label)
        if region is not None:
            return region
    return choices_region([label], text is not None)


def box_region(dataset: Dataset, item: int, box: list[float], label: str) -> dict | None:
    """A box as a Label Studio rectangle in percent of the image (normalized boxes are fractions of
    it already); None when a pixel box's image size is unknown."""
    normalized = bool(dataset.item_normalized[item])
    width, height = (1.0, 1.0) if normalized else (float(dataset.item_width[item]), float(dataset.item_height[item]))
    if not (width > 0 and height > 0):
        return None
    value = {
        "x": 100 * box[0] / width,
        "y": 100 * box[1] / height,
        "width": 100 * box[2] / width,
        "height": 100 * box[3] / height,
        "rotation": 0,
        "rectanglelabels": [label],
    }
    region = {"from_name": "label", "to_name": "image", "type": "rectanglelabels", "value": value}
    if not normalized:
        region["original_width"], region["original_height"] = int(width), int(height)
    return region


def choices_region(labels: list[str], on_text: bool) -> dict:
    """Item-level labels as a Label Studio `choices` result."""
    return {
        "from_name": "label",
        "to_name": "text" if on_text else "image",
        "type": "choices",
        "value": {"choices": labels},
    }
