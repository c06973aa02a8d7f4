"""Media rules (LL701-LL704) on images made here with Pillow: each defect found exactly once."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import run_cli
from PIL import Image

CONFIG = """\
[[datasets]]
path = "labels/train.json"
split = "train"

[[datasets]]
path = "labels/test.json"
split = "test"
"""


def _image(path: Path, size: tuple[int, int], colour: tuple[int, int, int], orientation: int | None = None) -> None:
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    image.save(path, "JPEG", exif=exif.tobytes())


def _coco(images: list[tuple[str, int, int]]) -> dict:
    return {
        "images": [{"id": i, "file_name": name, "width": w, "height": h} for i, (name, w, h) in enumerate(images, 1)],
        "annotations": [
            {"id": i, "image_id": i, "category_id": 1, "bbox": [2, 2, 10, 10], "area": 100, "iscrowd": 0}
            for i in range(1, len(images) + 1)
        ],
        "categories": [{"id": 1, "name": "thing"}],
    }


@pytest.fixture()
def dataset(tmp_path: Path) -> Path:
    images = tmp_path / "images"
    images.mkdir()
    _image(images / "fine.jpg", (64, 48), (200, 10, 10))
    _image(images / "wrong_size.jpg", (64, 48), (10, 200, 10))
    _image(images / "turned.jpg", (64, 48), (10, 10, 200), orientation=6)
    _image(images / "leaked.jpg", (64, 48), (90, 90, 90))
    shutil.copy(images / "leaked.jpg", images / "leaked_copy.jpg")
    _image(images / "unlabelled.jpg", (64, 48), (250, 250, 0))
    _image(images / "test_fine.jpg", (48, 64), (0, 250, 250))
    labels = tmp_path / "labels"
    labels.mkdir()
    train = [("fine.jpg", 64, 48), ("wrong_size.jpg", 80, 48), ("turned.jpg", 64, 48), ("leaked.jpg", 64, 48)]
    test = [("test_fine.jpg", 48, 64), ("leaked_copy.jpg", 64, 48), ("gone.jpg", 64, 48)]
    (labels / "train.json").write_text(json.dumps(_coco(train)))
    (labels / "test.json").write_text(json.dumps(_coco(test)))
    (tmp_path / "labellint.toml").write_text(CONFIG)
    return tmp_path


def _problems(folder: Path, *paths: str) -> list[dict]:
    result = run_cli("check", "--format", "json", *paths, cwd=folder)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return json.loads(result.stdout)["problems"]


def test_each_image_defect_is_found_exactly_once(dataset: Path) -> None:
    found = sorted((p["code"], p["path"], p.get("item")) for p in _problems(dataset))
    assert found == [
        ("LL701", "labels/train.json", "2"),
        ("LL701", "labels/train.json", "3"),
        ("LL702", "labels/test.json", "3"),
        ("LL703", "labels/test.json", "2"),
        ("LL704", "images/unlabelled.jpg", None),
    ]


def test_the_messages_say_what_is_wrong(dataset: Path) -> None:
    messages = {(p["code"], p.get("item")): p["message"] for p in _problems(dataset)}
    assert messages[("LL701", "2")] == "declared size 80x48 differs from the image file's 64x48"
    assert messages[("LL701", "3")].startswith(
        "declared size 64x48 is the image's stored size, but its EXIF orientation 6 turns it 90 degrees to 48x64"
    )
    assert "'gone.jpg'" in messages[("LL702", "3")]
    assert "'leaked.jpg' in split 'train' (labels/train.json)" in messages[("LL703", "2")]


def test_headers_only_and_cached(dataset: Path) -> None:
    # Cut the turned image just after its pixel data starts: only a header read still works.
    turned = dataset / "images" / "turned.jpg"
    data = turned.read_bytes()
    turned.write_bytes(data[: data.index(b"\xff\xda") + 16])
    with Image.open(turned) as image, pytest.raises(OSError):
        image.load()
    first = _problems(dataset)
    assert ("LL701", "3") in {(p["code"], p.get("item")) for p in first}
    cache = dataset / "labels" / ".labellint_cache"
    headers = json.loads((cache / "image-headers.json").read_text())["files"]
    assert headers["../images/turned.jpg"][2:] == [64, 48, 6]
    assert _problems(dataset) == first


def test_quiet_where_the_images_are_not(tmp_path: Path, dataset: Path) -> None:
    shutil.rmtree(dataset / "images")
    assert {p["code"] for p in _problems(dataset)} & {"LL701", "LL702", "LL703", "LL704"} == set()


def test_without_splits_nothing_leaks(dataset: Path) -> None:
    (dataset / "labellint.toml").write_text(CONFIG.replace('split = "train"\n', "").replace('split = "test"\n', ""))
    assert "LL703" not in {p["code"] for p in _problems(dataset)}


def test_coco_layout_with_split_image_folders(tmp_path: Path) -> None:
    """Datumaro's COCO sample: annotations/instances_train.json beside images/train/a.jpg."""
    from conftest import shared_path

    folder = tmp_path / "coco"
    shutil.copytree(shared_path("data", "peers", "datumaro", "coco_dataset", "coco_instances"), folder)
    assert {p["code"] for p in _problems(folder, ".")} & {"LL701", "LL702", "LL703", "LL704"} == set()
    labels = folder / "annotations" / "instances_train.json"
    document = json.loads(labels.read_text())
    with Image.open(folder / "images" / "train" / "a.jpg") as image:
        assert (document["images"][0]["width"], document["images"][0]["height"]) == image.size
    document["images"][0]["width"] += 7
    labels.write_text(json.dumps(document))
    found = [(p["code"], p["path"]) for p in _problems(folder, ".") if p["code"].startswith("LL7")]
    assert found == [("LL701", "annotations/instances_train.json")]


def test_image_names_by_stem_agree_with_pathlib() -> None:
    """The string test for a suffix that spares a Path per item says what `Path(name).suffix` says."""
    from labellint.rules._media import has_suffix

    names = ["a", "a.jpg", "a.", ".hidden", "..", ".", "a.b.c", "dir.d/a", "dir/a.png", "a..", " .x", "x. "]
    names += ["labels/000001", "a/b.c/", "a/b.c/.", "a//b.png", "/abs/x.jpg", "./x.tif", "a/..", "a/.x"]
    assert [has_suffix(name) for name in names] == [bool(Path(name).suffix) for name in names]


def test_yolo_stems_found_among_many_label_files(tmp_path: Path) -> None:
    """Many YOLO files in one folder, images for some stems only: LL702 names exactly the others."""
    images = tmp_path / "images"
    images.mkdir()
    (tmp_path / "data.yaml").write_text("names:\n  0: car\n")
    for index in range(40):
        (tmp_path / f"{index:03d}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    for index, suffix in [(0, ".jpg"), (7, ".png"), (19, ".jpeg"), (33, ".bmp")]:
        Image.new("RGB", (8, 8), (index, 0, 0)).save(images / f"{index:03d}{suffix}")
    (images / "021.txt").write_text("a stray file among the images, not an image\n")
    imaged = {name.split(".")[0] for name in os.listdir(images) if not name.endswith(".txt")}
    labels = [name for name in os.listdir(tmp_path) if name.endswith(".txt")]
    expected = sorted(name for name in labels if name.split(".")[0] not in imaged)
    assert len(expected) == 36
    found = sorted(p["path"] for p in _problems(tmp_path, ".") if p["code"] == "LL702")
    assert found == expected
    shutil.rmtree(images)  # no image folder at all: nothing to say about images
    assert [p for p in _problems(tmp_path, ".") if p["code"].startswith("LL7")] == []


@pytest.mark.parametrize(
    ("labels", "images"),
    [
        ("labels", "images"),  # labels/ beside images/ at the dataset root
        ("train/labels", "train/images"),  # Roboflow's YOLO export: one split per folder
        ("labels/train", "images/train"),  # Ultralytics' layout: the last `labels` of the path is `images`
    ],
)
def test_yolo_labels_find_their_images_in_the_images_twin_folder(tmp_path: Path, labels: str, images: str) -> None:
    """YOLO's own layout (`…/labels/…/a.txt` -> `…/images/…/a.jpg`): images there are found, and
    LL702 names exactly the label files whose image is missing, never all of them."""
    (tmp_path / labels).mkdir(parents=True)
    (tmp_path / images).mkdir(parents=True)
    (tmp_path / "data.yaml").write_text("names:\n  0: car\n")
    for index in range(6):
        (tmp_path / labels / f"{index:03d}.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    for index, suffix in [(0, ".jpg"), (2, ".png"), (5, ".jpeg")]:
        Image.new("RGB", (8, 8), (index, 0, 0)).save(tmp_path / images / f"{index:03d}{suffix}")
    imaged = {name.split(".")[0] for name in os.listdir(tmp_path / images)}
    expected = sorted(f"{labels}/{n}" for n in os.listdir(tmp_path / labels) if n.split(".")[0] not in imaged)
    assert len(expected) == 3
    found = sorted(p["path"] for p in _problems(tmp_path, ".") if p["code"] == "LL702")
    assert found == expected


@pytest.mark.parametrize(
    ("labels", "images"),
    [("labels", "images"), ("train/labels", "train/images"), ("labels/train", "images/train")],
)
def test_ll303_hashes_yolo_images_in_the_images_twin_folder(tmp_path: Path, labels: str, images: str) -> None:
    """LL303 finds a YOLO label's image where LL701/LL702 do (the images twin folder): two
    byte-identical images labelled differently conflict; labelled the same, they do not."""
    (tmp_path / labels).mkdir(parents=True)
    (tmp_path / images).mkdir(parents=True)
    (tmp_path / "data.yaml").write_text("names:\n  0: car\n  1: truck\n")
    Image.new("RGB", (16, 16), (40, 80, 120)).save(tmp_path / images / "a.jpg")
    shutil.copy(tmp_path / images / "a.jpg", tmp_path / images / "b.jpg")
    Image.new("RGB", (16, 16), (1, 2, 3)).save(tmp_path / images / "c.jpg")  # other bytes: never a duplicate
    assert (tmp_path / images / "a.jpg").read_bytes() == (tmp_path / images / "b.jpg").read_bytes()
    (tmp_path / labels / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (tmp_path / labels / "c.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    for b_class, conflicts in (("1", True), ("0", False)):
        (tmp_path / labels / "b.txt").write_text(f"{b_class} 0.5 0.5 0.2 0.2\n")
        problems = _problems(tmp_path, ".")
        assert [p["code"] for p in problems if p["code"] in ("LL701", "LL702")] == []  # every image found
        found = sorted(p["path"] for p in problems if p["code"] == "LL303")
        assert found == ([f"{labels}/b.txt"] if conflicts else [])  # reported once, at the later copy
        if conflicts:
            assert f"{labels}/a.txt" in next(p["message"] for p in problems if p["code"] == "LL303")
