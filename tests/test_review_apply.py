"""`review apply`: a Label Studio export of a `sample` queue back into the COCO labels, in a real git repo."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

from conftest import shared_path
from helpers import SPEC_TEXT, labelstudio_exported, run_cli, write_coco

IMAGES = [{"id": i, "file_name": f"img{i}.jpg", "width": 640, "height": 480} for i in (1, 2, 3)]
ANNOTATIONS = [
    {"id": 11, "image_id": 1, "category_id": 3, "bbox": [10, 20, 100, 50], "area": 5000, "iscrowd": 0},
    {"id": 12, "image_id": 1, "category_id": 1, "bbox": [300, 100, 20, 60], "area": 1200, "iscrowd": 0},
    {"id": 21, "image_id": 2, "category_id": 2, "bbox": [50, 60, 40, 80], "area": 3200, "iscrowd": 0},
    {"id": 22, "image_id": 2, "category_id": 3, "bbox": [200, 200, 120, 60], "area": 7200, "iscrowd": 0},
    {"id": 31, "image_id": 3, "category_id": 1, "bbox": [5, 5, 10, 30], "area": 300, "iscrowd": 0},
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    (repo / "labelspec.yaml").write_text(SPEC_TEXT, encoding="utf-8")
    write_coco(repo / "labels.json", IMAGES, ANNOTATIONS)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "labels")
    return repo


def _queue(repo: Path) -> list[dict]:
    return _queue_at(repo, "1")


def _queue_at(repo: Path, rate: str) -> list[dict]:
    args = ("sample", "labels.json", "--rate", rate, "-o", "queue.csv", "--labelstudio", "queue.json")
    result = run_cli(*args, cwd=repo)
    assert result.exit_code == 0, result.output
    return json.loads((repo / "queue.json").read_text())


def _reviewed(tasks: list[dict]) -> list[dict]:
    """img1: the car (11) relabelled cyclist, the pedestrian (12) moved; img2: the car (22) deleted,
    the cyclist (21) accepted as it was; img3: not reviewed yet."""
    by_image = {t["data"]["image"]: t for t in tasks}
    exported = []
    for number, name in enumerate(("img1.jpg", "img2.jpg", "img3.jpg"), start=1):
        task = by_image[name]
        result = copy.deepcopy(task["predictions"][0]["result"])
        for region in result:
            region["origin"] = "prediction"
        if name == "img1.jpg":
            car = next(r for r in result if r["value"]["rectanglelabels"] == ["car"])
            car["value"]["rectanglelabels"], car["origin"] = ["cyclist"], "prediction-changed"
            pedestrian = next(r for r in result if r["value"]["rectanglelabels"] == ["pedestrian"])
            pedestrian["value"]["x"], pedestrian["origin"] = 50.0, "prediction-changed"  # 320 px
        if name == "img2.jpg":
            result = [r for r in result if r["value"]["rectanglelabels"] != ["car"]]
        exported.append(labelstudio_exported(task, number, None if name == "img3.jpg" else result))
    return exported


def test_label_studio_round_trip_changes_exactly_the_edited_annotations(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    tasks = _queue(repo)
    assert {e["commit"] for t in tasks for e in t["data"]["labellint"]["queued"]} == {
        _git(repo, "rev-parse", "HEAD").strip()
    }
    (repo / "export.json").write_text(json.dumps(_reviewed(tasks), indent=2), encoding="utf-8")
    before = (repo / "labels.json").read_bytes()

    dry = run_cli("review", "apply", "export.json", "--dry-run", cwd=repo)
    assert dry.exit_code == 0, dry.output
    assert "would change 3 labels in 1 files (2 tasks reviewed, 1 not yet)" in dry.stdout
    assert (repo / "labels.json").read_bytes() == before

    applied = run_cli("review", "apply", "export.json", cwd=repo)
    assert applied.exit_code == 0, applied.output
    after = json.loads((repo / "labels.json").read_text())
    by_id = {a["id"]: a for a in after["annotations"]}
    assert sorted(by_id) == [11, 12, 21, 31]
    assert by_id[11] == {**ANNOTATIONS[0], "category_id": 2}
    assert by_id[12] == {**ANNOTATIONS[1], "bbox": [320.0, 100, 20, 60]}
    assert by_id[21] == ANNOTATIONS[2] and by_id[31] == ANNOTATIONS[4]
    assert after["images"] == IMAGES and after["categories"] == json.loads(before)["categories"]
    # The file's own layout is kept: the bytes before the annotations and from the categories on are the same.
    raw = (repo / "labels.json").read_bytes()
    head, tail = before.index(b'"annotations"'), before.index(b'"categories"')
    assert raw[:head] == before[:head] and raw.endswith(before[tail:])
    assert raw.count(b"\n") < before.count(b"\n")  # indented as written, minus the deleted annotation

    # `labellint diff` explains the result as exactly the reviewers' three edits.
    diff = run_cli("diff", "HEAD", "--path", "labels.json", "--format", "json", cwd=repo)
    summary = json.loads(diff.stdout)
    assert summary["annotations"] == {
        "added": 0,
        "removed": 1,
        "relabeled": 1,
        "moved": 1,
        "attributes_changed": 0,
        "unchanged": 2,
    }
    assert summary["transitions"] == [{"from": "car", "to": "cyclist", "count": 1}]


def test_a_label_changed_since_the_queue_stops_the_apply_and_nothing_is_written(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    tasks = _queue(repo)
    (repo / "export.json").write_text(json.dumps(_reviewed(tasks)), encoding="utf-8")
    changed = [dict(a) for a in ANNOTATIONS]
    changed[0]["bbox"] = [12, 20, 100, 50]  # someone moved the car after the queue was made
    write_coco(repo / "labels.json", IMAGES, changed)
    _git(repo, "commit", "-qam", "moved the car")
    before = (repo / "labels.json").read_bytes()
    result = run_cli("review", "apply", "export.json", cwd=repo)
    assert result.exit_code == 2
    assert "task 1 (labels.json/annotations/0): the label changed since" in result.stderr
    assert (repo / "labels.json").read_bytes() == before


def test_a_class_the_spec_does_not_know_or_a_foreign_export_is_refused(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    tasks = _queue(repo)
    exported = _reviewed(tasks)
    exported[0]["annotations"][0]["result"][0]["value"]["rectanglelabels"] = ["tram"]
    (repo / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    before = (repo / "labels.json").read_bytes()
    unknown = run_cli("review", "apply", "export.json", cwd=repo)
    assert unknown.exit_code == 2 and "'tram', a class the spec does not know" in unknown.stderr
    foreign = [{"id": 7, "data": {"image": "img1.jpg"}, "annotations": []}]
    (repo / "foreign.json").write_text(json.dumps(foreign), encoding="utf-8")
    refused = run_cli("review", "apply", "foreign.json", cwd=repo)
    assert refused.exit_code == 2 and "task 7 is not from a queue labellint wrote" in refused.stderr
    assert (repo / "labels.json").read_bytes() == before


def test_round_trip_on_real_coco128_labels_touches_only_the_reviewed_annotations(tmp_path: Path) -> None:
    source = shared_path("data", "coco", "coco128", "instances_train2017.json")
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    shutil.copy(source, repo / "labels.json")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "coco128")
    original = json.loads(source.read_text())
    names = {c["id"]: c["name"] for c in original["categories"]}
    tasks = _queue_at(repo, "0.05")
    first = next(t for t in tasks if len(t["predictions"][0]["result"]) >= 2)
    result = copy.deepcopy(first["predictions"][0]["result"])
    old_class = result[0]["value"]["rectanglelabels"][0]
    new_class = next(n for n in names.values() if n != old_class)
    result[0]["value"]["rectanglelabels"] = [new_class]
    deleted = result.pop(1)["id"]
    exported = [labelstudio_exported(t, n, result if t is first else None) for n, t in enumerate(tasks, start=1)]
    (repo / "export.json").write_text(json.dumps(exported), encoding="utf-8")

    applied = run_cli("review", "apply", "export.json", cwd=repo)
    assert applied.exit_code == 0, applied.output
    queued = {e["region"]: e["pointer"] for e in first["data"]["labellint"]["queued"]}
    relabelled, removed = int(queued[result[0]["id"]].rsplit("/", 1)[1]), int(queued[deleted].rsplit("/", 1)[1])
    after = json.loads((repo / "labels.json").read_text())
    expected = [dict(a) for k, a in enumerate(original["annotations"]) if k != removed]
    by_name = {n: i for i, n in names.items()}
    expected[relabelled - (relabelled > removed)]["category_id"] = by_name[new_class]
    assert after["annotations"] == expected
    assert len(after["annotations"]) == len(original["annotations"]) - 1
    assert {k: v for k, v in after.items() if k != "annotations"} == {
        k: v for k, v in original.items() if k != "annotations"
    }


def test_an_unsure_label_accepted_is_resolved_and_a_box_drawn_new_is_added(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    (repo / "labelspec.yaml").write_text(SPEC_TEXT, encoding="utf-8")
    annotations = [dict(a) for a in ANNOTATIONS]
    annotations[4]["attributes"] = {"unsure": True, "occluded": False}
    write_coco(repo / "labels.json", IMAGES, annotations)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "labels")
    tasks = _queue_at(repo, "0.01")
    img3 = next(t for t in tasks if t["data"]["image"] == "img3.jpg")
    assert [e["annotation"] for e in img3["data"]["labellint"]["queued"]] == ["31"]
    result = copy.deepcopy(img3["predictions"][0]["result"])  # the reviewer keeps the box: it is a pedestrian
    drawn = {**copy.deepcopy(result[0]), "id": "drawn-1", "origin": "manual"}
    drawn["value"] = {"x": 50.0, "y": 25.0, "width": 10.0, "height": 20.0, "rotation": 0, "rectanglelabels": ["car"]}
    result.append(drawn)
    exported = [labelstudio_exported(t, n, result if t is img3 else None) for n, t in enumerate(tasks, start=1)]
    (repo / "export.json").write_text(json.dumps(exported), encoding="utf-8")

    applied = run_cli("review", "apply", "export.json", cwd=repo)
    assert applied.exit_code == 0, applied.output
    assert "changed 2 labels in 1 files (1 tasks reviewed" in applied.stdout
    after = json.loads((repo / "labels.json").read_text())
    assert after["annotations"][:4] == ANNOTATIONS[:4]
    assert after["annotations"][4] == {**ANNOTATIONS[4], "attributes": {"unsure": False, "occluded": False}}
    assert after["annotations"][5] == {
        "id": 32,
        "image_id": 3,
        "category_id": 3,
        "bbox": [320.0, 120.0, 64.0, 96.0],
        "area": 6144.0,
        "iscrowd": 0,
    }
    assert len(after["annotations"]) == 6
    diff = json.loads(run_cli("diff", "HEAD", "--path", "labels.json", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["added"] == 1 and diff["annotations"]["removed"] == 0
