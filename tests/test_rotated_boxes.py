"""Turned boxes in CVAT for images 1.1 (`rotation`: degrees clockwise about the box centre) and
Label Studio (about the top-left corner) are checked as drawn: LL201 on the turned corners, LL203
and LL204 on the sides the box was drawn with. Corners are computed here with plain math."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import problems_of, run_cli

from labellint.readers.base import ReadContext
from labellint.readers.cvat import CvatReader

SPEC = """\
spec: 1
name: poles
version: 1.0.0
task: detection
classes:
  pole:
    id: 1
    definition: A street pole, as thin as it is.
    geometry: {min_width: 6, aspect_ratio: [0.5, 2.0]}
  sign:
    id: 2
    definition: A traffic sign.
"""


def _cvat(path: Path, boxes: list[dict[str, str]], size: int = 100) -> Path:
    shapes = "".join(f"    <box {' '.join(f'{k}={v!r}' for k, v in box.items())}/>\n" for box in boxes)
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n'
        "  <meta><task><labels><label><name>pole</name></label><label><name>sign</name></label></labels>"
        "</task></meta>\n"
        f'  <image id="0" name="street.jpg" width="{size}" height="{size}">\n{shapes}  </image>\n</annotations>\n'
    )
    return path


def _centre_corners(box: ET.Element) -> list[tuple[float, float]]:
    """The corners of a CVAT box turned `rotation` degrees clockwise (y down) about its centre."""
    x0, y0, x1, y1 = (float(box.get(k)) for k in ("xtl", "ytl", "xbr", "ybr"))
    cx, cy, turn = (x0 + x1) / 2, (y0 + y1) / 2, math.radians(float(box.get("rotation", "0")))
    return [
        (cx + dx * math.cos(turn) - dy * math.sin(turn), cy + dx * math.sin(turn) + dy * math.cos(turn))
        for dx, dy in ((x0 - cx, y0 - cy), (x1 - cx, y0 - cy), (x1 - cx, y1 - cy), (x0 - cx, y1 - cy))
    ]


def _check(path: Path, *options: str) -> list[dict]:
    result = run_cli("--isolated", "check", "--format", "json", *options, path.name, cwd=path.parent)
    assert result.exit_code in (0, 1), result.output
    return problems_of(result)


def test_cvat_rotation_is_applied_for_out_of_bounds(tmp_path: Path) -> None:
    boxes = [
        # 80 x 10 across the right edge unturned (xbr 130); turned 90 degrees it stands inside.
        {"label": "sign", "xtl": "50", "ytl": "45", "xbr": "130", "ybr": "55", "rotation": "90.0"},
        # 60 x 10 near the top, inside unturned; turned 30 degrees its left end rises above the image.
        {"label": "sign", "xtl": "20", "ytl": "2", "xbr": "80", "ybr": "12", "rotation": "30.0"},
        # Turned 180 degrees about its centre a box covers itself: inside either way.
        {"label": "sign", "xtl": "10", "ytl": "60", "xbr": "30", "ybr": "70", "rotation": "180"},
        {"label": "sign", "xtl": "10", "ytl": "80", "xbr": "30", "ybr": "90"},
    ]
    path = _cvat(tmp_path / "annotations.xml", boxes)
    root = ET.parse(path).getroot()
    lines = path.read_text().splitlines()
    expected = []
    for element in root.iter("box"):
        corners = _centre_corners(element)
        if any(not (0 <= x <= 100 and 0 <= y <= 100) for x, y in corners):
            line = next(n for n, text in enumerate(lines, 1) if f"xtl='{element.get('xtl')}'" in text)
            expected.append((line, -min(y for _, y in corners)))
    unturned = [b for b in boxes if float(b["xbr"]) > 100 or float(b["ytl"]) < 0]
    assert len(expected) == 1 and len(unturned) == 1 and unturned[0] is boxes[0]  # the turn changes both
    problems = _check(path, "--select", "LL201")
    assert [(p["line"], p["code"]) for p in problems] == [(line, "LL201") for line, _ in expected]
    assert f"{expected[0][1]:.4g} px past the top" in problems[0]["message"]


def test_cvat_turned_box_keeps_its_corners_envelope_and_angle(tmp_path: Path) -> None:
    path = _cvat(
        tmp_path / "a.xml", [{"label": "sign", "xtl": "20", "ytl": "30", "xbr": "60", "ybr": "40", "rotation": "45"}]
    )
    dataset = CvatReader().read([path], ReadContext(Path.read_bytes, Path.is_file, str, {}))
    corners = _centre_corners(next(ET.parse(path).getroot().iter("box")))
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    assert dataset.ann_segmentation[0][0] == pytest.approx([c for corner in corners for c in corner])
    assert dataset.ann_box[0].tolist() == pytest.approx([min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)])
    assert dataset.ann_fields[0]["rotation"] == "45"


def test_cvat_rotation_that_is_not_a_number_is_a_problem_at_its_line(tmp_path: Path) -> None:
    path = _cvat(
        tmp_path / "a.xml", [{"label": "sign", "xtl": "1", "ytl": "1", "xbr": "5", "ybr": "5", "rotation": "left"}]
    )
    [problem] = _check(path)
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "rotation='left'" in text)
    assert (problem["code"], problem["line"]) == ("LL002", line) and "`rotation`" in problem["message"]


def _labelstudio(path: Path, regions: list[tuple[float, float, float, float, float]]) -> Path:
    """Label Studio tasks on a 100 x 100 image (so percent = pixels), one `pole` box each."""
    tasks = []
    for k, (x, y, w, h, rotation) in enumerate(regions):
        value = {"x": x, "y": y, "width": w, "height": h, "rotation": rotation, "rectanglelabels": ["pole"]}
        region = {"type": "rectanglelabels", "from_name": "label", "to_name": "image", "value": value}
        region.update(original_width=100, original_height=100)
        tasks.append(
            {"id": k, "data": {"image": f"img{k}.jpg"}, "annotations": [{"completed_by": 1, "result": [region]}]}
        )
    path.write_text(json.dumps(tasks))
    return path


def test_size_and_aspect_rules_measure_a_turned_box_as_drawn(tmp_path: Path) -> None:
    # A pole drawn 4 px wide and 40 tall, turned 45 degrees: its envelope is about 31 x 31 (wide
    # enough, ratio 1), but the pole is 4 px wide (LL203: min_width 6) and ratio 0.1 (LL204).
    (tmp_path / "labelspec.yaml").write_text(SPEC)
    cvat = _cvat(
        tmp_path / "annotations.xml",
        [
            {"label": "pole", "xtl": "40", "ytl": "30", "xbr": "44", "ybr": "70", "rotation": "45"},
            {"label": "pole", "xtl": "10", "ytl": "10", "xbr": "30", "ybr": "30", "rotation": "45"},  # square
        ],
    )
    studio = _labelstudio(tmp_path / "tasks.json", [(50, 10, 4, 40, 45), (10, 10, 20, 20, 45)])
    for path in (cvat, studio):
        problems = _check(path, "--spec", "labelspec.yaml", "--select", "LL203,LL204")
        assert sorted(p["code"] for p in problems) == ["LL203", "LL204"], problems
        assert len({p["line"] or p["pointer"] for p in problems}) == 1  # both on the thin pole
        small = next(p for p in problems if p["code"] == "LL203")["message"]
        assert "turned 45 degrees, drawn 4 x 40" in small and "width 4 < 6" in small
        assert "aspect ratio 0.1 " in next(p for p in problems if p["code"] == "LL204")["message"]
