"""`review apply` on a `suspects` queue: real COCO128 labels with a relabelled and a missing box, in a git repo."""

from __future__ import annotations

import copy
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import shared_path
from helpers import labelstudio_exported, run_cli


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def test_suspects_queue_round_trip_fixes_the_relabel_and_adds_the_missing_box(tmp_path: Path) -> None:
    coco = json.loads(shared_path("data", "coco", "coco128", "instances_train2017.json").read_text())
    predictions = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 0.9}
        for a in coco["annotations"]
    ]
    big = [a for a in coco["annotations"] if a["bbox"][2] >= 80 and a["bbox"][3] >= 80]
    wrong, missing = big[0], next(a for a in big if a["image_id"] != big[0]["image_id"])
    labels = copy.deepcopy(coco)
    other = next(c["id"] for c in coco["categories"] if c["id"] != wrong["category_id"])
    next(a for a in labels["annotations"] if a["id"] == wrong["id"])["category_id"] = other
    labels["annotations"] = [a for a in labels["annotations"] if a["id"] != missing["id"]]
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    (repo / "predictions.json").write_text(json.dumps(predictions), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "labels")
    args = ("suspects", "labels.json", "--predictions", "predictions.json", "--format", "labelstudio")
    queued = run_cli(*args, "-o", "queue.json", cwd=repo)
    assert queued.exit_code == 0, queued.output
    tasks = json.loads((repo / "queue.json").read_text())
    head = _git(repo, "rev-parse", "HEAD").strip()
    assert {e["commit"] for t in tasks for e in t["data"]["labellint"]["suspects"]} == {head}
    names = {c["id"]: c["name"] for c in coco["categories"]}
    by_image = {}
    for task in tasks:
        for entry in task["data"]["labellint"]["suspects"]:
            by_image.setdefault(task["data"]["image"], []).append((task, entry))
    images = {i["id"]: i["file_name"] for i in coco["images"]}
    relabel_task, relabel_entry = next(
        (t, e) for t, e in by_image[images[wrong["image_id"]]] if e["reason"] == "wrong-class" and e["fingerprint"]
    )
    missing_task, missing_entry = next(
        (t, e) for t, e in by_image[images[missing["image_id"]]] if e["reason"] == "missing-box"
    )
    assert missing_entry["fingerprint"] is None and relabel_entry["class"] == names[other]
    # The same queue as a CVAT task: one box per suspected label (a missing box has no label to pre-fill).
    as_cvat = run_cli(*args[:-1], "cvat", "-o", "queue.xml", cwd=repo)
    assert as_cvat.exit_code == 0, as_cvat.output
    boxes = list(ET.parse(repo / "queue.xml").getroot().iter("box"))
    regions = {e["region"] for t in tasks for e in t["data"]["labellint"]["suspects"] if e["fingerprint"]}
    assert sorted(b.find("attribute[@name='labellint_region']").text for b in boxes) == sorted(regions)

    results = {}
    for task in (relabel_task, missing_task):
        result = copy.deepcopy(task["predictions"][0]["result"])
        for region in result:
            if region["id"] == relabel_entry["region"]:
                region["value"]["rectanglelabels"] = [names[wrong["category_id"]]]  # the reviewer agrees
        results[id(task)] = result  # the proposed missing box is kept as it is: accepted
    exported = [labelstudio_exported(t, n, results.get(id(t))) for n, t in enumerate(tasks, start=1)]
    (repo / "export.json").write_text(json.dumps(exported), encoding="utf-8")
    applied = run_cli("review", "apply", "export.json", cwd=repo)
    assert applied.exit_code == 0, applied.output

    after = json.loads((repo / "labels.json").read_text())
    added = [a for a in after["annotations"] if a["id"] not in {b["id"] for b in labels["annotations"]}]
    kept = [a for a in after["annotations"] if a not in added]
    expected = copy.deepcopy(labels["annotations"])
    next(a for a in expected if a["id"] == wrong["id"])["category_id"] = wrong["category_id"]
    assert kept == expected
    missing_boxes = [e["box"] for e in missing_task["data"]["labellint"]["suspects"] if e["reason"] == "missing-box"]
    assert sorted(a["bbox"] for a in added) == sorted(missing_boxes)
    assert [round(v, 2) for v in missing["bbox"]] in [a["bbox"] for a in added]
    assert all(a["image_id"] == missing["image_id"] and a["category_id"] == missing["category_id"] for a in added)
    assert {k: v for k, v in after.items() if k != "annotations"} == {
        k: v for k, v in labels.items() if k != "annotations"
    }
