"""`init` writes a spec and config that `check` loads in every case: declared classes kept (and
marked when unused), no annotations and no declared classes refused with a clear message, and
[[datasets]] globs that match only the label files init read."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import yaml
from conftest import shared_path
from helpers import problems_of, run_cli, write_coco


def _init_and_check(root: Path, source: str = "labels") -> tuple[object, object]:
    init = run_cli("init", "--from", source, cwd=root)
    assert init.exit_code == 0, init.output
    assert run_cli("spec", "validate", "labelspec.yaml", cwd=root).exit_code == 0
    return init, run_cli("check", "--format", "json", cwd=root)


def test_coco_without_annotations_keeps_its_categories(tmp_path: Path) -> None:
    categories = [{"id": 1, "name": "car"}, {"id": 7, "name": "bus"}]
    write_coco(
        tmp_path / "labels" / "a.json", [{"id": 1, "file_name": "a.jpg", "width": 9, "height": 9}], [], categories
    )
    _, check = _init_and_check(tmp_path)
    assert check.exit_code == 0  # warnings only: every class is unused (LL301)
    spec = yaml.safe_load((tmp_path / "labelspec.yaml").read_text())
    assert {name: c["id"] for name, c in spec["classes"].items()} == {"car": 1, "bus": 7}
    text = (tmp_path / "labelspec.yaml").read_text()
    assert text.count("declared by the labels, unused (0 annotations)") == 2


def test_yolo_names_with_empty_label_files_and_unused_names(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "classes.txt").write_text("car\nbus\ntruck\n")
    (labels / "a.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    (labels / "b.txt").write_text("")  # a negative image: no boxes
    _, check = _init_and_check(tmp_path)
    assert check.exit_code == 0
    text = (tmp_path / "labelspec.yaml").read_text()
    assert "# class 'car': 1 annotation in 1 item" in text
    for name in ("bus", "truck"):
        assert f"# class {name!r}: declared by the labels, unused (0 annotations)" in text
    assert [p["message"] for p in problems_of(check) if p["code"] == "LL301"] == [
        "class 'bus' has no annotations in the 1 checked annotations",
        "class 'truck' has no annotations in the 1 checked annotations",
    ]


def test_no_annotations_and_no_declared_classes_is_refused_clearly(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "tasks.json").write_text(json.dumps([{"id": 1, "data": {"image": "a.jpg"}, "annotations": []}]))
    result = run_cli("init", "--from", "labels", cwd=tmp_path)
    assert result.exit_code == 2
    assert "1 label file with 1 item holds no annotations and declares no classes" in result.stderr
    assert not (tmp_path / "labelspec.yaml").exists() and not (tmp_path / "labellint.toml").exists()


def test_datasets_in_several_folders_get_one_glob_each(tmp_path: Path) -> None:
    """Darknet layout (datumaro's YOLO sample, twice as train and val) beside a COCO file: the
    image lists, obj.data and obj.names are not label files, and check must not read them."""
    sample = shared_path("data", "peers", "datumaro", "yolo_dataset", "strict")
    root = tmp_path / "labels"
    for split in ("train", "val"):
        shutil.copytree(sample, root / split)
    images = [{"id": 1, "file_name": "x.jpg", "width": 50, "height": 50}]
    write_coco(
        root / "extra" / "instances.json", images, [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 4, 4]}]
    )
    _, check = _init_and_check(tmp_path)
    config = tomllib.loads((tmp_path / "labellint.toml").read_text())
    label_files = sorted(p.relative_to(tmp_path).as_posix() for p in root.rglob("obj_train_data/*.txt"))
    assert len(label_files) == 2
    assert [(d["path"], d["reader"]) for d in config["datasets"]] == [
        ("labels/extra/instances.json", "coco"),
        ("labels/train/obj_train_data/*.txt", "yolo"),
        ("labels/val/obj_train_data/*.txt", "yolo"),
    ]
    assert config.get("exclude", []) == []  # the globs reach no other file
    # The image lists (train.txt) that a folder-wide `reader = "yolo"` made LL002 are not read.
    assert check.exit_code == 0, check.output
    report = json.loads(check.stdout)
    assert not [p for p in report["problems"] if p["code"] in ("LL001", "LL002")]
    assert report["summary"]["files"] == 3


def test_names_file_beside_the_labels_is_excluded_not_read(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "classes.txt").write_text("car\nbus\n")
    for name in ("a", "b"):
        (labels / f"{name}.txt").write_text("1 0.5 0.5 0.1 0.1\n")
    _, check = _init_and_check(tmp_path)
    config = tomllib.loads((tmp_path / "labellint.toml").read_text())
    assert [(d["path"], d["reader"]) for d in config["datasets"]] == [("labels/*.txt", "yolo")]
    assert config["exclude"] == ["labels/classes.txt"]
    assert check.exit_code == 0
    assert [p["message"] for p in problems_of(check) if p["code"] == "LL301"] == [
        "class 'car' has no annotations in the 2 checked annotations"  # names still found: bus is used
    ]
