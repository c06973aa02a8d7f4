"""What each label file of a peer asset set answers about each image, read with plain json/xml/csv/text,
and the LL303 conflicts that follow from it: the independent count test_peer_assets checks against.

An answer is (file, item id, image file, question, labels). The question is the COCO task from
the file name (`stuff_`, `panoptic_`, `person_keypoints_`; other COCO files answer the box
question every box format does) and whether the file labels whole images (no geometry at all)
or objects. Items whose labels a file does not give (a COCO file without annotations, a CVAT
shape with an empty label) are no answer. A conflict is a later answer to the same question on
the same image bytes with other labels than the first one, as the rule's README says."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ruamel.yaml import YAML

_COCO_TASK = re.compile(r"(person_keypoints|stuff|panoptic|captions)_", re.IGNORECASE)


_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def _named(folder: Path, name: str) -> Path | None:
    """`folder/name`, or, for a name without a suffix (kaggle's `ann_wo_ext.csv`), the first image
    file of `folder` with that stem."""
    if (folder / name).is_file():
        return folder / name
    if Path(name).suffix or not folder.is_dir():
        return None
    stems = sorted(p for p in folder.iterdir() if p.stem == name and p.suffix.lower() in _IMAGE_SUFFIXES)
    return stems[0] if stems else None


def _image(label_file: Path, name: str) -> Path | None:
    """The image beside the label file, in `images/` beside it or above it (first match)."""
    folder = label_file.parent
    for base in (folder, folder / "images", folder.parent / "images"):
        if found := _named(base, name):
            return found
        if base.name == "images" and base.is_dir():
            for sub in sorted(p for p in base.iterdir() if p.is_dir()):
                if found := _named(sub, name):
                    return found
    return None


def _yolo(path: Path, root: Path) -> tuple[None, bool, list[tuple[str, str, set]]] | None:
    """A YOLO label file in a `labels/` folder with a `data.yaml` above it; its image is the file of
    the same stem in the `images/` twin folder (`…/labels/…/a.txt` -> `…/images/…/a.jpg`), as
    Ultralytics looks for it."""
    parts = path.relative_to(root).parts
    if "labels" not in parts[:-1]:
        return None
    data = next((p / "data.yaml" for p in path.parents if (p / "data.yaml").is_file()), None)
    if data is None:
        return None
    names = YAML(typ="safe").load(data.read_text())["names"]
    at = len(parts) - 1 - parts[::-1].index("labels")
    twin = root.joinpath(*parts[:at], "images", *parts[at + 1 : -1])
    image = _named(twin, path.stem)
    if image is None:
        return None
    labels = {names[int(line.split()[0])] for line in path.read_text().splitlines() if line.strip()}
    return None, False, [(str(path.relative_to(root.parent).with_suffix("")), str(image), labels)]


def _coco(path: Path) -> tuple[str | None, bool, list[tuple[str, str, set]]] | None:
    document = json.loads(path.read_text())
    if not isinstance(document, dict) or not isinstance(document.get("images"), list):
        return None  # not COCO (Datumaro, CreateML, VoTT JSON)
    if not document.get("annotations") or "caption" in document["annotations"][0]:
        return None  # images listed, none labelled; or captions, which are no labels
    names = {c["id"]: c["name"] for c in document.get("categories", [])}
    labels: dict[int, set] = {im["id"]: set() for im in document["images"]}
    geometry = False
    for record in document["annotations"]:
        for part in record.get("segments_info", [record]):
            labels[record["image_id"]].add(names[part["category_id"]])
            geometry |= any(part.get(k) for k in ("bbox", "segmentation", "keypoints"))
    match = _COCO_TASK.match(path.name)
    task = "panoptic" if "segments_info" in document["annotations"][0] else match and match.group(1).lower()
    items = [(str(im["id"]), im["file_name"], labels[im["id"]]) for im in document["images"]]
    return task, not geometry, items


def _xml(path: Path) -> tuple[None, bool, list[tuple[str, str, set]]] | None:
    root = ET.parse(path).getroot()
    if root.tag == "annotations":
        return _cvat(root)
    if root.tag != "annotation":
        return None
    name = root.findtext("filename")
    return None, False, [(name, name, {o.findtext("name") for o in root.iter("object")})]


def _cvat(root: ET.Element) -> tuple[None, bool, list[tuple[str, str, set]]]:
    items = []
    for image in root.iter("image"):
        labels = [shape.get("label") for shape in image]
        if all(labels):  # a shape without a label leaves the image's labels unknown
            subset = image.get("subset")
            name = image.get("name")
            items.append((f"{subset}/{name}" if subset else name, name, set(labels)))
    return None, False, items


def _csv(path: Path) -> tuple[None, bool, list[tuple[str, str, set]]] | None:
    with path.open(newline="") as stream:
        header, *rows = [[cell.strip() for cell in row] for row in csv.reader(stream) if row]
    lower = [h.lower() for h in header]
    labels: dict[str, set] = {}
    if "imageid" in lower:
        return None  # Open Images rows name an image id, not an image file: no bytes to compare
    if {"xmin", "x1"} & set(lower):  # a box table
        image = lower.index("image" if "image" in lower else "image_name")
        label = lower.index("label" if "label" in lower else "label_name")
        for row in rows:
            labels.setdefault(row[image], set()).add(row[label])
        return None, False, [(name, name, found) for name, found in labels.items()]
    if len(header) == 2:  # image, label
        for name, label in rows:
            labels.setdefault(name, set()).add(label)
    elif all(cell in ("0", "1") for row in rows for cell in row[1:]):  # one-hot
        for row in rows:
            labels[row[0]] = {header[k] for k, cell in enumerate(row) if k and cell == "1"}
    else:
        return None  # not a table labellint reads (a `bbox` column)
    return None, True, [(name, name, found) for name, found in labels.items()]


_PARSERS = {".json": _coco, ".xml": _xml, ".csv": _csv}


def expected_conflicts(folder: Path, files: list[Path]) -> set[tuple[str, str]]:
    """(label file relative to folder's parent, item id) of every conflict LL303 must report."""
    first: dict[tuple, set] = {}
    found: set[tuple[str, str]] = set()
    for path in sorted(files, key=lambda p: p.relative_to(folder).parts):
        parse = _PARSERS.get(path.suffix)
        parsed = _yolo(path, folder) if path.suffix == ".txt" else parse(path) if parse else None
        if parsed is None:
            continue
        task, whole_image, items = parsed
        for item, name, labels in items:
            image = _image(path, name)
            if image is None:
                continue
            key = (hashlib.md5(image.read_bytes()).hexdigest(), task, whole_image)
            if key not in first:
                first[key] = labels
            elif first[key] != labels:
                found.add((str(path.relative_to(folder.parent)), item))
    return found
