"""`sample --cvat`: the queue as a CVAT for images 1.1 task, on real BCCD VOC labels, read back with plain XML."""

from __future__ import annotations

import csv
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import shared_path
from helpers import run_cli

from labellint.commands.labels import read_labels, source_for


def test_sample_writes_a_cvat_task_with_every_queued_box_and_its_finding(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "repo"
    (repo / "voc").mkdir(parents=True)
    for xml in sorted(source.glob("*.xml"))[:40]:
        shutil.copy(xml, repo / "voc" / xml.name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    result = run_cli("sample", "voc", "--rate", "0.05", "-o", "queue.csv", "--cvat", "task.xml", cwd=repo)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((repo / "queue.csv").open(encoding="utf-8")))
    root = ET.parse(repo / "task.xml").getroot()
    assert root.tag == "annotations" and root.findtext("version") == "1.1"
    assert root.findtext("meta/task/mode") == "annotation"
    declared = {label.findtext("name"): label for label in root.iter("label")}
    assert set(declared) == {"RBC", "WBC", "Platelets"}
    for label in declared.values():
        assert [a.findtext("name") for a in label.iter("attribute")] == ["labellint_region", "labellint_reason"]
    boxes = [(image, box) for image in root.iter("image") for box in image.iter("box")]
    assert len(boxes) == len(rows) and int(root.findtext("meta/task/size")) == len({r["item"] for r in rows})
    # Each box is the queued label as its VOC file writes it (pixels, continuous corners), with the reason.
    for (image, box), row in zip(boxes, rows, strict=True):
        assert image.get("name") == row["item"] and box.get("label") == row["class"]
        objects = list(ET.parse(repo / row["path"]).getroot().iter("object"))
        lines = (repo / row["path"]).read_text().splitlines()
        obj = objects[[k + 1 for k, text in enumerate(lines) if "<object>" in text].index(int(row["line"]))]
        corners = [float(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")]
        assert [float(box.get(k)) for k in ("xtl", "ytl", "xbr", "ybr")] == corners
        attributes = {a.get("name"): a.text for a in box.iter("attribute")}
        assert attributes["labellint_reason"] == row["reason"] and attributes["labellint_region"].startswith(
            "labellint-"
        )
        size = ET.parse(repo / row["path"]).getroot().find("size")
        assert (image.get("width"), image.get("height")) == (size.findtext("width"), size.findtext("height"))
    # labellint's own CVAT reader reads the task as CVAT: every queued box, its attributes kept.
    dataset = read_labels([str(repo / "task.xml")], source_for(None, repo), None)
    assert {f.reader for f in dataset.files} == {"cvat"} and dataset.n_annotations == len(rows)
    assert sorted(a["labellint_reason"] for a in dataset.ann_attributes.values()) == sorted(r["reason"] for r in rows)
