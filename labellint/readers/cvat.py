"""CVAT XML 1.1 reader: "CVAT for images" (<image> shapes and tags) and "CVAT for video" (<track>s)."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._rotation import rotated_box
from labellint.readers._shapes import ShapeBuilder, parse_number, points_box
from labellint.readers._xml import TagLines, element_lines, parse_xml
from labellint.readers.base import ReadContext, Reader

SHAPES = ("box", "polygon", "polyline", "points", "mask", "ellipse", "cuboid", "skeleton", "tag")
LINE_TAGS = ("image", "track", *SHAPES)
# The root, then one of the elements CVAT writes first: evidence of CVAT, not just any <annotations>.
_SNIFF = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*(<!--.*?-->\s*)*<annotations>\s*<(version|meta)>", re.DOTALL)
# Shape attributes that are the format's own, kept in `ann_fields` (never label attributes).
FIELDS = ("z_order", "group_id", "source", "rotation", "keyframe")


class CvatReader(Reader):
    """Reads CVAT XML 1.1 exports (task or project, images or video).

    Images: every `<image>` is an item (id: its `name`, prefixed with its `subset` in project
    exports, where names repeat across subsets); `<box>` (a `rotation` turns it about its centre:
    its corners become the polygon, their envelope the box, the angle is kept), `<polygon>`
    (also kept as a segmentation), `<polyline>` and `<points>` (box = their extent), `<mask>`
    (box = its `left/top/width/height`, the RLE kept), `<ellipse>`, and `<tag>` (an image-level
    label, no box). Video: every frame of the task is an item `frame_NNNNNN` sized by
    `<original_size>`; each `<track>` shape not `outside` is an annotation with id
    `<track id>@<frame>` so a diff follows the track. `<attribute>` children become label
    attributes (typed by the declaration's `input_type`), `occluded` an attribute like VOC's;
    `z_order`, `group_id`, `source`, `rotation`, `keyframe`, the shape kind and track id are
    kept as format fields. Every label declared in `<meta>` is a class, used or not.
    """

    name = "cvat"
    suffixes = (".xml",)
    description = "CVAT XML 1.1 for images and for video: shapes, tags, tracks, attributes, declared labels"

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".xml" and _SNIFF.match(head.removeprefix(b"\xef\xbb\xbf")) is not None

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
        data = context.read_bytes(path)
        root = parse_xml(data, display, builder.issues)
        if root is None:
            return builder.build()
        if root.tag != "annotations":
            builder.problem(f"root element is <{root.tag}>, expected <annotations>", line=1)
            return builder.build()
        scan = TagLines(data, LINE_TAGS)
        if scan.matches(root, LINE_TAGS):
            lines = iter(scan.lines)
            line_of: Any = lambda element: next(lines)  # noqa: E731 - document order, one per tag
        else:
            root, by_id = element_lines(data)
            line_of = lambda element: by_id.get(id(element), 0)  # noqa: E731
        _CvatFile(builder, line_of).read(root)
        return builder.build()


class _CvatFile:
    """Walks one parsed export in document order (the order `TagLines` found the lines in)."""

    def __init__(self, builder: ShapeBuilder, line_of: Any) -> None:
        self.builder = builder
        self.line_of = line_of
        self.input_types: dict[tuple[str, str], str] = {}
        self.frames: dict[int, int] = {}
        # Frames an unlabelled track is in view on: their labels are not known in full (LL303).
        self.unlabelled_frames: dict[int, str] = {}
        self.frame_size = (np.nan, np.nan)

    def read(self, root: Element) -> None:
        meta = root.find("meta")
        if meta is not None:
            self.declarations(meta)
        for element in root:
            if element.tag == "image":
                self.image(element)
            elif element.tag == "track":
                self.track(element)
            else:
                self.skip(element)
        for frame, why in self.unlabelled_frames.items():
            if frame in self.frames:  # a frame no labelled track or task range names is no item
                self.builder.item_labels_unknown[self.frames[frame]] = why

    def skip(self, element: Element, inside: bool = False) -> None:
        """Consumes the lines of tags not read (inside a skeleton, unknown places), keeping the order."""
        for child in element.iter():
            if child.tag in LINE_TAGS and not (inside and child is element):
                self.line_of(child)

    def declarations(self, meta: Element) -> None:
        """Declared labels (task or project) become classes; their attributes' input types are kept."""
        for label in meta.iter("label"):
            name = label.findtext("name")
            if name is None:
                continue
            self.builder.declare(name)
            for attribute in label.iter("attribute"):
                attr_name = attribute.findtext("name")
                if attr_name is not None:
                    self.input_types[(name, attr_name)] = (attribute.findtext("input_type") or "").strip()
        task = meta.find("task")
        if task is None:
            return
        size = task.find("original_size")
        if size is not None:
            width, height = parse_number(size.findtext("width")), parse_number(size.findtext("height"))
            self.frame_size = (np.nan if width is None else width, np.nan if height is None else height)
        start, stop = parse_number(task.findtext("start_frame")), parse_number(task.findtext("stop_frame"))
        if (task.findtext("mode") or "").strip() == "interpolation" and start is not None and stop is not None:
            step = re.fullmatch(r"\s*step\s*=\s*(\d+)\s*", task.findtext("frame_filter") or "")
            for frame in range(int(start), int(stop) + 1, int(step.group(1)) if step else 1):
                self.frame(frame, 0)

    def frame(self, frame: int, line: int) -> int:
        """The item of a video frame, made the first time the frame is named."""
        if frame not in self.frames:
            width, height = self.frame_size
            self.frames[frame] = self.builder.add_item(
                f"frame_{frame:06d}", None, line=line, index=frame, width=width, height=height
            )
        return self.frames[frame]

    def image(self, element: Element) -> None:
        line = self.line_of(element)
        get = element.get
        name = get("name")
        if not name:
            self.builder.problem("<image> without a `name`", line)
            name = f"image {get('id', '?')}"
        subset = get("subset")
        item_id = f"{subset}/{name}" if subset else name
        width, height = parse_number(get("width")), parse_number(get("height"))
        item = self.builder.add_item(
            item_id,
            None,
            line=line,
            index=int(parse_number(get("id")) or 0),
            name=name,
            width=np.nan if width is None else width,
            height=np.nan if height is None else height,
        )
        for shape in element:
            if shape.tag in SHAPES:
                self.shape(item, shape, None, self.line_of(shape))
            else:
                self.skip(shape)

    def track(self, element: Element) -> None:
        line = self.line_of(element)
        track_id, label = element.get("id"), element.get("label")
        if not label:
            self.builder.problem("<track> without a `label`", line)
        for shape in element:
            if shape.tag not in SHAPES:
                self.skip(shape)
                continue
            shape_line = self.line_of(shape)
            frame = parse_number(shape.get("frame"))
            if frame is None or not label:
                if frame is None:
                    self.builder.problem(f"<{shape.tag}> in a track without a numeric `frame`", shape_line)
                elif shape.get("outside") != "1":
                    self.unlabelled_frames.setdefault(int(frame), f"the <track> at line {line} has no label")
                continue
            if shape.get("outside") == "1":
                continue  # the track has left the frame: no object is there
            fields = {"track_id": track_id, "frame": int(frame)}
            group = element.get("group_id")
            if group is not None:
                fields["group_id"] = group
            self.shape(self.frame(int(frame), shape_line), shape, (label, fields), shape_line)

    def shape(self, item: int, shape: Element, track: tuple[str, dict] | None, line: int) -> None:
        """One shape of an image, or one frame of a track (`track` = its label and fields)."""
        if shape.tag == "skeleton":
            self.skip(shape, inside=True)  # its <points> children are parts of this one annotation
        label = track[0] if track else shape.get("label")
        if not label:
            self.builder.problem(f"<{shape.tag}> without a `label`", line)
            self.builder.item_labels_unknown[item] = f"its <{shape.tag}> at line {line} has no label"
            return
        attrib = shape.attrib
        geometry = _plain_box(attrib) if shape.tag == "box" else None
        if geometry is None:
            geometry = _geometry(shape)
        if isinstance(geometry, str):
            self.builder.problem(geometry, line)
            self.builder.item_labels_unknown[item] = f"its <{shape.tag}> at line {line} could not be read"
            return
        box, extra = geometry
        fields = {"shape": shape.tag, **{k: attrib[k] for k in FIELDS if k in attrib}, **extra}
        if track:
            fields.update(track[1])
        attributes = self.attributes(label, shape)
        ann_id = f"{track[1]['track_id']}@{track[1]['frame']}" if track else None
        segmentation = fields.pop("polygon", None)
        if shape.tag == "box" and "rotation" in attrib:
            degrees = parse_number(attrib["rotation"])
            if degrees is None:
                written = attrib["rotation"]
                self.builder.problem(f"a <box>'s `rotation` must be a number of degrees, not {written!r}", line)
                self.builder.item_labels_unknown[item] = f"its <box> at line {line} could not be read"
                return
            # Turned about the box's centre: the corners are the polygon, their envelope the box.
            turned = rotated_box(*box, degrees, about="centre")
            box, segmentation = turned["box"], turned.get("segmentation")
        self.builder.add_shape(
            item, label, box, line, fields=fields, attributes=attributes, ann_id=ann_id, segmentation=segmentation
        )

    def attributes(self, label: str, shape: Element) -> dict[str, Any]:
        values: dict[str, Any] = {}
        occluded = shape.get("occluded")
        if occluded in ("0", "1"):
            values["occluded"] = occluded == "1"
        if not len(shape):
            return values  # no children, so no <attribute> (most shapes: skip the walk)
        for attribute in shape.iter("attribute"):
            name, text = attribute.get("name"), attribute.text or ""
            if name is None:
                continue
            kind = self.input_types.get((label, name))
            if kind == "checkbox" and text.strip().lower() in ("true", "false"):
                values[name] = text.strip().lower() == "true"
            elif kind == "number" and parse_number(text) is not None:
                values[name] = parse_number(text)
            else:
                values[name] = text
        return values


def _plain_box(attrib: dict[str, str]) -> tuple[tuple[float, float, float, float], dict[str, Any]] | None:
    """A <box>'s x, y, w, h when its four corners are finite numbers (the common case, read with
    fewer calls), else None: `_geometry` then reads it and says what is wrong."""
    try:
        a, b, c, d = float(attrib["xtl"]), float(attrib["ytl"]), float(attrib["xbr"]), float(attrib["ybr"])
    except (KeyError, ValueError):
        return None
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c) and math.isfinite(d)):
        return None
    return (a, b, c - a, d - b), {}


def _geometry(shape: Element) -> tuple[tuple[float, float, float, float] | None, dict[str, Any]] | str:
    """(box, extra fields) of a shape, or a message saying what is wrong with it."""
    get, tag = shape.get, shape.tag
    if tag in ("tag", "skeleton", "cuboid"):
        return None, {}  # image-level label; skeleton/cuboid geometry is kept out of the 2D box rules
    if tag in ("box", "mask", "ellipse"):
        keys = {
            "box": ("xtl", "ytl", "xbr", "ybr"),
            "mask": ("left", "top", "width", "height"),
            "ellipse": ("cx", "cy", "rx", "ry"),
        }[tag]
        numbers = [parse_number(get(k)) for k in keys]
        if any(n is None for n in numbers):
            missing = [k for k, n in zip(keys, numbers, strict=True) if n is None]
            return f"<{tag}> needs numeric {', '.join(missing)}"
        a, b, c, d = numbers
        if tag == "box":
            return (a, b, c - a, d - b), {}
        if tag == "ellipse":
            return (a - c, b - d, 2 * c, 2 * d), {}
        return (a, b, c, d), {"rle": get("rle", "")}
    coords = _points(get("points"))
    if coords is None:
        return f"<{tag}> needs `points` as x,y pairs separated by `;`"
    if tag == "polygon":
        return points_box(coords[:, 0], coords[:, 1]), {"polygon": [coords.ravel().tolist()]}
    # A line or a set of points has no box (a one-point or straight extent would be "degenerate").
    return None, {"points": coords.ravel().tolist()}


def _points(text: str | None) -> np.ndarray | None:
    if not text:
        return None
    try:
        pairs = [tuple(map(float, pair.split(","))) for pair in text.strip().split(";")]
    except ValueError:
        return None
    if any(len(pair) != 2 for pair in pairs):
        return None
    return np.asarray(pairs, np.float64)
