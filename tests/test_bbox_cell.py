"""Kaggle's one-cell boxes (`bbox` = "[x, y, w, h]", Global Wheat Detection's train.csv layout): read
only with evidence (width/height columns, or the `bbox_format` option), else named as unread; counted
with plain csv and json."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from helpers import run_cli

from labellint.readers import Candidate, available_readers

WHEAT = Path(__file__).parent / "data" / "kaggle_bbox" / "train.csv"


def check_json(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def read(path: Path, options: dict | None = None):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config, DatasetEntry
    from labellint.sources import WorkTree

    if options is not None:  # a configured dataset naming the reader and its options
        entries = [DatasetEntry(path=path.name, reader="box_csv", options=options)]
        config, selection = Config(root=path.parent, datasets=entries), LabelSelection()
    else:
        config, selection = Config(root=path.parent), LabelSelection(paths=[str(path)])
    dataset, crashes = read_dataset(selection, config, None, WorkTree())
    assert crashes == []
    return dataset


def rows(path: Path) -> list[dict]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def claimed_by(path: Path) -> list[str]:
    candidate = Candidate(path, Path(path.name), path.read_bytes())
    return [name for name, reader in available_readers().items() if reader.claims(candidate)]


def test_the_wheat_layout_is_claimed_and_read_as_x_y_w_h(tmp_path):
    assert claimed_by(WHEAT) == ["box_csv"]
    table = rows(WHEAT)
    dataset = read(WHEAT)
    assert dataset.issues == []
    assert dataset.n_annotations == len(table)
    assert dataset.ann_box.tolist() == [json.loads(r["bbox"]) for r in table]
    assert list(dataset.item_ids) == list(dict.fromkeys(r["image_id"] for r in table))
    assert dataset.item_width.tolist() == [float(r["width"]) for r in {r["image_id"]: r for r in table}.values()]
    assert [c.name for c in dataset.classes] == ["object"]
    shutil.copy(WHEAT, tmp_path / "train.csv")
    report = check_json("train.csv", cwd=tmp_path)
    summary = report["summary"]
    assert (summary["items"], summary["annotations"]) == (len({r["image_id"] for r in table}), len(table))


def test_without_width_and_height_it_is_unclaimed_and_the_message_names_the_option(tmp_path):
    table = rows(WHEAT)
    path = tmp_path / "boxes.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image_id", "bbox", "source"])
        writer.writerows([r["image_id"], r["bbox"], r["source"]] for r in table)
    assert claimed_by(path) == []
    report = check_json("boxes.csv", cwd=tmp_path)
    [problem] = [p for p in report["problems"] if p["code"] == "LL001"]
    assert "bbox_format" in problem["message"] and problem["path"] == "boxes.csv"
    # Named with the option, the same cells are corners or sizes as the user said.
    corners = read(path, {"bbox_format": "xyxy", "class_name": "wheat"})
    x0, y0, x1, y1 = (float(v) for v in json.loads(table[0]["bbox"]))
    assert corners.ann_box[0].tolist() == [x0, y0, x1 - x0, y1 - y0]
    assert [c.name for c in corners.classes] == ["wheat"] and corners.n_annotations == len(table)
    sizes = read(path, {"bbox_format": "xywh"})
    assert sizes.ann_box.tolist() == [json.loads(r["bbox"]) for r in table]
    unsure = read(path, {})  # the reader named, no format: one LL002 naming the option, no boxes
    assert [(i.code, i.location.line) for i in unsure.issues] == [("LL002", 1)]
    assert "bbox_format" in unsure.issues[0].message and unsure.n_annotations == 0


def test_a_bad_bbox_cell_is_ll002_at_its_line_and_the_other_rows_are_read(tmp_path):
    lines = WHEAT.read_text().splitlines()
    lines[2] = 'b6ab77fd7,1024,1024,"[226.0, 548.0, 130.0]",usask_1'
    lines[4] = "b53afdf5c,1024,1024,none,usask_1"
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    report = check_json("train.csv", cwd=tmp_path)
    found = sorted((p["code"], p["line"]) for p in report["problems"] if p["code"] in ("LL001", "LL002"))
    assert found == [("LL002", 3), ("LL002", 5)]
    assert report["summary"]["annotations"] == len(lines) - 1 - 2
