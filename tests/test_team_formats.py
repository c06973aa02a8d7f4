"""Readers for the formats teams label in (CVAT, LabelMe, CoNLL, image classification), counted
independently with plain xml/json/csv on datumaro's samples and on files written from the docs."""

from __future__ import annotations

import csv
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path
from helpers import run_cli

from labellint.readers import available_readers

SHAPES = {"box", "polygon", "polyline", "points", "mask", "ellipse", "cuboid", "skeleton", "tag"}
NEW_READERS = {
    "cvat",
    "labelme",
    "conll",
    "image_csv",
    "imagenet_txt",
    "imagefolder",
    "kitti",
    "box_csv",
    "openimages",
    "parquet",
}


def check_json(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    return json.loads(result.stdout)


def cvat_counts(path: Path) -> tuple[int, int, int]:
    """(items, labelled shapes, shapes without a label) of a CVAT XML, by plain ElementTree."""
    root = ET.parse(path).getroot()
    images = root.findall("image")
    shapes = [s for image in images for s in image if s.tag in SHAPES]
    frames: set[int] = set()
    task = root.find("meta/task")
    if task is not None and task.findtext("mode") == "interpolation":
        step = int((task.findtext("frame_filter") or "step=1").split("=")[1])
        frames = set(range(int(task.findtext("start_frame")), int(task.findtext("stop_frame")) + 1, step))
    tracked = [s for track in root.findall("track") for s in track if s.get("outside") != "1"]
    frames |= {int(s.get("frame")) for s in tracked}
    labelled = [s for s in shapes if s.get("label")]
    return len(images) + len(frames), len(labelled) + len(tracked), len(shapes) - len(labelled)


@pytest.mark.parametrize(
    "relative",
    ["for_images/export_task/train.xml", "for_images/export_project/annotations.xml", "for_video/annotations.xml"],
)
def test_cvat_samples_count_as_plain_xml_does(relative):
    path = shared_path("data", "peers", "datumaro", "cvat_dataset", relative)
    items, annotations, unlabelled = cvat_counts(path)
    report = check_json(path.name, cwd=path.parent)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (items, annotations)
    # The only findings: datumaro's task sample writes two shapes with label="" (no class at all).
    assert [p["code"] for p in report["problems"]] == ["LL002"] * unlabelled
    assert all("without a `label`" in p["message"] for p in report["problems"])


def test_cvat_declared_labels_reach_init(tmp_path):
    path = shared_path("data", "peers", "datumaro", "cvat_dataset", "for_video", "annotations.xml")
    declared = [e.findtext("name") for e in ET.parse(path).getroot().iter("label")]
    result = run_cli("init", "--from", str(path), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    spec = (tmp_path / "labelspec.yaml").read_text()
    # `klhg` and `II` are used, `z U k` only declared: all three become spec classes.
    assert all(f"# class {name!r}" in spec for name in declared)


def test_cvat_video_tracks_keep_their_id_per_frame(tmp_path):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    path = shared_path("data", "peers", "datumaro", "cvat_dataset", "for_video", "annotations.xml")
    visible = [
        (track.get("id"), int(s.get("frame")))
        for track in ET.parse(path).getroot().findall("track")
        for s in track
        if s.get("outside") != "1"
    ]
    dataset, _ = read_dataset(LabelSelection(paths=[str(path)]), Config(root=tmp_path), None, WorkTree())
    assert list(dataset.ann_ids) == [f"{t}@{f}" for t, f in visible]
    assert [dataset.ann_fields[a]["track_id"] for a in range(dataset.n_annotations)] == [t for t, _ in visible]


LABELME = {
    "version": "5.4.1",
    "flags": {"night": True},
    "shapes": [
        {"label": "car", "points": [[120, 80], [20, 30]], "group_id": None, "shape_type": "rectangle", "flags": {}},
        {"label": "car", "points": [[10, 10], [60, 12], [40, 50]], "group_id": 1, "shape_type": "polygon", "flags": {}},
        {"label": "wheel", "points": [[50, 50], [53, 54]], "group_id": 1, "shape_type": "circle", "flags": {}},
        {"label": "lane", "points": [[0, 100], [200, 100]], "group_id": None, "shape_type": "line", "flags": {}},
        {"label": "lane", "points": [[0, 90], [50, 90], [90, 95]], "shape_type": "linestrip", "flags": {}},
        {"label": "nose", "points": [[70, 70]], "group_id": None, "shape_type": "point", "flags": {"unsure": False}},
    ],
    "imagePath": "..\\images\\frame_0001.jpg",
    "imageData": None,
    "imageHeight": 240,
    "imageWidth": 320,
}


def test_labelme_json_from_the_docs(tmp_path):
    (tmp_path / "frame_0001.json").write_text(json.dumps(LABELME, indent=2))
    extra = {"label": "car", "points": [[1, 2]], "shape_type": "polygon"}
    broken = dict(LABELME, shapes=[*LABELME["shapes"], extra], imagePath="frame_0002.jpg")
    (tmp_path / "frame_0002.json").write_text(json.dumps(broken, indent=2))
    report = check_json(".", cwd=tmp_path)
    shapes = len(LABELME["shapes"]) + len(broken["shapes"]) - 1
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (2, shapes)
    [problem] = report["problems"]
    assert (problem["code"], problem["path"], problem["pointer"]) == ("LL002", "frame_0002.json", "/shapes/6")
    starts = [k for k, line in enumerate(json.dumps(broken, indent=2).splitlines(), 1) if line == "    {"]
    assert problem["line"] == starts[6]


def test_labelme_boxes_follow_the_shape_type(tmp_path):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    (tmp_path / "a.json").write_text(json.dumps(LABELME))
    dataset, _ = read_dataset(LabelSelection(paths=[str(tmp_path)]), Config(root=tmp_path), None, WorkTree())
    assert list(dataset.item_ids) == ["frame_0001.jpg"]
    boxes = dataset.ann_box
    assert boxes[0].tolist() == [20, 30, 100, 50]  # corners in any order
    assert boxes[1].tolist() == [10, 10, 50, 40]
    assert boxes[2].tolist() == pytest.approx([45, 45, 10, 10])  # radius 5
    assert np.isnan(boxes[3:]).all()  # lines and points have no box
    assert dataset.ann_segmentation == {1: [[10.0, 10.0, 60.0, 12.0, 40.0, 50.0]]}


CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
to TO B-VP O
boycott VB I-VP O
British JJ B-NP B-MISC
lamb NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O

-DOCSTART- -X- -X- O

Japan NNP B-NP B-LOC
began VBD B-VP O
the DT B-NP O
defence NN I-NP O
of IN B-PP O
their PRP$ B-NP O
Asian JJ I-NP B-MISC
Cup NNP I-NP I-MISC
title NN I-NP O
"""


def test_conll_2003_counts_and_spans(tmp_path):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    (tmp_path / "eng.train").write_text("")  # no suffix: not claimed
    (tmp_path / "eng.train.conll").write_text(CONLL)
    blocks = [b for b in CONLL.split("\n\n") if b.strip() and not b.startswith("-DOCSTART-")]
    entities = CONLL.count(" B-") - CONLL.count(" B-NP") - CONLL.count(" B-VP") - CONLL.count(" B-PP")
    report = check_json(".", cwd=tmp_path)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (len(blocks), entities)
    assert report["problems"] == []
    dataset, _ = read_dataset(LabelSelection(paths=[str(tmp_path)]), Config(root=tmp_path), None, WorkTree())
    texts = [dataset.text_of(int(dataset.ann_item[a]))[s:e] for a, (s, e) in enumerate(dataset.ann_span)]
    assert texts == ["EU", "German", "British", "Peter Blackburn", "BRUSSELS", "Japan", "Asian Cup"]


def test_conll_stray_inside_tag_is_reported_at_its_line(tmp_path):
    text = CONLL.replace("BRUSSELS NNP B-NP B-LOC", "BRUSSELS NNP B-NP I-LOC")
    (tmp_path / "eng.testa.conll").write_text(text)
    report = check_json(".", cwd=tmp_path)
    [problem] = report["problems"]
    line = text.splitlines().index("BRUSSELS NNP B-NP I-LOC") + 1
    assert (problem["code"], problem["line"]) == ("LL307", line)
    # As IOB1 (where I- may open an entity) the same file is fine.
    (tmp_path / "labellint.toml").write_text(
        '[[datasets]]\npath = "eng.testa.conll"\nreader = "conll"\noptions = { scheme = "iob1" }\n'
    )
    assert check_json(cwd=tmp_path)["problems"] == []


def test_imagenet_txt_lists(tmp_path):
    folder = shared_path("data", "peers", "datumaro", "imagenet_txt_dataset")
    for case in ("basic", "no_labels"):
        lines = [line.split() for line in (folder / case / "train.txt").read_text().splitlines() if line.strip()]
        report = check_json("train.txt", cwd=folder / case)
        assert (report["summary"]["items"], report["summary"]["annotations"]) == (len(lines), len(lines))
        # datumaro's sample ships only some of the images it lists: LL702 names the others.
        images = folder / case / "images"
        absent = {n for n, *_ in lines if images.is_dir() and not (images / n).is_file()}
        assert {(p["code"], p["line"]) for p in report["problems"]} == {
            ("LL702", number) for number, (n, *_) in enumerate(lines, 1) if n in absent
        }


def test_imagefolder_layout():
    folder = shared_path("data", "peers", "datumaro", "imagenet_dataset")
    images = [Path(d, f) for d, _, files in os.walk(folder) for f in files if f.endswith(".jpg")]
    in_class = [p for p in images if p.parent != folder]
    report = check_json("--reader", "imagefolder", ".", cwd=folder)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (len(images), len(in_class))
    # datumaro's sample holds one image file under two classes (same bytes): LL303 is right to say so.
    assert {p["code"] for p in report["problems"]} <= {"LL303"}


def test_kaggle_and_roboflow_classification_tables():
    root = shared_path("data", "peers", "datumaro")
    for relative in ("kaggle_dataset/image_csv/ann.csv", "kaggle_dataset/image_csv_multi_label/ann.csv"):
        path = root / relative
        with path.open(newline="") as stream:
            rows = list(csv.reader(stream))
        labels = sum(1 for row in rows[1:] for cell in row[1:] if cell.strip() not in ("0", ""))
        report = check_json(path.name, cwd=path.parent)
        assert (report["summary"]["items"], report["summary"]["annotations"]) == (len(rows) - 1, labels)


def test_suspects_on_a_filename_label_table(tmp_path):
    data = np.load(shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz"))
    names = [f"d{i}" for i in range(10)]
    files = [f"img{i}.jpg" for i in range(len(data["y_noisy"]))]
    with (tmp_path / "labels.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["filename", "label"])
        writer.writerows([f, names[int(y)]] for f, y in zip(files, data["y_noisy"], strict=True))
    with (tmp_path / "probs.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["filename", *names])
        writer.writerows([f, *map(repr, map(float, p))] for f, p in zip(files, data["pred_probs"], strict=True))
    with (tmp_path / "text.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "label"])
        writer.writerows([f, f"text of {f}", names[int(y)]] for f, y in zip(files, data["y_noisy"], strict=True))
    runs = {}
    for labels in ("labels.csv", "text.csv"):
        result = run_cli("suspects", labels, "--predictions", "probs.csv", "--format", "json", cwd=tmp_path)
        runs[labels] = {s["item"] for s in json.loads(result.stdout)["suspects"]}
    # The text-table path is checked against cleanlab's sets in test_cli_suspects; the image table,
    # keyed by file name, must flag the same files.
    assert runs["labels.csv"] and runs["labels.csv"] == runs["text.csv"]
    assert runs["labels.csv"] <= set(files)


def test_new_readers_claim_no_other_formats_files():
    root = shared_path("data", "peers", "datumaro")
    own = {
        "cvat": "cvat_dataset",
        "imagenet_txt": "imagenet_txt_dataset",
        "image_csv": ("kaggle_dataset/image_csv", "roboflow_dataset/multiclass"),
        "kitti": "kitti_dataset/kitti_",
        "box_csv": ("vott_csv_dataset", "kaggle_dataset/image_csv_det"),
        "openimages": "open_images_dataset",
    }
    readers = available_readers()
    wrong = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.stat().st_size < 20_000_000):
        head = path.open("rb").read(4096)
        for name in NEW_READERS:
            if readers[name].sniff(path, head) and not str(path.relative_to(root)).startswith(own.get(name, "-")):
                wrong.append((name, str(path.relative_to(root))))
    assert wrong == []
