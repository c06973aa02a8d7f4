"""`segmentation: []` (box-only COCO exports) counts as no segmentation, and 1e400 is an LL207 finding."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import problems_of, run_cli, write_coco

from labellint.diff.match import segmentation_digests
from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader

IMAGES = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}]


def _read(path: Path):
    return CocoReader().read([path], ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str))


@pytest.mark.parametrize("empty", [[], None, "[ ]", "[\n  ]"])
def test_empty_segmentation_without_box_is_ll002(tmp_path: Path, empty) -> None:
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "segmentation": "EMPTY"},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5], "segmentation": "EMPTY"},
        {"id": 3, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 9, 1, 9, 9]]},
        {"id": 4, "image_id": 1, "category_id": 1, "segmentation": [[1, 1, 4, 1, 4, 4]]},  # 15 bytes: short
    ]
    text = json.dumps({"images": IMAGES, "annotations": annotations, "categories": [{"id": 1, "name": "car"}]})
    literal = empty if isinstance(empty, str) else json.dumps(empty)
    path = tmp_path / "labels.json"
    path.write_text(text.replace('"EMPTY"', literal))
    dataset = _read(path)
    assert sorted(dataset.ann_segmentation) == [2, 3]
    assert segmentation_digests(dataset)[:2].tolist() == [0, 0]
    neither = [i.location.pointer for i in dataset.issues if "neither" in i.message]
    assert neither == ["/annotations/0"]


def test_box_only_export_with_empty_segmentations_is_detection(tmp_path: Path) -> None:
    annotations = [
        {"id": k, "image_id": 1, "category_id": 1, "bbox": [k, k, 5, 5], "segmentation": [], "area": 25, "iscrowd": 0}
        for k in range(1, 4)
    ]
    root = tmp_path / "data"
    write_coco(root / "labels.json", IMAGES, annotations)
    result = run_cli("init", "--from", str(root), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "task: detection" in (tmp_path / "labelspec.yaml").read_text()
    check = run_cli("check", str(root), "--format", "json", cwd=tmp_path)
    assert not [p for p in problems_of(check) if p["code"] in {"LL002", "LL207", "LL208"}]


def test_out_of_range_coordinate_is_ll207_not_a_crash(tmp_path: Path) -> None:
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 9, 9], "segmentation": "A"},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [0, 0, 9, 9], "segmentation": "B"},
        {"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 9, 9], "segmentation": [[0, 0, 9, 0, 9, 9]]},
    ]
    text = json.dumps({"images": IMAGES, "annotations": annotations, "categories": [{"id": 1, "name": "car"}]})
    text = text.replace('"A"', "[[0, 0, 9, 0, 9, 9], [0, 0, -1e400, 0, 9, 9]]").replace(
        '"B"', "[[0, 0, 9, 1E999, 9, 9]]"
    )
    path = tmp_path / "labels.json"
    path.write_text(text)
    result = run_cli("check", str(path), "--format", "json", cwd=tmp_path)
    assert not json.loads(result.stdout)["crashes"]
    found = {(p["pointer"], p["message"]) for p in problems_of(result) if p["code"] in {"LL207", "LL208"}}
    assert found == {
        ("/annotations/0", "polygon 2 has a coordinate that is not a finite number"),
        ("/annotations/1", "polygon 1 has a coordinate that is not a finite number"),
    }


def test_an_empty_polygon_among_others_is_ll207_and_leaves_the_others_measured(tmp_path: Path) -> None:
    """`[]` as one part of a segmentation (between parts, and last in the file): LL207 names it, and
    LL208 measures the other parts as it does without it (before: the parts' areas and extents were
    read past it, and an empty last part crashed LL207 and LL208 with an IndexError)."""
    square, far = [10, 10, 20, 10, 20, 20, 10, 20], [50, 50, 60, 50, 60, 60, 50, 60]
    segmentations = [[square, [], far], [square, []]]
    annotations = [
        {"id": k + 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 10, 10], "area": 100, "segmentation": s}
        for k, s in enumerate(segmentations)
    ]

    def checked(name: str, parts: list[list[list[int]]]) -> dict:
        rows = [dict(a, segmentation=p) for a, p in zip(annotations, parts, strict=True)]
        write_coco(tmp_path / name, IMAGES, rows)
        result = run_cli("check", str(tmp_path / name), "--select", "LL207,LL208", "--format", "json", cwd=tmp_path)
        return json.loads(result.stdout)

    with_empty = checked("with.json", segmentations)
    without = checked("without.json", [[p for p in s if p] for s in segmentations])
    assert not with_empty["crashes"] and not without["crashes"]

    def found(report: dict, code: str) -> set:
        return {(p["pointer"], p["message"]) for p in report["problems"] if p["code"] == code}

    assert found(with_empty, "LL208") == found(without, "LL208")
    assert len(found(without, "LL208")) == 2  # the far square: outside the box, and the area twice the stored one
    empty_parts = {
        (f"/annotations/{a}", f"polygon {k + 1} of {len(s)} has 0 points; a polygon needs 3")
        for a, s in enumerate(segmentations)
        for k, part in enumerate(s)
        if not part
    }
    assert found(with_empty, "LL207") == empty_parts
