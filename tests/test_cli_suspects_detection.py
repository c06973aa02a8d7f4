"""`labellint suspects` on detection: a real COCO file with removed, added, relabelled and shifted boxes."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import shared_path
from helpers import run_cli

from labellint.quality.matching import iou_matrix

PER_KIND = 6


@pytest.fixture(scope="module")
def injected(tmp_path_factory):
    """COCO128 labels; predictions = the original labels (score 0.9); then known defects in the labels."""
    coco = json.loads(shared_path("data", "coco", "coco128", "instances_train2017.json").read_text())
    rng = np.random.default_rng(7)
    anns = [a for a in coco["annotations"] if a["bbox"][2] >= 8 and a["bbox"][3] >= 8]
    by_image: dict[int, list[dict]] = {}
    for a in anns:
        by_image.setdefault(a["image_id"], []).append(a)
    predictions = [
        {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 0.9} for a in anns
    ]

    def isolated(a) -> bool:
        others = [o["bbox"] for o in by_image[a["image_id"]] if o is not a]
        return not others or iou_matrix([a["bbox"]], others).max() < 0.05

    candidates = [a for a in anns if isolated(a) and a["bbox"][2] >= 20 and a["bbox"][3] >= 20]
    chosen = rng.choice(len(candidates), size=3 * PER_KIND, replace=False)
    removed = [candidates[i] for i in chosen[:PER_KIND]]
    relabelled = [candidates[i] for i in chosen[PER_KIND : 2 * PER_KIND]]
    shifted = [candidates[i] for i in chosen[2 * PER_KIND :]]
    category_ids = [c["id"] for c in coco["categories"]]
    labels = [dict(a) for a in anns if all(a is not r for r in removed)]
    changed = {id(a) for a in relabelled + shifted}
    for a in labels:
        source = next((s for s in relabelled + shifted if s["id"] == a["id"]), None) if changed else None
        if source in relabelled:
            a["category_id"] = next(c for c in category_ids if c != source["category_id"])
        elif source in shifted:
            x, y, w, h = source["bbox"]
            a["bbox"] = [x + 0.25 * w, y, w, h]  # horizontal shift by w/4: IoU = 0.75w / 1.25w = 0.6
    # Spurious labels: small boxes in corners of images where nothing is labelled or predicted.
    sizes = {im["id"]: (im["width"], im["height"]) for im in coco["images"]}
    added = []
    next_id = max(a["id"] for a in coco["annotations"]) + 1
    for image_id in rng.permutation(sorted(by_image)).tolist():
        width, height = sizes[image_id]
        box = [width - 30.0, height - 30.0, 25.0, 25.0]
        if iou_matrix([box], [a["bbox"] for a in by_image[image_id]]).max() > 0:
            continue
        added.append(
            {
                "id": next_id,
                "image_id": image_id,
                "category_id": category_ids[0],
                "bbox": box,
                "area": 625.0,
                "iscrowd": 0,
            }
        )
        next_id += 1
        if len(added) == PER_KIND:
            break
    labels.extend(added)
    folder = tmp_path_factory.mktemp("coco")
    document = {"images": coco["images"], "annotations": labels, "categories": coco["categories"]}
    (folder / "labels.json").write_text(json.dumps(document))
    (folder / "predictions.json").write_text(json.dumps(predictions))
    return folder, {"missing-box": removed, "wrong-class": relabelled, "bad-location": shifted, "spurious-label": added}


def test_every_injected_defect_is_found_in_its_category_and_nothing_else(injected):
    folder, truth = injected
    result = run_cli("suspects", "labels.json", "--predictions", "predictions.json", "--format", "json", cwd=folder)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    found: dict[str, set] = {}
    for s in report["suspects"]:
        key = (s["item"], tuple(s["box"])) if s["reason"] == "missing-box" else (s["item"], s["annotation"])
        found.setdefault(s["reason"], set()).add(key)
    expected = {
        "missing-box": {
            (str(a["image_id"]), tuple(round(float(v), 2) for v in a["bbox"])) for a in truth["missing-box"]
        },
        **{
            kind: {(str(a["image_id"]), str(a["id"])) for a in truth[kind]}
            for kind in ("wrong-class", "bad-location", "spurious-label")
        },
    }
    assert found == expected
    assert report["noise"]["counts"] == {kind: PER_KIND for kind in expected}


def test_scores_follow_the_documented_formulas(injected):
    folder, truth = injected
    report = json.loads(
        run_cli("suspects", "labels.json", "--predictions", "predictions.json", "--format", "json", cwd=folder).stdout
    )
    by_kind = {}
    for s in report["suspects"]:
        by_kind.setdefault(s["reason"], []).append(s)
    assert all(s["score"] == pytest.approx(0.9 * (1 - s["iou"]), abs=1e-4) for s in by_kind["missing-box"])
    assert all(s["iou"] < 0.05 for s in by_kind["missing-box"])  # the removed boxes were isolated
    assert all(s["score"] == pytest.approx(1.0) for s in by_kind["spurious-label"])  # nothing overlaps
    assert all(s["score"] == pytest.approx(0.9) for s in by_kind["wrong-class"])  # 0.9 * IoU 1
    assert all(s["iou"] == pytest.approx(0.6, abs=1e-3) for s in by_kind["bad-location"])
    assert all(s["score"] == pytest.approx(0.9 * 0.4, abs=1e-3) for s in by_kind["bad-location"])
    scores = [s["score"] for s in report["suspects"]]
    assert scores == sorted(scores, reverse=True)
    relabelled = {str(a["id"]): a["category_id"] for a in truth["wrong-class"]}
    names = {c["id"]: c["name"] for c in json.loads((folder / "labels.json").read_text())["categories"]}
    for s in by_kind["wrong-class"]:
        assert s["suggested"] == names[relabelled[s["annotation"]]]


def test_thresholds_change_what_is_reported(injected):
    folder, _ = injected
    # No prediction is confident at 0.95: nothing can be missing, wrongly classed or misplaced.
    report = json.loads(
        run_cli(
            "suspects",
            "labels.json",
            "--predictions",
            "predictions.json",
            "--score-threshold",
            "0.95",
            "--format",
            "json",
            cwd=folder,
        ).stdout
    )
    assert report["noise"]["counts"] == {
        "missing-box": 0,
        "spurious-label": PER_KIND,
        "wrong-class": 0,
        "bad-location": 0,
    }
    # With the location band ending at 0.55 the IoU-0.6 shifts are fine.
    report = json.loads(
        run_cli(
            "suspects",
            "labels.json",
            "--predictions",
            "predictions.json",
            "--location-iou",
            "0.55",
            "--format",
            "json",
            cwd=folder,
        ).stdout
    )
    assert report["noise"]["counts"]["bad-location"] == 0


def test_predictions_for_unknown_images_or_categories_are_errors(tmp_path, injected):
    folder, _ = injected
    (tmp_path / "p.json").write_text(json.dumps([{"image_id": -5, "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]))
    result = run_cli("suspects", str(folder / "labels.json"), "--predictions", str(tmp_path / "p.json"))
    assert result.exit_code == 2 and "images the labels lack: '-5'" in result.stderr
    (tmp_path / "p.json").write_text(json.dumps([{"image_id": 9, "category_id": 1, "bbox": [0, 0, 1], "score": 1}]))
    result = run_cli("suspects", str(folder / "labels.json"), "--predictions", str(tmp_path / "p.json"))
    assert result.exit_code == 2 and "/0: expected image_id, category_id, bbox" in result.stderr
