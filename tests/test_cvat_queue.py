"""`sample --cvat`: the queue as a CVAT for images 1.1 task, on real BCCD VOC labels, read back with plain XML."""

from __future__ import annotations

import csv
import json
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
        assert [a.findtext("name") for a in label.iter("attribute")] == [
            "labellint_region",
            "labellint_reason",
            "labellint_entry",
        ]
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


def _as_cvat_exports(task: ET.Element) -> ET.Element:
    """The task as CVAT's "CVAT for images 1.1" export writes it once imported: meta with the task's
    id, dates, segment and owner; images with their shapes (attributes kept as the reviewer left them)."""
    meta = task.find("meta/task")
    for tag, text in (("id", "42"), ("created", "2026-12-03 10:00:00.000000+00:00"), ("bugtracker", "")):
        ET.SubElement(meta, tag).text = text
    ET.SubElement(meta, "updated").text = "2026-12-03 11:00:00.000000+00:00"
    ET.SubElement(meta, "subset").text = "default"
    ET.SubElement(meta, "start_frame").text = "0"
    ET.SubElement(meta, "stop_frame").text = str(len(list(task.iter("image"))) - 1)
    owner = ET.SubElement(meta, "owner")
    ET.SubElement(owner, "username").text = "reviewer"
    ET.SubElement(task.find("meta"), "dumped").text = "2026-12-03 11:05:00.000000+00:00"
    return task


def test_cvat_round_trip_on_bccd_changes_exactly_the_reviewed_objects(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "repo"
    (repo / "voc").mkdir(parents=True)
    for xml in sorted(source.glob("*.xml"))[:12]:
        shutil.copy(xml, repo / "voc" / xml.name)
    for args in (("init", "-q"), ("add", "-A")):
        subprocess.run(["git", *args], cwd=repo, check=True)
    subprocess.run(["git", "-c", "user.email=t@example.invalid", "-c", "user.name=T", "commit", "-qm", "x"], cwd=repo)
    before = {p.name: p.read_bytes() for p in (repo / "voc").iterdir()}
    result = run_cli("sample", "voc", "--rate", "0.1", "-o", "queue.csv", "--cvat", "task.xml", cwd=repo)
    assert result.exit_code == 0, result.output
    exported = _as_cvat_exports(ET.parse(repo / "task.xml").getroot())
    image = next(i for i in exported.iter("image") if len(i.findall("box")) >= 3)
    relabelled, moved, deleted = image.findall("box")[:3]
    entries = {b: json.loads(b.find("attribute[@name='labellint_entry']").text) for b in (relabelled, moved, deleted)}
    new_class = "WBC" if relabelled.get("label") != "WBC" else "RBC"
    relabelled.set("label", new_class)
    moved.set("ytl", f"{float(moved.get('ytl')) + 10:.2f}")
    moved.set("ybr", f"{float(moved.get('ybr')) + 10:.2f}")
    image.remove(deleted)
    drawn = ET.SubElement(image, "box", label="Platelets", source="manual", occluded="0")
    drawn.attrib.update(xtl="10.00", ytl="20.00", xbr="40.00", ybr="60.00", z_order="0")
    for name in ("labellint_region", "labellint_reason", "labellint_entry"):
        ET.SubElement(drawn, "attribute", name=name).text = ""
    ET.ElementTree(exported).write(repo / "export.xml", encoding="utf-8", xml_declaration=True)

    applied = run_cli("review", "apply", "export.xml", "--queue", "task.xml", cwd=repo)
    assert applied.exit_code == 0, applied.output
    assert "changed 4 labels in 1 files" in applied.stdout
    name = Path(entries[relabelled]["path"]).name
    after = {p.name: p.read_bytes() for p in (repo / "voc").iterdir()}
    assert [k for k in before if before[k] != after[k]] == [name]
    lines = before[name].decode().splitlines()
    starts = [k + 1 for k, text in enumerate(lines) if "<object>" in text]
    old = [_object(o) for o in ET.fromstring(before[name]).iter("object")]
    expected = [dict(o) for o in old]
    expected[starts.index(entries[relabelled]["line"])]["name"] = new_class
    shifted = expected[starts.index(entries[moved]["line"])]
    shifted["ymin"], shifted["ymax"] = shifted["ymin"] + 10, shifted["ymax"] + 10
    del expected[starts.index(entries[deleted]["line"])]
    expected.append({"name": "Platelets", "xmin": 10.0, "ymin": 20.0, "xmax": 40.0, "ymax": 60.0})
    assert [_object(o) for o in ET.fromstring(after[name]).iter("object")] == expected


def _object(obj: ET.Element) -> dict:
    box = {k: float(obj.findtext(f"bndbox/{k}")) for k in ("xmin", "ymin", "xmax", "ymax")}
    return {"name": obj.findtext("name").strip(), **box}
