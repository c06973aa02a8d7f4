"""Label Studio boxes on the image edge: percent coordinates converted to pixels by float
arithmetic are inside when drawn to the edge (LL201's round-off allowance), real overflows are
not; rotated rectangles are checked as their corners."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import problems_of, run_cli

from labellint.readers.base import ReadContext
from labellint.readers.labelstudio import LabelStudioReader

FIXTURES = ("data", "labelstudio", "ls_converter_fixtures")


def _region(x: float, y: float, w: float, h: float, size: tuple[int, int], rotation: float = 0.0) -> dict:
    return {
        "type": "rectanglelabels",
        "from_name": "label",
        "to_name": "image",
        "original_width": size[0],
        "original_height": size[1],
        "value": {"x": x, "y": y, "width": w, "height": h, "rotation": rotation, "rectanglelabels": ["car"]},
    }


def _write_tasks(path: Path, regions: list[dict]) -> Path:
    tasks = [
        {"id": k, "data": {"image": f"img{k}.jpg"}, "annotations": [{"completed_by": 1, "result": [region]}]}
        for k, region in enumerate(regions)
    ]
    path.write_text(json.dumps(tasks, indent=1))
    return path


def _ll201_tasks(result) -> list[int]:
    """The task index of every LL201 problem (from its JSON pointer `/k/annotations/...`)."""
    return sorted(int(p["pointer"].split("/")[1]) for p in problems_of(result) if p["code"] == "LL201")


def test_boxes_drawn_to_the_edge_are_inside_and_one_pixel_over_is_not(tmp_path: Path) -> None:
    edge_boxes: list[dict] = []
    noisy = 0
    for width, height in ((640, 480), (768, 576), (1920, 1080), (2800, 2800), (5472, 3648)):
        for left in range(1, width, max(1, width // 97)):
            # As Label Studio stores a box dragged from pixel `left` to the right edge: percents.
            x, w = left / width * 100, (width - left) / width * 100
            top = left % height
            y, h = top / height * 100, (height - top) / height * 100
            # The reader's pixels, x% * W / 100: count the boxes that float noise puts past an edge.
            noisy += (x * (width / 100) + w * (width / 100) > width) or (
                y * (height / 100) + h * (height / 100) > height
            )
            edge_boxes.append(_region(x, y, w, h, (width, height)))
    assert noisy >= 5  # the noise is real: these boxes were reported before the round-off allowance
    overflows = [
        _region(50.0, 10.0, 50.0 + 100 / 768, 20.0, (768, 576)),  # 1 px past the right edge
        _region(10.0, 90.0, 20.0, 10.0 + 100 / 3648, (5472, 3648)),  # 1 px past the bottom
        _region(-100 / 5472, 10.0, 20.0, 20.0, (5472, 3648)),  # 1 px past the left
        _region(10.0, 10.0, 90.0 + 50 / 640, 20.0, (640, 480)),  # half a pixel past the right edge
    ]
    path = _write_tasks(tmp_path / "tasks.json", edge_boxes + overflows)
    result = run_cli("check", "--format", "json", "--select", "LL201", str(path), cwd=tmp_path)
    assert _ll201_tasks(result) == list(range(len(edge_boxes), len(edge_boxes) + len(overflows)))


def test_spec_tolerance_still_adds_to_the_allowance(tmp_path: Path) -> None:
    spec = tmp_path / "labelspec.yaml"
    spec.write_text(
        "spec: 1\nversion: 1.0.0\ntask: detection\nclasses:\n  car: {definition: A car.}\n"
        "geometry:\n  inside_image: {tolerance: 2}\n"
    )
    regions = [
        _region(10.0, 10.0, 90.0 + 200 / 640, 20.0, (640, 480)),  # exactly 2 px over: accepted
        _region(10.0, 10.0, 90.0 + 300 / 640, 20.0, (640, 480)),  # 3 px over: reported
    ]
    path = _write_tasks(tmp_path / "tasks.json", regions)
    result = run_cli("check", "--format", "json", "--spec", str(spec), "--select", "LL201", str(path), cwd=tmp_path)
    assert _ll201_tasks(result) == [1]


def test_real_export_reports_only_the_box_past_its_image(tmp_path: Path) -> None:
    """The converter's CSV fixture holds one box whose percents pass 100 (x + width = 100.43,
    y + height = 101.57 on a 768x510 image: 3.3 and 8 px out); every other box is inside."""
    source = shared_path(*FIXTURES, "test_export_csv_csv_test.json")
    tasks = json.loads(source.read_text("utf-8"))
    outside = []
    for k, task in enumerate(tasks):
        for a, annotation in enumerate(task["annotations"]):
            for r, result in enumerate(annotation["result"]):
                v = result["value"]
                if result["type"] == "rectanglelabels" and (
                    min(v["x"], v["y"]) < 0 or v["x"] + v["width"] > 100 or v["y"] + v["height"] > 100
                ):
                    outside.append(f"/{k}/annotations/{a}/result/{r}")
    path = Path(shutil.copy(source, tmp_path / source.name))
    result = run_cli("check", "--format", "json", "--select", "LL201", str(path), cwd=tmp_path)
    assert [p["pointer"] for p in problems_of(result)] == outside == ["/1/annotations/0/result/0"]


def _corners(x: float, y: float, w: float, h: float, degrees: float) -> list[tuple[float, float]]:
    """The corners of a rectangle turned about its top-left corner (image y down: clockwise)."""
    turn = math.radians(degrees)
    return [
        (x + dx * math.cos(turn) - dy * math.sin(turn), y + dx * math.sin(turn) + dy * math.cos(turn))
        for dx, dy in ((0, 0), (w, 0), (w, h), (0, h))
    ]


def test_rotated_boxes_are_checked_as_their_corners(tmp_path: Path) -> None:
    size = (1000, 1000)  # percent = pixels / 10
    regions = [
        _region(90.0, 10.0, 20.0, 5.0, size, rotation=90),  # 1100 px wide unturned; turned down: inside
        _region(70.0, 10.0, 29.0, 10.0, size, rotation=330),  # inside unturned; turned up 30 deg: 45 px out the top
        _region(70.0, 10.0, 29.0, 10.0, size, rotation=30),  # turned down 30 deg: inside
        _region(5.0, 50.0, 40.0, 10.0, size, rotation=180),  # turned over the left edge: 350 px out
    ]
    path = _write_tasks(tmp_path / "tasks.json", regions)
    result = run_cli("check", "--format", "json", str(path), cwd=tmp_path)
    outside = [
        k
        for k, r in enumerate(regions)
        if any(
            not (0 <= cx <= 1000 and 0 <= cy <= 1000)
            for cx, cy in _corners(
                *(r["value"][key] * 10 for key in ("x", "y", "width", "height")), r["value"]["rotation"]
            )
        )
    ]
    assert outside == [1, 3]
    problems = problems_of(result)
    assert [int(p["pointer"].split("/")[1]) for p in problems] == outside  # nothing else: no LL207/LL208
    assert "45 px past the top" in problems[0]["message"] and "350 px past the left" in problems[1]["message"]


def test_real_obb_export_keeps_the_angle_and_the_corners(tmp_path: Path) -> None:
    """Label Studio converter's OBB fixture: 25 turned boxes, kept as their corners (the polygon),
    the corners' envelope (the box) and the angle; all lie inside their images."""
    source = shared_path(*FIXTURES, "test_export_yolo_data_obb.json")
    tasks = json.loads(source.read_text("utf-8"))
    expected = []
    for task in tasks:
        for annotation in task["annotations"]:
            for r in annotation["result"]:
                v, sx, sy = r["value"], r["original_width"] / 100, r["original_height"] / 100
                corners = _corners(v["x"] * sx, v["y"] * sy, v["width"] * sx, v["height"] * sy, v["rotation"])
                expected.append((v["rotation"], [c for corner in corners for c in corner]))
    dataset = LabelStudioReader().read([source], ReadContext(Path.read_bytes, Path.is_file, str, {}))
    assert len(expected) == dataset.n_annotations == 25
    assert [dataset.ann_fields[a]["rotation"] for a in range(25)] == [angle for angle, _ in expected]
    for a, (_, corners) in enumerate(expected):
        assert dataset.ann_segmentation[a][0] == pytest.approx(corners)
        xs, ys = corners[0::2], corners[1::2]
        assert dataset.ann_box[a].tolist() == pytest.approx([min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)])
    path = Path(shutil.copy(source, tmp_path / source.name))
    assert problems_of(run_cli("check", "--format", "json", str(path), cwd=tmp_path)) == []


def test_rotation_that_is_not_a_number_is_a_problem_at_its_region(tmp_path: Path) -> None:
    region = _region(10.0, 10.0, 20.0, 20.0, (100, 100))
    region["value"]["rotation"] = "45"
    path = _write_tasks(tmp_path / "tasks.json", [_region(1.0, 1.0, 2.0, 2.0, (100, 100)), region])
    problems = problems_of(run_cli("check", "--format", "json", str(path), cwd=tmp_path))
    assert [(p["code"], p["pointer"]) for p in problems] == [("LL002", "/1/annotations/0/result/0")]
    assert "rotation" in problems[0]["message"]
