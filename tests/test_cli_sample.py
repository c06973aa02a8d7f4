"""`labellint sample`: stratified by class, reproducible, every unsure label, changed labels only."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import subprocess
from collections import Counter
from pathlib import Path

from helpers import SPEC_TEXT, run_cli, write_coco

CLASS_SIZES = {1: 400, 2: 90, 3: 7}  # pedestrian, cyclist, car
NAMES = {1: "pedestrian", 2: "cyclist", 3: "car"}


def _dataset(path: Path, order_seed: int = 0, unsure_ids: frozenset[int] = frozenset()) -> Path:
    images = [{"id": i, "file_name": f"img{i}.jpg", "width": 640, "height": 480} for i in range(1, 51)]
    annotations = []
    next_id = 1
    for category, size in CLASS_SIZES.items():
        for k in range(size):
            ann = {
                "id": next_id,
                "image_id": 1 + (next_id % 50),
                "category_id": category,
                "bbox": [float(next_id), 20 + k % 200, 30, 40],
            }
            if next_id in unsure_ids:
                ann["attributes"] = {"unsure": True}
            annotations.append(ann)
            next_id += 1
    random.Random(order_seed).shuffle(annotations)
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = SPEC_TEXT.replace(
        "  occluded: {type: boolean}\n", "  occluded: {type: boolean}\n  unsure: {type: boolean}\n"
    )
    (path.parent / "labelspec.yaml").write_text(spec)
    return write_coco(path, images, annotations)


def _rows(stdout: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(stdout)))


def _expected_quota(size: int, rate: float) -> int:
    return min(size, max(1, math.floor(rate * size + 0.5)))


def test_each_class_gets_its_share_and_rare_classes_at_least_one(tmp_path: Path) -> None:
    labels = _dataset(tmp_path / "labels.json")
    result = run_cli("sample", str(labels), "--rate", "0.05", "--seed", "7", cwd=tmp_path)
    assert result.exit_code == 0, result.output + result.stderr
    rows = _rows(result.stdout)
    counts = Counter(row["class"] for row in rows)
    assert counts == {NAMES[c]: _expected_quota(n, 0.05) for c, n in CLASS_SIZES.items()}
    assert counts["car"] == 1 and counts["pedestrian"] == 20
    assert {row["reason"] for row in rows} == {"sample"}
    assert len({row["annotation"] for row in rows}) == len(rows)
    assert "drawn" in result.stderr


def test_same_seed_same_sample_whatever_the_file_order(tmp_path: Path) -> None:
    first = _dataset(tmp_path / "a" / "labels.json", order_seed=1)
    second = _dataset(tmp_path / "b" / "labels.json", order_seed=2)
    ids = []
    for labels, seed in ((first, "3"), (first, "3"), (second, "3"), (first, "4")):
        result = run_cli("sample", str(labels), "--seed", seed, cwd=labels.parent)
        ids.append(sorted(row["annotation"] for row in _rows(result.stdout)))
    assert ids[0] == ids[1] == ids[2]
    assert ids[3] != ids[0]


def test_every_unsure_label_is_queued(tmp_path: Path) -> None:
    unsure = frozenset({5, 6, 300, 410, 495})
    labels = _dataset(tmp_path / "labels.json", unsure_ids=unsure)
    result = run_cli("sample", str(labels), "--rate", "0.02", "--format", "jsonl", cwd=tmp_path)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    queued = {int(row["annotation"]) for row in rows}
    assert unsure <= queued
    reasons = Counter(row["reason"] for row in rows)
    drawn_unsure = sum(1 for row in rows if row["reason"] == "sample" and int(row["annotation"]) in unsure)
    assert reasons["unsure"] == len(unsure) - drawn_unsure


def test_label_studio_import_file(tmp_path: Path) -> None:
    labels = _dataset(tmp_path / "labels.json")
    out = tmp_path / "queue.csv"
    ls = tmp_path / "tasks.json"
    result = run_cli("sample", str(labels), "-o", str(out), "--labelstudio", str(ls), cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    rows = _rows(out.read_text())
    tasks = json.loads(ls.read_text())
    assert len(tasks) == len({row["item"] for row in rows})
    results = [r for task in tasks for r in task["predictions"][0]["result"]]
    assert len(results) == len(rows)
    first = results[0]
    assert first["type"] == "rectanglelabels" and first["original_width"] == 640
    assert first["value"]["width"] == 100 * 30 / 640
    assert all(task["data"]["image"].startswith("img") for task in tasks)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_since_samples_only_changed_labels(tmp_path: Path) -> None:
    repo = tmp_path
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "T")
    labels = _dataset(repo / "labels.json")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    document = json.loads(labels.read_text())
    changed = set()
    for ann in document["annotations"][:40]:
        ann["category_id"] = 2 if ann["category_id"] != 2 else 1
        changed.add(str(ann["id"]))
    labels.write_text(json.dumps(document))
    result = run_cli("sample", "labels.json", "--since", "HEAD", "--rate", "0.05", cwd=repo)
    assert result.exit_code == 0, result.stderr
    rows = _rows(result.stdout)
    assert rows and {row["annotation"] for row in rows} <= changed
    assert "of 40 changed labels" in result.stderr


def test_bad_rate_is_a_usage_error(tmp_path: Path) -> None:
    labels = _dataset(tmp_path / "labels.json")
    result = run_cli("sample", str(labels), "--rate", "1.5", cwd=tmp_path)
    assert result.exit_code == 2 and "--rate" in result.stderr
