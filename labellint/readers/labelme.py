"""LabelMe JSON reader (wkentaro/labelme): one file per image, `shapes` with points by `shape_type`."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import msgspec
import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._jsonpos import JsonLocator, offset_from_message
from labellint.readers._shapes import ShapeBuilder, points_box
from labellint.readers.base import ReadContext, Reader, issue

UTF8_BOM = b"\xef\xbb\xbf"
# A JSON object with a `shapes` list and one of the keys LabelMe writes beside it.
_SHAPES = re.compile(rb'^\s*\{.*"shapes"\s*:\s*\[', re.DOTALL)
_EVIDENCE = (b'"shape_type"', b'"imagePath"', b'"imageHeight"')
# How many points each shape type takes (None: any number from the minimum).
POINTS = {"rectangle": 2, "circle": 2, "point": 1, "line": 2, "polygon": None, "linestrip": None, "points": None}
MIN_POINTS = {"polygon": 3, "linestrip": 2, "points": 1, "mask": 2}


class LabelMeReader(Reader):
    """Reads LabelMe JSON files (one per image): `imagePath`, `imageWidth/imageHeight`, `shapes`.

    Every file is an item (id: `imagePath`'s file name, else the JSON file's stem); every shape an
    annotation at `/shapes/<k>`: `rectangle` (two corners, any order) and `mask` (its two corners)
    as boxes, `polygon` as a box and a segmentation, `circle` (centre, a point on the rim) as its
    bounding box, `line`, `linestrip`, `point`, `points` without a box (points kept). `group_id`,
    `shape_type`, `description` and the points are kept as format fields, shape `flags` as
    attributes; the image's `flags` are kept in the file's meta.
    """

    name = "labelme"
    suffixes = (".json",)
    description = "LabelMe JSON: shapes (rectangle, polygon, circle, line, point, mask), group_id, flags"

    def sniff(self, path: Path, head: bytes) -> bool:
        head = head.removeprefix(UTF8_BOM)
        return path.suffix.lower() == ".json" and bool(_SHAPES.match(head)) and any(k in head for k in _EVIDENCE)

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        reopen = context.opener(path)  # before reading: a file changed after this gives no lines
        data = _blank_bom(context.read_bytes(path))
        source = SourceFile(
            path=display,
            reader=self.name,
            item_pointers=[""],
            annotation_pointer="/shapes",
            shared_item_ids=True,
            locator=JsonLocator(reopen, _blank_bom, len(data)),
        )
        builder = ShapeBuilder(source, shared_ids=True)
        try:
            document = msgspec.json.decode(data)
        except msgspec.DecodeError as exc:
            offset = offset_from_message(str(exc))
            where = {"line": data.count(b"\n", 0, offset) + 1} if offset is not None else {}
            builder.issues.append(issue("LL001", f"cannot parse JSON: {exc}", display, **where))
            return builder.build()
        if not isinstance(document, dict) or not isinstance(document.get("shapes"), list):
            builder.problem("a LabelMe file is an object with a `shapes` list", pointer="")
            return builder.build()
        _read_document(builder, document, path)
        return builder.build()


def _blank_bom(data: bytes) -> bytes:
    """A UTF-8 BOM as spaces: offsets and lines stay those of the file."""
    return b" " * len(UTF8_BOM) + data[len(UTF8_BOM) :] if data.startswith(UTF8_BOM) else data


def _read_document(builder: ShapeBuilder, document: dict[str, Any], path: Path) -> None:
    size = []
    for key in ("imageWidth", "imageHeight"):
        value = document.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            builder.problem(f"`{key}` must be a number, found {value!r}", pointer=f"/{key}")
            value = None
        size.append(np.nan if value is None else float(value))
    image_path = document.get("imagePath")
    name = re.split(r"[\\/]", image_path)[-1] if isinstance(image_path, str) and image_path else None
    item = builder.add_item(name or path.stem, None, name=name, width=size[0], height=size[1])
    if isinstance(document.get("flags"), dict) and document["flags"]:
        builder.source.meta["flags"] = document["flags"]
    for k, shape in enumerate(document["shapes"]):
        message = _shape(builder, item, k, shape)
        if message:
            builder.problem(message, pointer=f"/shapes/{k}")


def _shape(builder: ShapeBuilder, item: int, k: int, shape: Any) -> str | None:
    """Adds shape `k`; a message when it cannot be read."""
    if not isinstance(shape, dict):
        return "a shape must be an object"
    label, kind = shape.get("label"), shape.get("shape_type") or "polygon"
    if not isinstance(label, str) or not label:
        return "shape without a `label`"
    if kind not in POINTS and kind not in MIN_POINTS:
        return f"unknown `shape_type` {kind!r} (LabelMe writes {', '.join(sorted({*POINTS, 'mask'}))})"
    coords = _coords(shape.get("points"))
    if coords is None:
        return "`points` must be a list of [x, y] pairs"
    wanted, least = POINTS.get(kind), MIN_POINTS.get(kind, 0)
    if (wanted is not None and len(coords) != wanted) or len(coords) < least:
        return f"a {kind} needs {wanted or f'at least {least}'} points, found {len(coords)}"
    fields: dict[str, Any] = {"shape": kind, "points": coords.ravel().tolist()}
    for key in ("group_id", "description"):
        if shape.get(key) not in (None, ""):
            fields[key] = shape[key]
    box, segmentation = _geometry(kind, coords)
    flags = shape.get("flags")
    attributes = dict(flags) if isinstance(flags, dict) else None
    builder.add_shape(item, label, box, 0, fields=fields, index=k, attributes=attributes, segmentation=segmentation)
    return None


def _geometry(kind: str, coords: np.ndarray) -> tuple[tuple[float, float, float, float] | None, Any]:
    if kind in ("rectangle", "mask"):
        return points_box(coords[:, 0], coords[:, 1]), None
    if kind == "polygon":
        return points_box(coords[:, 0], coords[:, 1]), [coords.ravel().tolist()]
    if kind == "circle":
        (cx, cy), (px, py) = coords
        r = math.hypot(px - cx, py - cy)
        return (float(cx - r), float(cy - r), float(2 * r), float(2 * r)), None
    return None, None


def _coords(value: Any) -> np.ndarray | None:
    if not isinstance(value, list) or not value:
        return None
    ok = all(
        isinstance(p, list)
        and len(p) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in p)
        for p in value
    )
    return np.asarray(value, np.float64) if ok else None
