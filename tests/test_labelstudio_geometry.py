"""Label Studio boxes on the image edge: percent coordinates converted to pixels by float
arithmetic are inside when drawn to the edge (LL201's round-off allowance), real overflows are not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import shared_path
from helpers import problems_of, run_cli

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
