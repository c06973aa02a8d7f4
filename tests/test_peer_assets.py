"""Every asset set in ../shared/data/peers/datumaro (another project's sample of one format) is read
or skipped by name: `check --format json` reads its label files without LL002 on files the
peer considers valid, or names them as skipped; never a crash (exit 3), never a traceback, never
silence. What each set holds is counted here with plain json/xml/csv, not by asking labellint."""

from __future__ import annotations

import csv
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import SHARED_DATA
from helpers import run_cli, working_directory
from peer_answers import expected_conflicts

from labellint.commands.labels import LabelSelection, read_dataset
from labellint.settings.config import Config
from labellint.sources.worktree import WorkTree

PEERS = SHARED_DATA / "peers" / "datumaro"


def _lines(path: Path) -> int:
    return sum(1 for line in path.read_text().splitlines() if line.strip())


def _coco(path: Path) -> int:
    # A panoptic record holds one annotation per segment; other COCO records are one each.
    records = json.loads(path.read_text())["annotations"]
    return sum(len(r["segments_info"]) if "segments_info" in r else 1 for r in records)


def _voc(path: Path) -> int:
    return len(ET.parse(path).getroot().findall("object"))


def _cvat(path: Path) -> int:
    # Labelled shapes on images (one without a label is an LL002, below), plus the keyframes of
    # tracks where the object is in view.
    root = ET.parse(path).getroot()
    on_images = sum(1 for image in root.iter("image") for shape in image if shape.get("label"))
    in_tracks = sum(1 for track in root.iter("track") for shape in track if shape.get("outside") != "1")
    return on_images + in_tracks


def _csv_rows(path: Path) -> int:
    with path.open(newline="") as stream:
        return sum(1 for row in list(csv.reader(stream))[1:] if row)


def _kitti(path: Path) -> int:
    # DontCare lines are regions left unlabelled, not objects.
    return sum(1 for line in path.read_text().splitlines() if line.split() and line.split()[0] != "DontCare")


def _open_images(path: Path) -> int:
    # Image-level label rows with Confidence 0 say the class is verified absent: not a label.
    with path.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    if rows and "XMin" not in rows[0]:
        return sum(1 for row in rows if float(row["Confidence"]) > 0)
    return len(rows)


def _image_csv(path: Path) -> int:
    # `image,label` tables: one label a row; one-hot tables (a column per class): one per "1".
    with path.open(newline="") as stream:
        header, *rows = [[cell.strip() for cell in row] for row in csv.reader(stream) if row]
    if len(header) == 2:
        return len(rows)
    return sum(cell == "1" for row in rows for cell in row[1:])


# The sets labellint reads: {set: {reader: (files it claims, count of one file's annotations)}}.
# Every other set holds no format labellint reads (masks, binary arrays, Datumaro/SA-1B/VoTT JSON,
# MOT/DOTA text, ...): check must say "no label files found (skipped ...)".
READ: dict[str, dict[str, tuple[int, Callable[[Path], int]]]] = {
    # 28 COCO files: instances, stuff, keypoints, image-level labels (`coco_labels`: no bbox, read as
    # image labels) and panoptic (segments_info); the 4 captions files are skipped by name.
    "coco_dataset": {"coco": (28, _coco)},
    "cvat_dataset": {"cvat": (3, _cvat)},
    "imagenet_txt_dataset": {"imagenet_txt": (3, _lines)},
    "kaggle_dataset": {"image_csv": (4, _image_csv), "box_csv": (2, _csv_rows), "coco": (1, _coco), "voc": (2, _voc)},
    "kitti_dataset": {"kitti": (6, _kitti)},
    # Panoptic only; the polygons/*.json (Mapillary's own JSON) are skipped.
    "mapillary_vistas_dataset": {"coco": (4, _coco)},
    # Box and image-level label tables (one row each); the v5 tables and the hierarchy are skipped.
    "open_images_dataset": {"openimages": (4, _open_images)},
    "roboflow_dataset": {"coco": (2, _coco), "image_csv": (2, _image_csv), "voc": (3, _voc), "yolo": (3, _lines)},
    "voc_dataset": {"voc": (7, _voc)},
    "vott_csv_dataset": {"box_csv": (3, _csv_rows)},
    "yolo_dataset": {"yolo": (4, _lines)},
}

# LL002s that are real: the file breaks its own format's rules, whoever wrote it.
REAL_LL002 = {
    # CVAT writes a label on every shape (its XML schema requires `label`); Datumaro's exporter
    # wrote `label=""` for two unlabelled shapes, which no CVAT can import. An annotation
    # without a class is not a label, so this stays an LL002.
    "cvat_dataset": {"<polyline> without a `label`", "<polygon> without a `label`"},
}

_SKIPPED = re.compile(r"skipped (\d+) files? no reader claims")


def _sets() -> list:
    if not PEERS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"shared data not present: {PEERS}"))]
    return sorted(p.name for p in PEERS.iterdir() if p.is_dir())


def _files(folder: Path) -> list[Path]:
    """The files a folder scan sees: hidden folders (`.datumaro`, caches) are not walked."""
    hidden = re.compile(r"^\.")
    return [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(hidden.match(part) for part in p.relative_to(folder).parts)
    ]


def _read(path: Path):
    """The Dataset labellint reads from `path` (named from its folder, as a user would)."""
    with working_directory(path.parent):
        dataset, crashes = read_dataset(LabelSelection(paths=[path.name]), Config(root=path.parent), None, WorkTree())
    assert not crashes
    return dataset


def _read_by_reader(folder: Path) -> dict[str, tuple[list[Path], int]]:
    """Which reader claimed which files, and how many annotations labellint read from them."""
    with working_directory(folder.parent):
        dataset, crashes = read_dataset(
            LabelSelection(paths=[folder.name]), Config(root=folder.parent), None, WorkTree()
        )
    assert not crashes
    per_file = Counter(dataset.ann_file.tolist())
    out: dict[str, tuple[list[Path], int]] = {}
    for index, source in enumerate(dataset.files):
        paths, count = out.get(source.reader, ([], 0))
        out[source.reader] = ([*paths, folder.parent / source.path], count + per_file[index])
    return out


@pytest.mark.parametrize("name", _sets())
def test_every_peer_asset_set_is_read_or_skipped_by_name(tmp_path, name):
    folder = tmp_path / name
    shutil.copytree(PEERS / name, folder, ignore=shutil.ignore_patterns(".labellint_cache"))
    result = run_cli("check", "--format", "json", name, cwd=tmp_path)
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["crashes"] == []
    skipped = _SKIPPED.search(result.stderr)
    n_skipped = int(skipped.group(1)) if skipped else 0
    # Never silent: every file is read or counted in the one "skipped" note.
    assert report["summary"]["files"] + n_skipped == len(_files(folder)), result.stderr
    ll002 = {p["message"] for p in report["problems"] if p["code"] == "LL002"}
    assert ll002 <= REAL_LL002.get(name, set()), ll002
    if name not in READ:
        [problem] = report["problems"]
        assert problem["code"] == "LL001" and problem["path"] == name
        assert problem["message"].startswith("no label files found (skipped ")
        return
    # LL303, counted from the raw files (peer_answers.py). The ones that remain are real: datumaro
    # writes one synthetic image under many names (kaggle, roboflow, vott: byte-identical JPEGs),
    # and labels those copies differently, so a model would see one input with two answers. The
    # COCO task files of one image set, image lists without annotations and a CVAT image whose
    # shape has no label (an LL002 of its own) are no conflict: the count there is zero.
    ll303 = {(p["path"], p["item"]) for p in report["problems"] if p["code"] == "LL303"}
    assert ll303 == expected_conflicts(folder, _files(folder))
    expected = READ[name]
    read = _read_by_reader(folder)
    assert {reader: len(paths) for reader, (paths, _) in read.items()} == {r: n for r, (n, _) in expected.items()}
    for reader, (paths, count) in read.items():
        assert count == sum(map(expected[reader][1], paths)), reader
    assert report["summary"]["annotations"] == sum(count for _, count in read.values())


def _coco_sample(*parts: str) -> Path:
    path = PEERS.joinpath("coco_dataset", *parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


def test_panoptic_segments_are_the_annotations(tmp_path):
    path = _coco_sample("coco_panoptic", "annotations", "panoptic_val.json")
    document = json.loads(path.read_text())
    names = {c["id"]: c["name"] for c in document["categories"]}
    expected = [
        (f"/annotations/{i}/segments_info/{j}", names[s["category_id"]], s["bbox"], s["area"])
        for i, record in enumerate(document["annotations"])
        for j, s in enumerate(record["segments_info"])
    ]
    with working_directory(path.parent):
        dataset, _ = read_dataset(LabelSelection(paths=[path.name]), Config(root=path.parent), None, WorkTree())
    got = [
        (
            dataset.annotation_location(a).pointer,
            dataset.class_name(a),
            dataset.ann_box[a].tolist(),
            dataset.ann_area[a],
        )
        for a in range(dataset.n_annotations)
    ]
    assert got == expected and len(got) == 2
    assert dataset.ann_fields[0] == {"segment_id": 7, "mask_file": "b.png"}
    # Segment ids repeat across images (they are the PNG's colours): no LL003 for that.
    copy = tmp_path / "panoptic.json"
    record = document["annotations"][0]
    document["images"].append({**document["images"][0], "id": 41, "file_name": "c.jpg"})
    document["annotations"].append({**record, "image_id": 41, "file_name": "c.png"})
    copy.write_text(json.dumps(document))
    result = run_cli("--isolated", "check", "--format", "json", copy.name, cwd=tmp_path)
    assert json.loads(result.stdout)["problems"] == [], result.stdout


def test_a_broken_panoptic_segment_is_ll002_at_its_record(tmp_path):
    document = json.loads(_coco_sample("coco_panoptic", "annotations", "panoptic_val.json").read_text())
    del document["annotations"][0]["segments_info"][1]["category_id"]
    (tmp_path / "panoptic.json").write_text(json.dumps(document))
    result = run_cli("--isolated", "check", "--format", "json", "panoptic.json", cwd=tmp_path)
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "LL002" and problem["pointer"] == "/annotations/0/segments_info/1"
    assert "category_id" in problem["message"]


def test_captions_are_named_not_broken_and_image_labels_are_read(tmp_path):
    captions = _coco_sample("coco_captions", "annotations", "captions_val.json")
    result = run_cli("--isolated", "check", "--format", "json", str(captions), cwd=tmp_path)
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "LL001" and "this looks like COCO captions JSON" in problem["message"]
    labels = _coco_sample("coco_labels", "annotations", "labels_val.json")
    result = run_cli("--isolated", "check", "--format", "json", str(labels), cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["problems"] == [] and report["summary"]["annotations"] == len(
        json.loads(labels.read_text())["annotations"]
    )
