"""The review queue as files: rows for CSV/JSONL and tasks for a Label Studio import."""

from __future__ import annotations

import csv
import io
import json

import numpy as np

from labellint.model import Dataset

QUEUE_COLUMNS = ["item", "annotation", "class", "annotator", "reason", "path", "line", "pointer"]


def present_in(keys: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Whether each content key also occurs in `base` (an older version of the labels)."""
    return np.isin(keys.astype(str), base.astype(str)) if len(base) else np.zeros(len(keys), dtype=bool)


def queue_row(dataset: Dataset, a: int, reason: str) -> dict:
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


def render_queue(rows: list[dict], fmt: str) -> str:
    if fmt == "jsonl":
        return "".join(json.dumps(row) + "\n" for row in rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=QUEUE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


def labelstudio_tasks(dataset: Dataset, chosen: np.ndarray, drawn: np.ndarray) -> list[dict]:
    """One Label Studio task per sampled item, its current labels as a prediction to review.

    Boxes become `rectanglelabels` in percent of the image, spans `labels`, the rest `choices`;
    `data.labellint` says why each label was queued and where it is written.
    """
    by_item: dict[int, list[tuple[int, bool]]] = {}
    for a, was_drawn in zip(chosen.tolist(), drawn.tolist(), strict=True):
        by_item.setdefault(int(dataset.ann_item[a]), []).append((a, was_drawn))
    spans = dataset.spans()
    tasks = []
    for item, members in by_item.items():
        text = dataset.text_of(item) if item >= 0 else None
        name = (dataset.item_names[item] if item >= 0 and item < len(dataset.item_names) else None) or (
            str(dataset.item_ids[item]) if item >= 0 else ""
        )
        data: dict = {"text": text} if text is not None else {"image": name}
        results, queued = [], []
        for a, was_drawn in members:
            location = dataset.annotation_location(a)
            queued.append(
                {
                    "annotation": location.annotation,
                    "class": dataset.class_name(a),
                    "reason": "sample" if was_drawn else "unsure",
                    "path": location.path,
                    "line": location.line,
                    "pointer": location.pointer,
                }
            )
            results.append(_ls_result(dataset, a, item, spans, text))
        data["labellint"] = {"item": str(dataset.item_ids[item]) if item >= 0 else None, "queued": queued}
        tasks.append({"data": data, "predictions": [{"model_version": "labellint-sample", "result": results}]})
    return tasks


def _ls_result(dataset: Dataset, a: int, item: int, spans: np.ndarray, text: str | None) -> dict:
    label = dataset.class_name(a)
    box = dataset.ann_box[a]
    if spans[a, 0] >= 0:
        start, end = int(spans[a, 0]), int(spans[a, 1])
        value = {"start": start, "end": end, "labels": [label]}
        if text is not None:
            value["text"] = text[start:end]
        return {"from_name": "label", "to_name": "text", "type": "labels", "value": value}
    if not np.isnan(box).any() and item >= 0:
        width, height = float(dataset.item_width[item]), float(dataset.item_height[item])
        if dataset.item_normalized[item] or not (width > 0 and height > 0):
            width = height = 1.0 if dataset.item_normalized[item] else float("nan")
        if width == width:  # sizes known: Label Studio wants percentages of the image
            value = {
                "x": 100 * box[0] / width,
                "y": 100 * box[1] / height,
                "width": 100 * box[2] / width,
                "height": 100 * box[3] / height,
                "rotation": 0,
                "rectanglelabels": [label],
            }
            result = {"from_name": "label", "to_name": "image", "type": "rectanglelabels", "value": value}
            if not dataset.item_normalized[item]:
                result["original_width"], result["original_height"] = int(width), int(height)
            return result
    target = "image" if text is None else "text"
    return {"from_name": "label", "to_name": target, "type": "choices", "value": {"choices": [label]}}
