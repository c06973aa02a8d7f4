"""KITTI object labels: one txt per image in `label_2/`, 15 fields a line (type, 2D box, 3D box)."""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from labellint.model import Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._image_size import image_size
from labellint.readers._shapes import ShapeBuilder
from labellint.readers.base import ReadContext, Reader

# The devkit's field order after `type`; the 2D box is left, top, right, bottom in pixels.
FIELDS = (
    "truncated",
    "occluded",
    "alpha",
    "left",
    "top",
    "right",
    "bottom",
    "height_3d",
    "width_3d",
    "length_3d",
    "x_3d",
    "y_3d",
    "z_3d",
    "rotation_y",
)
_NUMBER = r"-?\d+(\.\d*)?([eE][-+]?\d+)?"
_LINE = re.compile(rb"^[A-Za-z_][\w-]*( " + _NUMBER.encode() + rb"){14,15}\s*$")
LABEL_FOLDER = "label_2"


class KittiReader(Reader):
    """Reads KITTI object detection labels (`label_2/*.txt`, the devkit's 15 fields a line).

    Every file is an item (id: its path under `label_2/` with the image's suffix, `000001.png`);
    every line an annotation with the 2D box; `truncated` and `occluded` become attributes, the
    3D fields (`alpha`, dimensions, location, `rotation_y`) and a 16th `score` format fields.
    `DontCare` lines are regions where objects were not labelled, not objects: they are kept in
    the file's meta (`dont_care`, their boxes) and left out of the annotations. The image size is
    read from the header of `image_2/<same path>.png` when that image is there.
    """

    name = "kitti"
    suffixes = (".txt",)
    description = "KITTI object labels: label_2/*.txt, type + 2D box + 3D fields, DontCare regions"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".txt":
            return False
        lines = [line for line in head.splitlines()[:20] if line.strip()]
        if not lines:
            return LABEL_FOLDER in path.parts[:-1]  # an image without objects, in KITTI's own folder
        complete = lines if len(head) < 4096 else lines[:-1] or lines
        if LABEL_FOLDER in path.parts[:-1]:
            # In KITTI's own folder one object line is evidence enough: a broken line in it must be
            # reported at its line, not make the whole file unclaimed.
            return any(_LINE.match(line) for line in complete)
        return all(_LINE.match(line) for line in complete)

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
        try:
            text = context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            builder.problem(not_utf8(exc), code="LL001")
            return builder.build()
        image = _image_path(path)
        width, height = image_size(image, context)
        under = path.parts[path.parts.index(LABEL_FOLDER) + 1 :] if LABEL_FOLDER in path.parts else (path.name,)
        item_id = str(PurePath(*under).with_suffix(".png"))
        item = builder.add_item(item_id, None, name=item_id, width=width, height=height)
        dont_care: list[list[float]] = []
        for number, line in enumerate(text.splitlines(), 1):
            cells = line.split()
            if not cells:
                continue
            message = _line(builder, item, number, cells, dont_care)
            if message:
                builder.problem(message, line=number, column=1)
        if dont_care:
            builder.source.meta["dont_care"] = dont_care
        return builder.build()


def _line(builder: ShapeBuilder, item: int, number: int, cells: list[str], dont_care: list) -> str | None:
    if len(cells) not in (15, 16):
        return f"expected 15 fields (type, truncated, occluded, alpha, 2D box, 3D box), found {len(cells)}"
    try:
        values = [float(v) for v in cells[1:]]
    except ValueError:
        bad = next(v for v in cells[1:] if not _is_number(v))
        return f"field {cells.index(bad) + 1} is not a number: {bad!r}"
    fields = dict(zip(FIELDS, values, strict=False))
    left, top, right, bottom = (fields[k] for k in ("left", "top", "right", "bottom"))
    if cells[0] == "DontCare":
        dont_care.append([left, top, right - left, bottom - top])
        return None
    attributes = {"truncated": fields.pop("truncated"), "occluded": int(fields.pop("occluded"))}
    for key in ("left", "top", "right", "bottom"):
        del fields[key]
    if len(values) == 15:
        fields["score"] = values[14]
    builder.add_shape(
        item, cells[0], (left, top, right - left, bottom - top), number, fields=fields, attributes=attributes
    )
    return None


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _image_path(path: Path) -> Path | None:
    if LABEL_FOLDER not in path.parts:
        return None
    parts = list(path.parts)
    parts[len(parts) - 1 - parts[::-1].index(LABEL_FOLDER)] = "image_2"
    return Path(*parts).with_suffix(".png")
