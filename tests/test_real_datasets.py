"""labellint on real public label files: exact counts, and their real defects found."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import shared_path
from helpers import run_cli

from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader
from labellint.readers.voc import VocReader
from labellint.readers.yolo import YoloReader


def _context() -> ReadContext:
    return ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str)


@pytest.mark.parametrize(
    ("relative", "items", "annotations", "categories"),
    [
        ("coco/taco/annotations_v1_a56f6cb.json", 715, 1827, 63),
        ("coco/taco/annotations_v2_a35e944.json", 715, 2152, 60),
        ("coco/taco/annotations_v4_508da01.json", 1500, 4784, 60),
        ("coco/coco128/instances_train2017.json", 128, 939, 80),
    ],
)
def test_coco_counts(relative: str, items: int, annotations: int, categories: int) -> None:
    dataset = CocoReader().read([shared_path("data", relative)], _context())
    assert (dataset.n_items, dataset.n_annotations, len(dataset.classes)) == (items, annotations, categories)
    assert not dataset.issues
    # Polygons and RLE are kept, not dropped.
    assert len(dataset.ann_segmentation) == annotations


def test_coco128_keeps_rle_segmentations() -> None:
    from labellint.readers.coco import decode_segmentation

    dataset = CocoReader().read([shared_path("data", "coco/coco128/instances_train2017.json")], _context())
    kinds = Counter(type(decode_segmentation(s)).__name__ for s in dataset.ann_segmentation.values())
    assert kinds == {"list": 929, "dict": 10}  # 10 iscrowd RLE masks


def test_voc_counts() -> None:
    bccd = sorted(shared_path("data", "voc/bccd/BCCD/Annotations").glob("*.xml"))
    dataset = VocReader().read(bccd, _context())
    assert (dataset.n_items, dataset.n_annotations) == (364, 4888)
    assert sorted(dataset.class_names) == ["Platelets", "RBC", "WBC"]
    raccoon = sorted(shared_path("data", "voc/raccoon/annotations").glob("*.xml"))
    dataset = VocReader().read(raccoon, _context())
    assert (dataset.n_items, dataset.n_annotations, dataset.class_names) == (200, 217, ["raccoon"])


def test_yolo_counts_with_data_yaml_names() -> None:
    root = shared_path("data", "yolo/coco128_lightly/object_detection/labels")
    files = sorted(root.rglob("*.txt"))
    dataset = YoloReader().read(files, _context())
    # Every class config.yaml names is a class (80), used or not; the labels use 76 of them.
    declared = yaml.safe_load((root.parent / "config.yaml").read_text())["names"]
    used = {int(line.split()[0]) for path in files for line in path.read_text().splitlines() if line.strip()}
    assert (len(declared), len(used)) == (80, 76)
    assert (dataset.n_items, dataset.n_annotations, len(dataset.classes)) == (256, 1839, len(declared))
    assert len(set(dataset.ann_class.tolist())) == len(used)
    assert not dataset.unresolved_class
    assert "person" in dataset.class_names and dataset.item_normalized.all()


def test_taco_v4_real_defects_found(tmp_path: Path) -> None:
    path = shared_path("data", "coco/taco/annotations_v4_508da01.json")
    document = json.loads(path.read_text())
    # Independent computation of the defects, straight from the JSON.
    ids = Counter(a["id"] for a in document["annotations"])
    repeated = sorted(i for i, n in ids.items() if n > 1)
    sizes = {im["id"]: (im["width"], im["height"]) for im in document["images"]}
    outside = sorted(
        a["id"]
        for a in document["annotations"]
        if a["bbox"][0] < 0
        or a["bbox"][1] < 0
        or a["bbox"][0] + a["bbox"][2] > sizes[a["image_id"]][0]
        or a["bbox"][1] + a["bbox"][3] > sizes[a["image_id"]][1]
    )
    result = run_cli("check", str(path), "--format", "json", "--select", "LL003,LL201", cwd=tmp_path)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert sorted(int(p["annotation"]) for p in problems if p["code"] == "LL003") == repeated
    assert sorted(int(p["annotation"]) for p in problems if p["code"] == "LL201") == outside
    assert repeated and outside


def test_bccd_real_defects_found(tmp_path: Path) -> None:
    folder = shared_path("data", "voc/bccd/BCCD/Annotations")
    result = run_cli("check", str(folder), "--format", "json", "--select", "LL202", cwd=tmp_path)
    problems = json.loads(result.stdout)["problems"]
    # Computed independently: objects whose xmin == xmax or ymin == ymax.
    import xml.etree.ElementTree as ET

    expected = []
    for xml in sorted(folder.glob("*.xml")):
        for obj in ET.parse(xml).getroot().iter("object"):
            box = obj.find("bndbox")
            xmin, ymin, xmax, ymax = (float(box.findtext(k)) for k in ("xmin", "ymin", "xmax", "ymax"))
            if xmax <= xmin or ymax <= ymin:
                expected.append(xml.name)
    assert sorted(Path(p["path"]).name for p in problems) == sorted(expected)
    assert len(expected) == 2
    assert all(p["line"] for p in problems)


def test_every_real_detection_dataset_reads_without_crash(tmp_path: Path) -> None:
    for relative in ("coco/taco", "voc/raccoon/annotations", "yolo/coco128_lightly/object_detection"):
        result = run_cli("check", str(shared_path("data", relative)), "--format", "json", cwd=tmp_path)
        assert result.exit_code in (0, 1), result.stderr
        assert json.loads(result.stdout)["summary"]["files"] > 0
