"""Small helpers for tests: run the real CLI in-process and write label files."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from click.testing import CliRunner, Result

from labellint.cli import main
from labellint.rules import invalid_polygon
from labellint.rules._segmentation import Segmentations, next_point

SPEC_TEXT = """\
spec: 1
name: test-scenes
version: 1.0.0
task: detection
classes:
  pedestrian:
    id: 1
    definition: A person on foot.
    include: [walker, jogger, person pushing a stroller]
    exclude: [cyclist, statue, poster]
    geometry: {min_width: 4, min_height: 8, aspect_ratio: [0.1, 2.0]}
  cyclist:
    id: 2
    definition: A person riding a bicycle.
    include: [rider, child in a bike seat, e-scooter rider]
    exclude: [parked bike, pedestrian, motorcyclist]
  car:
    id: 3
    definition: A passenger vehicle.
    include: [sedan, van, taxi]
    exclude: [toy car, poster, trailer]
attributes:
  occluded: {type: boolean}
priority:
  - [cyclist, pedestrian]
unsure:
  attribute: unsure
geometry:
  inside_image: {tolerance: 0.5}
  min_width: 2
  min_height: 2
  duplicate_iou: 0.9
  conflict_iou: 0.8
"""


def run_cli(*args: str, cwd: Path | None = None) -> Result:
    """Runs `labellint ARGS` in-process (stdout and stderr apart), from `cwd`."""
    runner = CliRunner()
    with working_directory(cwd or Path.cwd()):
        return runner.invoke(main, list(args), catch_exceptions=False)


def labelstudio_exported(task: dict, number: int, result: list[dict] | None) -> dict:
    """A task as Label Studio's JSON export writes it: the imported data, and the reviewer's annotation,
    whose result starts as a copy of the prediction (same region ids) and holds the reviewer's edits."""
    annotations = []
    if result is not None:
        annotations.append(
            {
                "id": 100 + number,
                "completed_by": 1,
                "result": result,
                "was_cancelled": False,
                "ground_truth": False,
                "created_at": "2026-12-03T10:00:00.000000Z",
                "updated_at": "2026-12-03T10:01:00.000000Z",
                "draft_created_at": None,
                "lead_time": 42.5,
                "prediction": {},
                "result_count": len(result),
                "unique_id": f"review-{number}",
                "import_id": None,
                "last_action": None,
                "task": number,
                "project": 1,
                "updated_by": 1,
                "parent_prediction": 200 + number,
                "parent_annotation": None,
                "last_created_by": None,
            }
        )
    return {
        "id": number,
        "annotations": annotations,
        "file_upload": None,
        "drafts": [],
        "predictions": [200 + number],
        "data": task["data"],
        "meta": {},
        "created_at": "2026-12-03T09:00:00.000000Z",
        "updated_at": "2026-12-03T10:01:00.000000Z",
        "inner_id": number,
        "total_annotations": len(annotations),
        "cancelled_annotations": 0,
        "total_predictions": 1,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 1,
        "updated_by": 1,
        "comment_authors": [],
    }


@contextmanager
def working_directory(path: Path):
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def write_coco(path: Path, images: list[dict], annotations: list[dict], categories: list[dict] | None = None) -> Path:
    categories = categories or [
        {"id": 1, "name": "pedestrian"},
        {"id": 2, "name": "cyclist"},
        {"id": 3, "name": "car"},
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"images": images, "annotations": annotations, "categories": categories}, indent=1))
    return path


def problems_of(result: Result) -> list[dict]:
    """The problems of a `--format json` run."""
    return json.loads(result.stdout)["problems"]


def every_pair_crossings(seg: Segmentations, parts: np.ndarray) -> dict[int, tuple[int, int, int]]:
    """The reference: every pair of non-adjacent non-zero-length edges of a part, through the orientation test."""
    following = next_point(seg)
    result: dict[int, tuple[int, int, int]] = {}
    for k in np.flatnonzero(parts).tolist():
        start, size = int(seg.part_start[k]), int(seg.part_size[k])
        edges = [e for e in range(start, start + size) if (seg.points[e] != seg.points[following[e]]).any()]
        pairs = [(i, j) for i in range(len(edges)) for j in range(i + 2, len(edges)) if (i, j) != (0, len(edges) - 1)]
        if not pairs:
            continue
        first = np.array([edges[i] for i, _ in pairs])
        second = np.array([edges[j] for _, j in pairs])
        hit = np.flatnonzero(invalid_polygon._segments_meet(seg.points, following, first, second))
        if len(hit):
            result[k] = (int(first[hit[0]]), int(second[hit[0]]), len(hit))
    return result
