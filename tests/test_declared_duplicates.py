"""Classes a label file declares twice (COCO category ids or names, YOLO names): LL003 at the
second declaration, naming both; `init` on such labels writes a spec that `check` loads."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import shared_path
from helpers import problems_of, run_cli, write_coco

from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader

CATEGORIES = [
    {"id": 1, "name": "car"},
    {"id": 2, "name": "person"},
    {"id": 2, "name": "pedestrian"},  # the id again: its annotations silently became 'person'
    {"id": 3, "name": "car"},  # the name again, under another id
]


def _coco(path: Path) -> Path:
    images = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 2, "bbox": [1, 1, 5, 5]},
        {"id": 2, "image_id": 1, "category_id": 3, "bbox": [20, 20, 5, 5]},
    ]
    return write_coco(path, images, annotations, CATEGORIES)


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_coco_category_declared_twice_is_ll003_at_the_second(tmp_path: Path) -> None:
    path = _coco(tmp_path / "labels" / "train.json")
    result = run_cli("check", "--format", "json", "--select", "LL003", str(path), cwd=tmp_path)
    problems = problems_of(result)
    assert [(p["pointer"], p["line"]) for p in problems] == [
        # The line of the record's `{` (json.dumps(indent=1) writes one key a line).
        ("/categories/2", _line_of(path, '"pedestrian"') - 2),
        ("/categories/3", _line_of(path, '"id": 3') - 1),
    ]
    assert "'pedestrian'" in problems[0]["message"] and "'person'" in problems[0]["message"]
    assert "read as 'person'" in problems[0]["message"]
    assert "id 3" in problems[1]["message"] and "id 1" in problems[1]["message"]
    # The annotation with category_id 2 is read as the first name, which the message says.
    dataset = CocoReader().read([path], ReadContext(Path.read_bytes, Path.is_file, str, {}))
    assert dataset.class_name(0) == "person"


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("classes.txt", "car\nperson\ncar\n", 3),
        ("data.yaml", "names:\n  - car\n  - person\n  - car\n", 4),
        ("data.yaml", "names:\n  0: car\n  1: person\n  2: car\n", 4),
    ],
)
def test_yolo_names_naming_one_class_twice_is_ll003(tmp_path: Path, name: str, text: str, line: int) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / name).write_text(text)
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n2 0.2 0.2 0.1 0.1\n")
    problems = problems_of(run_cli("check", "--format", "json", ".", cwd=tmp_path))
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("LL003", name, line)]
    assert "index 2 again (first to index 0)" in problems[0]["message"]


def test_real_files_declare_no_class_twice(tmp_path: Path) -> None:
    """No false alarm: the shared COCO files (counted here with json) and YOLO names declare
    every class once, and give no LL003 on their declarations."""
    files = sorted(shared_path("data", "coco").rglob("*.json"))
    for path in files:
        categories = json.loads(path.read_text("utf-8"))["categories"]
        assert max(Counter(c["id"] for c in categories).values()) == 1
        assert max(Counter(c["name"] for c in categories).values()) == 1
    dataset = CocoReader().read(files, ReadContext(Path.read_bytes, Path.is_file, str, {}))
    assert not [i for i in dataset.issues if i.code == "LL003"]
    for names in (
        shared_path("data", "yolo", "ls_converter_import_yolo"),
        shared_path("data", "peers", "datumaro", "yolo_dataset", "labels"),
    ):
        result = run_cli("check", "--format", "json", "--select", "LL003", str(names), cwd=tmp_path)
        assert problems_of(result) == []


def _init_then_check(root: Path) -> tuple[object, object, dict]:
    init = run_cli("init", "--from", "labels", cwd=root)
    check = run_cli("check", "--format", "json", cwd=root)
    return init, check, yaml.safe_load((root / "labelspec.yaml").read_text())


def test_init_on_a_repeated_category_id_writes_a_spec_check_loads(tmp_path: Path) -> None:
    _coco(tmp_path / "labels" / "train.json")
    init, check, spec = _init_then_check(tmp_path)
    assert init.exit_code == 0 and check.exit_code == 1  # the LL003s, not a spec that does not load (2)
    assert "class 'pedestrian' is declared with an id another class has (LL003)" in init.stderr
    assert spec["classes"]["person"]["id"] == 2 and "id" not in spec["classes"]["pedestrian"]
    assert "id" not in spec["classes"]["car"]  # written with ids 1 and 3: the user picks
    assert "several ids (1, 3)" in init.stderr
    assert {p["code"] for p in problems_of(check)} >= {"LL003"}


def test_init_on_yolo_names_repeating_a_name_writes_a_spec_check_loads(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "classes.txt").write_text("car\nperson\ncar\n")
    (tmp_path / "labels" / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n2 0.2 0.2 0.1 0.1\n")
    init, check, spec = _init_then_check(tmp_path)
    assert init.exit_code == 0 and check.exit_code == 1
    assert list(spec["classes"]) == ["car", "person"]  # `person` is declared, unused: kept
    assert "several ids (0, 2)" in init.stderr
    assert "2 annotations in 1 item" in (tmp_path / "labelspec.yaml").read_text()
    assert [p["code"] for p in problems_of(check) if p["code"] == "LL003"] == ["LL003"]
