"""Sniffing with evidence, on other projects' own test assets (datumaro's, ../shared/data/peers/datumaro):
a reader claims a file only with evidence of its format, an unclaimed file is named (LL001 when
named, one "skipped" note in a folder scan), and no folder above the dataset changes a result."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import problems_of, run_cli

PEERS = ("data", "peers", "datumaro")

# Asset sets in formats labellint does not read (CVAT and KITTI are read since #15):
# (set folder, the kind the skipped note names).
UNSUPPORTED = [
    ("labelme_dataset", "LabelMe XML"),
    ("compat", "Datumaro JSON"),
    ("datumaro_dataset", "Datumaro JSON"),
    ("segment_anything_dataset", "SA-1B"),
    ("kinetics_dataset", "Kinetics JSON"),
    ("vott_json_dataset", "VoTT JSON"),
    ("mot_dataset", "comma-separated .txt"),
    ("synthia_dataset", "YOLO-like rows outside a YOLO layout"),
    ("dota_dataset", "DOTA label .txt"),
]


def _copy(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(".labellint_cache"))
    return dest


def _check(folder: Path, cwd: Path, *extra: str):
    result = run_cli("check", "--format", "json", *extra, str(folder), cwd=cwd)
    return result, json.loads(result.stdout)


@pytest.mark.parametrize(("name", "kind"), UNSUPPORTED)
def test_unsupported_formats_are_skipped_and_named_not_broken(tmp_path, name, kind):
    # Below a folder called `labels`, which must not change anything (it is above the dataset).
    folder = _copy(shared_path(*PEERS, name), tmp_path / "labels" / name)
    result, report = _check(folder, tmp_path)
    # Nothing in the folder is labels labellint reads: not broken (no LL002), but not "all passed"
    # either: one LL001 on the folder, naming what was skipped.
    assert result.exit_code == 1, result.stdout
    [problem] = report["problems"]
    assert problem["code"] == "LL001" and problem["path"] == f"labels/{name}"
    assert "no label files found" in problem["message"] and kind in problem["message"]
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(skipped) == 1 and kind in skipped[0], result.stderr


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("labelme_dataset/Annotations/subset1/img1.xml", "LabelMe XML"),
        ("roboflow_dataset/createml/train/_annotations.createml.json", "CreateML JSON"),
        ("segment_anything_dataset/a.json", "SA-1B"),
        ("kinetics_dataset/train.json", "Kinetics JSON"),
        ("mot_dataset/mot_seq/gt/gt.txt", "comma-separated"),
    ],
)
def test_a_named_file_of_another_format_is_ll001_saying_what_it_looks_like(tmp_path, relative, kind):
    path = shared_path(*PEERS, relative)
    result, report = _check(path, tmp_path)
    assert result.exit_code == 1
    [problem] = report["problems"]
    assert problem["code"] == "LL001"
    assert f"this looks like {kind}" in problem["message"]


def test_a_named_empty_file_is_ll001_file_is_empty(tmp_path):
    for name in ("labels.json", "instances.xml", "img_1.txt"):
        (tmp_path / name).write_bytes(b"")
        _result, report = _check(tmp_path / name, tmp_path)
        assert [(p["code"], p["message"]) for p in report["problems"]] == [("LL001", "the file is empty")]


def test_empty_and_broken_files_in_a_scan_are_listed_not_silent(tmp_path):
    (tmp_path / "truncated.json").write_bytes(b"")
    (tmp_path / "notes.xml").write_bytes(b"<broken")
    result, _report = _check(tmp_path, tmp_path)
    [note] = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert "skipped 2 files" in note and "1 empty .json" in note and "1 XML" in note


def _voc_objects(folder: Path) -> tuple[int, int]:
    """(VOC annotation files, objects with a bndbox) counted with plain XML parsing."""
    files = objects = 0
    for xml in sorted(folder.rglob("*.xml")):
        root = ET.parse(xml).getroot()
        if root.tag == "annotation":
            files += 1
            objects += sum(1 for obj in root.iter("object") if obj.find("bndbox") is not None)
    return files, objects


def test_voc_image_sets_are_not_items_and_location_does_not_matter(tmp_path):
    source = shared_path(*PEERS, "voc_dataset")
    files, objects = _voc_objects(source)
    lists = len(list(source.rglob("ImageSets/**/*.txt")))
    assert lists > 20  # the empty and non-empty split lists that used to become YOLO items
    results = []
    for where in (tmp_path / "a" / "voc", tmp_path / "b" / "labels" / "deep" / "voc"):
        folder = _copy(source, where)
        result, report = _check(folder, where.parent)
        assert report["summary"]["items"] == files
        assert report["summary"]["annotations"] == objects
        found = sorted((p["code"], p["path"], p["message"].split(" (first at")[0]) for p in report["problems"])
        results.append((result.exit_code, found))
    assert results[0] == results[1]


def _yolo_rows(paths: list[Path]) -> int:
    return sum(1 for p in paths for line in p.read_text().splitlines() if line.split())


def test_yolo_layouts_are_read_by_their_evidence(tmp_path):
    """datumaro's YOLO sets: a `labels/` folder (Ultralytics) or an obj.names beside (Darknet);
    the image lists (train.txt), names and README are not label files."""
    folder = _copy(shared_path(*PEERS, "yolo_dataset"), tmp_path / "yolo_dataset")
    label_files = [
        *folder.glob("labels/labels/*/*.txt"),
        *folder.glob("annotations/Annotations/*.txt"),
        *folder.glob("strict/obj_train_data/*.txt"),
    ]
    result, report = _check(folder, tmp_path)
    assert report["summary"]["files"] == len(label_files)
    assert report["summary"]["annotations"] == _yolo_rows(label_files)
    assert "image lists" in result.stderr  # strict/train.txt, named in the skipped note


def test_yolo_rows_without_a_yolo_layout_are_not_claimed(tmp_path):
    # datumaro's "relaxed" YOLO: rows, but neither a labels/ folder nor a names file.
    folder = _copy(shared_path(*PEERS, "kaggle_dataset", "relaxed_yolo"), tmp_path / "relaxed_yolo")
    result, report = _check(folder, tmp_path)
    assert report["summary"]["files"] == 0
    assert "YOLO-like rows outside a YOLO layout" in result.stderr
    # Forcing the reader reads them.
    _result, forced = _check(folder, tmp_path, "--reader", "yolo")
    assert forced["summary"]["annotations"] == _yolo_rows(sorted(folder.glob("*.txt")))


def test_problems_of_unchanged_sets_survive(tmp_path):
    """The sets labellint reads keep being read: COCO instances, VOC, YOLO with data.yaml."""
    folder = _copy(shared_path(*PEERS, "roboflow_dataset", "yolo"), tmp_path / "yolo")
    labels = sorted(folder.rglob("labels/*.txt"))
    result, report = _check(folder, tmp_path)
    assert report["summary"]["files"] == len(labels)
    assert report["summary"]["annotations"] == _yolo_rows(labels)
    assert problems_of(result) == report["problems"]
