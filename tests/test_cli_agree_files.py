"""`labellint agree` on label files: one file per annotator (boxes, classes) and Label Studio exports."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli, write_coco

TACO = ("data", "coco", "taco")
LEOKA = ("data", "labelstudio", "leoka_ml", "LEOKA_team_6.pseudonymized.json")


def agree_json(*args: str, cwd: Path | None = None) -> dict:
    result = run_cli("agree", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def _iou(a: list[float], b: list[float]) -> float:
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    w = max(0.0, min(ax2, bx2) - max(a[0], b[0]))
    h = max(0.0, min(ay2, by2) - max(a[1], b[1]))
    inter = w * h
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def test_two_annotators_boxes_f1_mean_iou_and_confusion(tmp_path: Path) -> None:
    images = [
        {"id": 1, "file_name": "a.jpg", "width": 100, "height": 100},
        {"id": 2, "file_name": "b.jpg", "width": 100, "height": 100},
    ]
    first = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10]},
        {"id": 2, "image_id": 1, "category_id": 2, "bbox": [50, 50, 20, 20]},
        {"id": 3, "image_id": 2, "category_id": 3, "bbox": [10, 10, 30, 30]},
    ]
    second = [
        {"id": 7, "image_id": 1, "category_id": 1, "bbox": [1, 0, 10, 10]},  # IoU 90/110
        {"id": 8, "image_id": 1, "category_id": 1, "bbox": [50, 50, 20, 20]},  # same box, other class
        {"id": 9, "image_id": 2, "category_id": 3, "bbox": [80, 80, 10, 10]},  # no overlap
    ]
    write_coco(tmp_path / "alice.json", images, first)
    write_coco(tmp_path / "bob.json", images, second)
    report = agree_json("--per-annotator", "alice.json", "bob.json", cwd=tmp_path)
    assert report["kind"] == "boxes" and report["annotators"] == 2 and report["items"] == 2
    pooled = report["matching"]["pooled"]["boxes"]
    assert (pooled["matched"], pooled["only_a"], pooled["only_b"]) == (2, 1, 1)
    assert pooled["f1"] == pytest.approx(2 * 2 / 6)
    assert pooled["mean_iou"] == pytest.approx((90 / 110 + 1.0) / 2)
    assert report["percent_agreement"]["value"] == 0.5
    assert report["confusion_pairs"] == [{"a": "cyclist", "b": "pedestrian", "count": 1}]
    assert report["cohen_kappa"]["value"] is None and "boxes" in report["cohen_kappa"]["reason"]
    assert report["matching"]["pairs"][0]["a"] == "alice"
    # A stricter IoU threshold loses the shifted pair.
    strict = agree_json("--per-annotator", "alice.json", "bob.json", "--iou", "0.95", cwd=tmp_path)
    assert strict["matching"]["pooled"]["boxes"]["matched"] == 1
    text = run_cli("agree", "--per-annotator", "alice.json", "bob.json", cwd=tmp_path).stdout
    assert "F1 0.667" in text


def test_taco_versions_as_two_annotators(tmp_path: Path) -> None:
    v2 = shared_path(*TACO, "annotations_v2_a35e944.json")
    v3 = shared_path(*TACO, "annotations_v3_1e4d24a.json")
    old = {a["id"]: a for a in json.loads(v2.read_text())["annotations"]}
    new = {a["id"]: a for a in json.loads(v3.read_text())["annotations"]}
    changed = [i for i in old if old[i]["bbox"] != new[i]["bbox"]]
    lost = sum(1 for i in changed if _iou(old[i]["bbox"], new[i]["bbox"]) < 0.5)
    report = agree_json("--per-annotator", str(v2), str(v3))
    pooled = report["matching"]["pooled"]["boxes"]
    assert len(changed) == 28
    assert pooled["only_a"] == pooled["only_b"] == lost
    assert pooled["matched"] == len(old) - lost
    assert report["percent_agreement"]["value"] == 1.0


def test_per_annotator_classification_tables(tmp_path: Path) -> None:
    # Wikipedia's Cohen example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4.
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    (tmp_path / "a.csv").write_text("item,label\n" + "".join(f"{i},{x}\n" for i, (x, _) in enumerate(pairs)))
    (tmp_path / "b.csv").write_text("item,label\n" + "".join(f"{i},{y}\n" for i, (_, y) in enumerate(pairs)))
    report = agree_json("--per-annotator", "a.csv", "b.csv", cwd=tmp_path)
    assert report["cohen_kappa"]["value"] == pytest.approx(0.4)
    assert report["percent_agreement"]["value"] == pytest.approx(0.7)


def test_several_inputs_need_per_annotator(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("item,label\n1,x\n")
    (tmp_path / "b.csv").write_text("item,label\n1,x\n")
    result = run_cli("agree", "a.csv", "b.csv", cwd=tmp_path)
    assert result.exit_code == 2 and "--per-annotator" in result.stderr


def _ls_task(task_id: int, text: str, annotations: dict[int, list]) -> dict:
    return {
        "id": task_id,
        "data": {"text": text},
        "annotations": [
            {
                "id": task_id * 10 + user,
                "completed_by": user,
                "result": [
                    {"from_name": "label", "to_name": "text", "type": "labels", "value": value} for value in values
                ],
            }
            for user, values in annotations.items()
        ],
    }


def test_label_studio_export_spans_exact_and_overlap(tmp_path: Path) -> None:
    text = "Officer Smith met John in Boston on Monday"
    export = [
        _ls_task(
            1,
            text,
            {
                1: [{"start": 8, "end": 13, "labels": ["Person"]}, {"start": 26, "end": 32, "labels": ["Place"]}],
                2: [{"start": 8, "end": 13, "labels": ["Person"]}, {"start": 26, "end": 34, "labels": ["Place"]}],
            },
        ),
        _ls_task(2, text, {1: [{"start": 18, "end": 22, "labels": ["Person"]}], 2: []}),
    ]
    (tmp_path / "export.json").write_text(json.dumps(export))
    report = agree_json("export.json", cwd=tmp_path)
    assert report["kind"] == "spans"
    exact, overlap = report["matching"]["pooled"]["exact"], report["matching"]["pooled"]["overlap"]
    # Only items where both annotators drew something are compared (task 2: annotator 2 drew nothing).
    assert (exact["matched"], exact["only_a"], exact["only_b"]) == (1, 1, 1)
    assert exact["f1"] == pytest.approx(0.5)
    assert overlap["f1"] == pytest.approx(1.0)
    assert overlap["mean_iou"] == pytest.approx((1.0 + 6 / 8) / 2)


def test_label_studio_leoka_three_coders() -> None:
    export = shared_path(*LEOKA)
    report = agree_json(str(export))
    assert report["kind"] == "spans" and report["annotators"] == 3
    assert len(report["matching"]["pairs"]) == 3
    exact, overlap = report["matching"]["pooled"]["exact"], report["matching"]["pooled"]["overlap"]
    assert 0 < exact["f1"] < overlap["f1"] <= 1
    assert report["not_compared"] > 0  # task-level taxonomy choices are not spans
    for key in (
        "items",
        "annotators",
        "percent_agreement",
        "cohen_kappa",
        "fleiss_kappa",
        "krippendorff_alpha",
        "per_class",
        "confusion_pairs",
    ):
        assert key in report


def test_label_file_without_annotators_is_a_usage_error(tmp_path: Path) -> None:
    images = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}]
    write_coco(tmp_path / "one.json", images, [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 5, 5]}])
    result = run_cli("agree", "one.json", cwd=tmp_path)
    assert result.exit_code == 2 and "--per-annotator" in result.stderr


def test_consensus_reproduces_dawid_skene_accuracy_on_snow_rte(tmp_path: Path) -> None:
    cases = json.loads(shared_path("reference", "dawid_skene_cases.json").read_text())["cases"]
    oracle = next(case for case in cases if case["name"] == "snow2008_rte")["oracle"]
    table = shared_path("data", "agreement", "snow2008", "rte.standardized.tsv")
    out = tmp_path / "consensus.csv"
    options = ("--annotator-col", "!amt_worker_ids", "--item-col", "orig_id", "--label-col", "response")
    report = agree_json(str(table), *options, "--consensus", "--consensus-output", str(out))
    gold = {row["orig_id"]: row["gold"] for row in csv.DictReader(table.open(), delimiter="\t")}
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == oracle["items"]
    accuracy = sum(gold[row["item"]] == row["label"] for row in rows) / len(rows)
    assert accuracy == pytest.approx(oracle["acc_ds_reference"])
    assert report["consensus"]["converged"]
    assert report["consensus"]["overrules_majority"] == sum(row["label"] != row["majority"] for row in rows)
    top = oracle["worker_accuracy_vs_gold"]["top5_workers_by_volume"]
    spammers = {w["worker"] for w in top if w["gold_accuracy"] < 0.55}  # the prolific coin-flippers
    least = {entry["annotator"] for entry in report["consensus"]["least_accurate_annotators"]}
    assert spammers <= least
