"""Label Studio regions from the one review-queue writer: normalized YOLO boxes become percentages."""

from __future__ import annotations

import pytest
from conftest import shared_path

from labellint.commands.labels import read_labels
from labellint.quality.review_queue import box_region
from labellint.sources import WorkTree


def test_normalized_yolo_box_becomes_a_percent_rectangle(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shared_path("data", "yolo", "coco128_lightly", "object_detection")
    label_file = folder / "labels" / "train2017" / "000000000072.txt"
    monkeypatch.chdir(folder)
    dataset = read_labels(["labels/train2017/000000000072.txt"], WorkTree(folder), reader="yolo")
    first = label_file.read_text().split("\n")[0].split()
    cx, cy, w, h = (float(v) for v in first[1:5])
    region = box_region(dataset, 0, dataset.ann_box[0].tolist(), "giraffe")
    assert region is not None, "a normalized box needs no image size to be a region"
    value = region["value"]
    assert value["x"] == pytest.approx(100 * (cx - w / 2))
    assert value["y"] == pytest.approx(100 * (cy - h / 2))
    assert (value["width"], value["height"]) == (pytest.approx(100 * w), pytest.approx(100 * h))
    assert "original_width" not in region  # the image size is unknown and not invented
