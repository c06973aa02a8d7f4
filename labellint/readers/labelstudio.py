"""Label Studio JSON export reader: rectangles, polygons, text spans and choices, per annotator."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import utf8_text, utf16_problem
from labellint.readers._jsonkeys import duplicate_key_issues
from labellint.readers._jsonpos import JsonLocator, offset_from_message
from labellint.readers._rotation import rotated_box
from labellint.readers._text import TextBuilder
from labellint.readers.base import Candidate, ReadContext, Reader, issue

MEDIA_KEYS = ("image", "audio", "video")
_DATA = re.compile(rb'"data"\s*:\s*\{')
_TASK_KEYS = re.compile(rb'"(annotations|completions|predictions)"\s*:\s*\[')
# Result types that carry no label of their own (links between regions, free text, ratings).
NOT_LABELS = {"relation", "textarea", "rating", "number", "datetime", "pairwise", "ranker"}


class LabelStudioReader(Reader):
    """Reads a Label Studio JSON export (a list of tasks with `data` and `annotations`).

    One item per task (text in `data.text`, or the `text` option; image path in `data.image`).
    Every submitted annotation of every annotator is read, with the annotator id (`completed_by`,
    an int or an object with `id`) kept. Region results become annotations:
    `rectanglelabels` boxes in pixels (percent x original_width/height; a `rotation` turns the
    box about its top-left corner: its corners become the polygon, their envelope the box), `polygonlabels`
    polygons (pixels, box = their bounds), `labels` text spans (`start`, `end`, stated `text`),
    `choices` and `taxonomy` classification labels (taxonomy paths joined by "/").
    Deliberately NOT read: `predictions` (model output, not labels), `drafts` (unsubmitted work;
    counted in the file's meta) and annotations with `was_cancelled: true` (the annotator
    skipped the task; counted). Set the option `drafts = true` to read drafts as well.
    """

    name = "labelstudio"
    suffixes = (".json",)
    description = "Label Studio JSON export: rectangles, polygons, spans, choices; several annotators"

    def claims(self, candidate: Candidate) -> bool:
        """A list of tasks (or one task) whose records hold a `data` object; CreateML's
        `[{"image", "annotations"}]` and other lists without `data` are not Label Studio."""
        text = utf8_text(candidate.head, partial=True).lstrip()
        if candidate.suffix != ".json" or not text.startswith((b"[", b"{")) or not _DATA.search(text):
            return False
        return text.startswith(b"[") or bool(_TASK_KEYS.search(text))

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        reopen = context.opener(path)  # before reading: a file changed after this gives no lines
        raw = context.read_bytes(path)
        data = utf8_text(raw)
        if data is raw and (problem := utf16_problem(raw)):
            # Found from the byte-order mark at the very start; the message names the bad byte.
            unreadable = issue("LL001", problem, display, line=1, column=1)
            return Dataset(files=[SourceFile(path=display, reader=self.name)], issues=[unreadable])
        source = SourceFile(path=display, reader=self.name, locator=JsonLocator(reopen, utf8_text, len(data)))
        builder = TextBuilder(source)
        item_pointers: list[str] = []
        ann_pointers: list[str] = []
        source.item_pointers, source.annotation_pointers = item_pointers, ann_pointers
        try:
            tasks = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            offset = offset_from_message(str(exc))
            if offset is None and "truncated" in str(exc):
                offset = len(data)  # the file ends too early: point at its end
            where: dict[str, Any] = {}
            if offset is not None:
                where = {"line": data.count(b"\n", 0, offset) + 1}
            builder.issues.append(issue("LL001", f"cannot parse JSON: {exc}", display, **where))
            return builder.build()
        if isinstance(tasks, dict):
            tasks = [tasks]  # a single task saved on its own
        if not isinstance(tasks, list):
            builder.issues.append(issue("LL002", "a Label Studio export must be a list of tasks", display, pointer=""))
            return builder.build()
        builder.issues.extend(duplicate_key_issues(data, display))
        reader = _TaskReader(builder, item_pointers, ann_pointers, context.options)
        for k, task in enumerate(tasks):
            reader.task(k, task)
        source.meta.update(reader.counts)
        return builder.build()


class _TaskReader:
    """Reads tasks into the builder, reporting broken records by JSON pointer."""

    def __init__(self, builder: TextBuilder, item_pointers: list[str], ann_pointers: list[str], options: dict) -> None:
        self.builder = builder
        self.item_pointers = item_pointers
        self.ann_pointers = ann_pointers
        self.text_key = options.get("text")
        self.read_drafts = bool(options.get("drafts", False))
        self.counts = {"drafts": 0, "cancelled": 0, "predictions": 0, "unlabelled_results": 0}

    def problem(self, message: str, pointer: str) -> None:
        self.builder.issues.append(issue("LL002", message, self.builder.source.path, pointer=pointer))

    def task(self, k: int, task: Any) -> None:
        pointer = f"/{k}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            self.problem("a task must be an object with a `data` object", pointer)
            return
        data = task["data"]
        text = data.get(self.text_key) if self.text_key else data.get("text")
        if text is None and not self.text_key:
            strings = [v for key, v in data.items() if isinstance(v, str) and key not in ("image", "audio", "video")]
            text = strings[0] if len(strings) == 1 and "image" not in data else None
        name = data.get("image") if isinstance(data.get("image"), str) else None
        item_id = task.get("id", k)
        self.item_pointers.append(pointer)
        item = self.builder.add_item(
            item_id if isinstance(item_id, int | str) else k,
            text if isinstance(text, str) else None,
            index=len(self.item_pointers) - 1,
            name=name,
        )
        media = [f"{key} {data[key]}" for key in MEDIA_KEYS if isinstance(data.get(key), str)]
        if media:
            # Regions are on the media: tasks sharing a `data.text` caption are still different images.
            self.builder.item_task[item] = "; ".join(media)
        self.counts["predictions"] += len(task.get("predictions") or [])
        key = "annotations" if "annotations" in task else "completions"  # older exports
        groups = [(key, task.get(key) or [])]
        drafts = task.get("drafts") or []
        self.counts["drafts"] += len(drafts) if isinstance(drafts, list) else 0
        if self.read_drafts and isinstance(drafts, list):
            groups.append(("drafts", drafts))
        for group, records in groups:
            if not isinstance(records, list):
                self.problem(f"`{group}` must be a list", f"{pointer}/{group}")
                continue
            for j, annotation in enumerate(records):
                self.annotation(item, text, annotation, f"{pointer}/{group}/{j}", draft=group == "drafts")

    def annotation(self, item: int, text: Any, annotation: Any, pointer: str, draft: bool) -> None:
        if not isinstance(annotation, dict) or not isinstance(annotation.get("result", []), list):
            self.problem("an annotation must be an object with a `result` list", pointer)
            return
        if annotation.get("was_cancelled"):
            self.counts["cancelled"] += 1
            return
        annotator = _annotator(annotation.get("completed_by", annotation.get("user")))
        ann_key = annotation.get("id", pointer)
        for r, result in enumerate(annotation.get("result", [])):
            self.result(item, result, f"{pointer}/result/{r}", annotator, f"{ann_key}/{r}", draft)

    def dropped(self, item: int, message: str, pointer: str) -> None:
        """A result that cannot be read: an LL002, and its task's labels are not known in full."""
        self.problem(message, pointer)
        self.builder.item_labels_unknown[item] = f"its result at {pointer} could not be read"

    def result(self, item: int, result: Any, pointer: str, annotator: str | None, ann_id: str, draft: bool) -> None:
        if not isinstance(result, dict) or not isinstance(result.get("value"), dict):
            self.dropped(item, "a result must be an object with a `value` object", pointer)
            return
        kind, value = result.get("type"), result["value"]
        if kind in NOT_LABELS:
            self.counts["unlabelled_results"] += 1
            return
        labels = value.get(kind) if isinstance(kind, str) else None
        if kind == "taxonomy" and isinstance(labels, list):
            labels = ["/".join(str(p) for p in path) if isinstance(path, list) else str(path) for path in labels]
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            self.dropped(item, f"result of type {kind!r} has no list of labels in `value.{kind}`", pointer)
            return
        if not labels:
            # A region nobody named: reading it would drop it without a word.
            self.dropped(item, f"result of type {kind!r} has an empty label list `value.{kind}`", pointer)
            return
        geometry: dict[str, Any] = {}
        if kind in ("rectanglelabels", "polygonlabels"):
            geometry = self.geometry(kind, result, value, pointer)
            if not geometry:
                self.builder.item_labels_unknown[item] = f"its region at {pointer} could not be read"
                return
        elif kind in ("labels", "hypertextlabels", "paragraphlabels"):
            start, end = value.get("start"), value.get("end")
            if (
                isinstance(start, bool)
                or not isinstance(start, int)
                or isinstance(end, bool)
                or not isinstance(end, int)
            ):
                self.dropped(item, "a text span needs integer `start` and `end` offsets", pointer)
                return
            stated = value.get("text")
            geometry = {"span": (start, end), "text": stated if isinstance(stated, str) else None}
        attributes = {"draft": True} if draft else None
        fields = geometry.pop("fields", None)
        for n, label in enumerate(labels):
            self.ann_pointers.append(pointer)
            a = self.builder.add_annotation(
                item,
                label,
                index=len(self.ann_pointers) - 1,
                # One region may carry several labels (taxonomy paths): each is its own annotation.
                ann_id=ann_id if len(labels) == 1 else f"{ann_id}:{n}",
                annotator=annotator,
                attributes=attributes,
                **geometry,
            )
            if fields:
                self.builder.ann_fields[a] = fields

    def geometry(self, kind: str, result: dict, value: dict, pointer: str) -> dict[str, Any]:
        """Box (and polygon) in pixels from Label Studio's percent coordinates."""
        width, height = result.get("original_width"), result.get("original_height")
        if not _positive(width) or not _positive(height):
            self.problem("a region needs positive `original_width` and `original_height`", pointer)
            return {}
        builder, item = self.builder, len(self.builder.item_ids) - 1
        builder.item_width[item], builder.item_height[item] = float(width), float(height)
        sx, sy = width / 100.0, height / 100.0
        if kind == "rectanglelabels":
            numbers = [value.get(k) for k in ("x", "y", "width", "height")]
            if not all(_number(v) for v in numbers):
                self.problem("a rectangle needs numeric `x`, `y`, `width`, `height`", pointer)
                return {}
            rotation = value.get("rotation", 0)
            if not _number(rotation) or not np.isfinite(rotation):
                self.problem(f"a rectangle's `rotation` must be a number of degrees, not {rotation!r}", pointer)
                return {}
            x, y, w, h = numbers
            return rotated_box(x * sx, y * sy, w * sx, h * sy, float(rotation))
        points = value.get("points")
        if not isinstance(points, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(_number(v) for v in p) for p in points
        ):
            self.problem("a polygon needs `points` as a list of [x, y] pairs", pointer)
            return {}
        array = np.asarray(points, np.float64).reshape(-1, 2) * (sx, sy)
        if not len(array):
            return {"segmentation": [[]]}
        low, high = array.min(axis=0), array.max(axis=0)
        return {
            "box": (float(low[0]), float(low[1]), float(high[0] - low[0]), float(high[1] - low[1])),
            "segmentation": [array.ravel().tolist()],
        }


def _annotator(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id", value.get("email"))
    return None if value is None or isinstance(value, bool) else str(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positive(value: Any) -> bool:
    return _number(value) and value > 0
