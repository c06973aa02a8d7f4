"""`review apply`: reviewers' decisions from a Label Studio export of a labellint queue, back into the labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import read_labels, source_for
from labellint.errors import UsageError
from labellint.quality.from_dataset import content_keys
from labellint.spec.model import LabelSpec
from labellint.support.atomic import write_atomically
from labellint.writers.base import MigrationError
from labellint.writers.review import ReviewChange, apply_coco_review

LABEL_KEYS = ("rectanglelabels", "polygonlabels", "labels", "choices")


@dataclass(slots=True)
class ReviewApplyRequest:
    """The Label Studio JSON export, the spec (classes a relabel may use), and whether to write."""

    export: str
    spec: LabelSpec | None = None
    dry_run: bool = False


@dataclass(slots=True)
class ReviewApplyResult:
    """What the reviewers changed, per file; the files written (none on a dry run)."""

    changes: dict[str, list[dict[str, Any]]]
    reviewed_tasks: int
    unreviewed_tasks: int
    written: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "reviewed_tasks": self.reviewed_tasks,
            "unreviewed_tasks": self.unreviewed_tasks,
            "changes": self.changes,
            "written": self.written,
            "notes": self.notes,
        }


def _load_export(path: str) -> list[dict]:
    try:
        tasks = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: cannot read the Label Studio export: {exc}") from None
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise UsageError(f"{path}: a Label Studio JSON export is a list of tasks")
    return tasks


def _queued(task: dict, number: int, export: str) -> list[dict]:
    entries = ((task.get("data") or {}).get("labellint") or {}).get("queued")
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "fingerprint" in e for e in entries):
        raise UsageError(
            f"{export}: task {task.get('id', number)} is not from a queue labellint wrote "
            "(`labellint sample --labelstudio`); nothing written"
        )
    return entries


def _final_result(task: dict) -> list[dict] | None:
    """The result of the task's last submitted annotation; None when nobody reviewed it."""
    done = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    return done[-1].get("result") or [] if done else None


def _pixel_box(region: dict) -> list[float] | None:
    value = region.get("value") or {}
    width, height = region.get("original_width"), region.get("original_height")
    if not width or not height or "x" not in value:
        return None
    return [
        value["x"] * width / 100,
        value["y"] * height / 100,
        value["width"] * width / 100,
        value["height"] * height / 100,
    ]


def _region_label(region: dict) -> str | None:
    value = region.get("value") or {}
    labels = next((value[k] for k in LABEL_KEYS if k in value), None)
    return labels[0] if isinstance(labels, list) and len(labels) == 1 else None


def _decide(entry: dict, region: dict | None, current_box: list[float], spec, where: str) -> ReviewChange | None:
    """What the reviewer did to one queued label: deleted it (its region is gone), relabelled or moved it."""
    if region is None:
        return ReviewChange(entry["pointer"], delete=True)
    change = ReviewChange(entry["pointer"])
    label = _region_label(region)
    if label is not None and label != entry["class"]:
        if spec is not None and spec.resolve_class(label) is None:
            raise UsageError(f"{where}: the reviewer chose {label!r}, a class the spec does not know; nothing written")
        change.class_name = label
    box = _pixel_box(region)
    if box is not None and any(abs(a - b) > 0.01 for a, b in zip(box, current_box, strict=True)):
        change.box = box
    return change if change.class_name is not None or change.box is not None else None


def _collect(tasks: list[dict], export: str, result: ReviewApplyResult) -> dict[str, list[tuple]]:
    """Per label file, each queued label of a reviewed task with the reviewer's region (None: deleted)."""
    per_file: dict[str, list[tuple]] = {}
    for number, task in enumerate(tasks):
        entries = _queued(task, number, export)
        final = _final_result(task)
        if final is None:
            result.unreviewed_tasks += 1
            continue
        result.reviewed_tasks += 1
        name = f"task {task.get('id', number)}"
        by_id = {r.get("id"): r for r in final if isinstance(r, dict)}
        added = len(set(by_id) - {e.get("region") for e in entries})
        if added:
            result.notes.append(f"{name}: {added} region(s) drawn new: adding labels is not supported yet, not applied")
        for entry in entries:
            where = f"{name} ({entry['path']}{entry['pointer'] or ''})"
            per_file.setdefault(entry["path"], []).append((entry, by_id.get(entry.get("region")), where))
    return per_file


def _plan_file(path: str, decisions: list[tuple], spec, problems: list[str]) -> list[ReviewChange]:
    """The changes to one file; a label changed since the queue was made is a conflict, not a change."""
    dataset = read_labels([path], source_for(None, Path(path)), spec)
    readers = {f.reader for f in dataset.files}
    if readers != {"coco"}:
        raise UsageError(f"{path}: review apply writes COCO files so far (this is {', '.join(sorted(readers))})")
    keys = content_keys(dataset)
    by_pointer = {dataset.annotation_location(a).pointer: a for a in range(dataset.n_annotations)}
    changes = []
    for entry, region, where in decisions:
        a = by_pointer.get(entry["pointer"])
        if a is None or str(keys[a]) != entry["fingerprint"]:
            since = entry.get("commit") or "the queue"
            problems.append(f"{where}: the label changed since {since} (when the queue was made); queue it again")
            continue
        change = _decide(entry, region, dataset.ann_box[a].tolist(), spec, where)
        if change is not None:
            changes.append(change)
    return changes


def run_review_apply(request: ReviewApplyRequest) -> ReviewApplyResult:
    """Reads the reviewers' decisions and writes them, all files or none (any conflict: nothing written)."""
    result = ReviewApplyResult({}, 0, 0)
    per_file = _collect(_load_export(request.export), request.export, result)
    problems: list[str] = []
    new_bytes: dict[str, bytes] = {}
    for path, decisions in per_file.items():
        changes = _plan_file(path, decisions, request.spec, problems)
        if not changes:
            continue
        try:
            new_bytes[path] = apply_coco_review(Path(path).read_bytes(), path, changes)
        except MigrationError as exc:
            problems.append(str(exc))
        result.changes[path] = [c.as_json() for c in changes]
    if problems:
        raise UsageError(f"{problems[0]} ({len(problems)} conflicts in all; nothing written)", details=problems)
    if not request.dry_run:
        for path, data in new_bytes.items():
            write_atomically(Path(path), data)
            result.written.append(path)
    return result
