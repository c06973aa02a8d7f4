"""`labellint stats`: counts, unsure rate, agreement and the rework rate over real TACO history."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import SPEC_TEXT, run_cli, write_coco

TACO = ("data", "coco", "taco")
VERSIONS = [
    "annotations_v1_a56f6cb.json",
    "annotations_v2_a35e944.json",
    "annotations_v3_1e4d24a.json",
    "annotations_v4_508da01.json",
]


def stats_json(*args: str, cwd: Path) -> dict:
    result = run_cli("stats", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _history_repo(path: Path, versions: list[Path]) -> Path:
    path.mkdir()
    _git(path, "init", "-q", "-b", "main")
    _git(path, "config", "user.email", "t@example.invalid")
    _git(path, "config", "user.name", "T")
    for version in versions:
        shutil.copyfile(version, path / "annotations.json")
        _git(path, "add", ".")
        _git(path, "commit", "-q", "-m", version.name)
    return path


def test_counts_unsure_rate_and_annotations_per_item(tmp_path: Path) -> None:
    spec = SPEC_TEXT.replace(
        "  occluded: {type: boolean}\n", "  occluded: {type: boolean}\n  unsure: {type: boolean}\n"
    )
    (tmp_path / "labelspec.yaml").write_text(spec)
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 100, "height": 100} for i in (1, 2, 3)]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "attributes": {"unsure": True}},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [20, 20, 10, 10]},
        {"id": 3, "image_id": 1, "category_id": 2, "bbox": [40, 40, 10, 10]},
        {"id": 4, "image_id": 2, "category_id": 1, "bbox": [0, 0, 10, 10], "attributes": {"unsure": False}},
    ]
    write_coco(tmp_path / "labels.json", images, annotations)
    report = stats_json("labels.json", "--no-history", cwd=tmp_path)
    assert report["classes"]["pedestrian"] == {"annotations": 3, "items": 2, "share": 0.75}
    assert report["classes"]["cyclist"]["annotations"] == 1
    assert report["unused_classes"] == ["car"]
    assert report["unsure"]["annotations"] == 1 and report["unsure"]["rate"] == 0.25
    assert report["unsure"]["item_rate"] == pytest.approx(1 / 3)
    per_item = report["annotations_per_item"]
    assert per_item["mean"] == pytest.approx(4 / 3) and per_item["max"] == 3
    assert per_item["items_without_annotations"] == 1
    assert per_item["histogram"] == {"0": 1, "1": 1, "3": 1}
    assert report["agreement"] is None and report["rework"] is None
    text = run_cli("stats", "labels.json", "--no-history", cwd=tmp_path).stdout
    assert "unsure rate: 0.250" in text


def test_rework_rate_on_one_real_fix_commit(tmp_path: Path) -> None:
    v2, v3 = (shared_path(*TACO, name) for name in VERSIONS[1:3])
    old = {a["id"]: a for a in json.loads(v2.read_text())["annotations"]}
    new = {a["id"]: a for a in json.loads(v3.read_text())["annotations"]}
    assert old.keys() == new.keys()
    changed = sum(1 for i in old if old[i]["bbox"] != new[i]["bbox"] or old[i]["category_id"] != new[i]["category_id"])
    repo = _history_repo(tmp_path / "repo", [v2, v3])
    rework = stats_json("annotations.json", cwd=repo)["rework"]
    assert rework["rate"] == pytest.approx(changed / len(new))
    assert rework["lineages"] == len(new) and rework["reworked"] == changed
    fix = rework["commits"][1]
    assert fix["moved"] == changed and fix["removed"] == fix["added"] == fix["relabeled"] == 0


def test_rework_over_the_whole_taco_history(tmp_path: Path) -> None:
    paths = [shared_path(*TACO, name) for name in VERSIONS]
    docs = [json.loads(path.read_text()) for path in paths]
    repo = _history_repo(tmp_path / "repo", paths)
    report = stats_json("annotations.json", cwd=repo)
    rework = report["rework"]
    commits = rework["commits"]
    assert [c["annotations"] for c in commits] == [len(d["annotations"]) for d in docs]
    assert [c["message"] for c in commits] == VERSIONS
    # v1 -> v2 adds 325 annotations; v3 -> v4 adds 2,630 and fixes the y coordinate of every old box.
    assert commits[1]["added"] == len(docs[1]["annotations"]) - len(docs[0]["annotations"])
    assert commits[3]["moved"] + commits[3]["unchanged"] + commits[3]["removed"] == len(docs[2]["annotations"])
    assert commits[3]["moved"] >= 0.99 * len(docs[2]["annotations"])
    old_names = {c["id"]: c["name"] for c in docs[2]["categories"]}
    renamed = {
        old_names[c["id"]]: c["name"] for c in docs[3]["categories"] if old_names.get(c["id"], c["name"]) != c["name"]
    }
    assert commits[3]["renamed_classes"] == renamed
    assert rework["rate"] == pytest.approx(rework["reworked"] / rework["lineages"])
    assert 0.4 < rework["rate"] < 0.5
    # Class counts are those of the work tree (v4).
    counts = Counter(c["category_id"] for c in docs[3]["annotations"])
    names = {c["id"]: c["name"] for c in docs[3]["categories"]}
    assert {name: row["annotations"] for name, row in report["classes"].items()} == {
        names[k]: n for k, n in counts.items()
    }
    assert report["confusion_pairs"] and report["confusion_pairs"][0]["source"] == "history"
    assert all(pair["a"] != pair["b"] for pair in report["confusion_pairs"])


def test_stats_outside_git_says_why_there_is_no_rework(tmp_path: Path) -> None:
    images = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}]
    write_coco(tmp_path / "labels.json", images, [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5]}])
    report = stats_json("labels.json", cwd=tmp_path)
    assert report["rework"]["rate"] is None and "git" in report["rework"]["reason"]


def test_agreement_where_several_annotators_exist() -> None:
    export = shared_path("data", "labelstudio", "leoka_ml", "LEOKA_team_8.pseudonymized.json")
    report = stats_json(str(export), "--no-history", cwd=export.parent)
    assert len(report["annotators"]) >= 2
    assert report["agreement"]["kind"] == "spans"
    assert 0 < report["agreement"]["pooled"]["overlap"]["f1"] <= 1
