"""`review apply`: reviewers' decisions from a Label Studio export of a labellint queue, back into the labels."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import read_labels, source_for
from labellint.commands.review_decisions import WRITABLE, FileView
from labellint.errors import UsageError
from labellint.quality.from_dataset import content_keys, unsure_mask
from labellint.spec.model import LabelSpec
from labellint.support.atomic import write_atomically
from labellint.writers.base import MigrationError
from labellint.writers.review import ReviewChange, apply_review


@dataclass(slots=True)
class ReviewApplyRequest:
    """The Label Studio JSON export, the spec (classes a relabel may use), and whether to write."""

    export: str
    spec: LabelSpec | None = None
    dry_run: bool = False
    queue: str | None = None  # the CVAT task labellint wrote, for a CVAT XML export


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
    meta = (task.get("data") or {}).get("labellint") or {}
    entries = meta.get("queued", meta.get("suspects"))  # a `sample` queue, or a `suspects` one
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


@dataclass(slots=True)
class _Decision:
    """A queued label with the reviewer's region for it (None: deleted), or a region drawn new
    (`entry` None) on the item of the task's first queued label (`anchor`)."""

    entry: dict | None
    region: dict | None
    where: str
    anchor: dict | None = None
    item: str | None = None


def _collect(tasks: list[dict], export: str, result: ReviewApplyResult) -> dict[str, list[_Decision]]:
    """Per label file, each queued label of a reviewed task with the reviewer's region, and the regions drawn new."""
    per_file: dict[str, list[_Decision]] = {}
    for number, task in enumerate(tasks):
        entries = _queued(task, number, export)
        final = _final_result(task)
        if final is None:
            result.unreviewed_tasks += 1
            continue
        result.reviewed_tasks += 1
        name = f"task {task.get('id', number)}"
        by_id = {r.get("id"): r for r in final if isinstance(r, dict)}
        labels = [e for e in entries if e.get("fingerprint") is not None]
        # Where a new label goes: the file (and result list) of a queued label, else of a proposal's item.
        anchor = next((e for e in labels if e.get("pointer") is not None), (labels or entries or [None])[0])
        item = ((task.get("data") or {}).get("labellint") or {}).get("item")
        seen: set = set()
        for entry in labels:
            if entry.get("region") in seen:
                continue  # two findings on one label (a suspects queue): one decision
            seen.add(entry.get("region"))
            where = f"{name} ({entry['path']}{entry['pointer'] or ''}{_line(entry)})"
            per_file.setdefault(entry["path"], []).append(_Decision(entry, by_id.get(entry.get("region")), where))
        for region_id, region in by_id.items():
            if region_id in seen:
                continue
            # Drawn new, or a proposed box (a label the suspects say is missing) the reviewer kept.
            where = f"{name} (region {region_id} drawn new)"
            if anchor is None:
                result.notes.append(f"{where}: the task queues no label to find the file by; not applied")
                continue
            per_file.setdefault(anchor["path"], []).append(_Decision(None, region, where, anchor, item))
    return per_file


def _line(entry: dict) -> str:
    return f":{entry['line']}" if entry.get("line") and not entry.get("pointer") else ""


def _place(location) -> str:
    """The key a queue entry and a label read now share: the JSON pointer, else the line."""
    return location.pointer if location.pointer is not None else f"line {location.line}"


def _plan_file(path: str, decisions: list[_Decision], spec, problems: list[str]) -> tuple[str, list[ReviewChange]]:
    """The file's reader and its changes; a label changed since the queue was made is a conflict, not a change."""
    dataset = read_labels([path], source_for(None, Path(path)), spec)
    readers = {f.reader for f in dataset.files}
    if len(readers) != 1 or next(iter(readers)) not in WRITABLE:
        shown = ", ".join(sorted(readers)) or "no labels"
        raise UsageError(f"{path}: review apply writes {', '.join(WRITABLE)} files (this is {shown})")
    reader = next(iter(readers))
    keys, unsure = content_keys(dataset), unsure_mask(dataset, spec)
    view = FileView(dataset, reader, spec)
    by_place: dict[str, dict[str, int]] = {}  # several spans of one JSON Lines record share a line
    for a in range(dataset.n_annotations):
        by_place.setdefault(_place(dataset.annotation_location(a)), {})[str(keys[a])] = a
    changes = []
    for decision in decisions:
        if decision.entry is None:
            change = view.added(decision, problems)
            changes += [change] if change is not None else []
            continue
        entry = decision.entry
        place = entry["pointer"] if entry.get("pointer") is not None else f"line {entry.get('line')}"
        a = by_place.get(place, {}).get(entry["fingerprint"])
        if a is None:
            since = entry.get("commit") or "the queue"
            message = f"the label changed since {since} (when the queue was made); queue it again"
            problems.append(f"{decision.where}: {message}")
            continue
        change = view.decide(entry, decision.region, a, bool(unsure[a]), decision.where)
        if change is not None:
            changes.append(change)
    return reader, changes


def run_review_apply(request: ReviewApplyRequest) -> ReviewApplyResult:
    """Reads the reviewers' decisions and writes them, all files or none (any conflict: nothing written)."""
    result = ReviewApplyResult({}, 0, 0)
    if request.export.lower().endswith(".xml"):
        from labellint.commands.review_cvat import cvat_review_tasks

        tasks = cvat_review_tasks(request.export, request.queue)
    else:
        tasks = _load_export(request.export)
    per_file = _collect(tasks, request.export, result)
    problems: list[str] = []
    new_bytes: dict[str, bytes] = {}
    for path, decisions in per_file.items():
        reader, changes = _plan_file(path, decisions, request.spec, problems)
        if not changes:
            continue
        try:
            new_bytes[path] = apply_review(reader, Path(path).read_bytes(), path, changes)
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
