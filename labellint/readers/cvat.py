"""CVAT XML 1.1 reader: "CVAT for images" (<image> shapes and tags) and "CVAT for video" (<track>s)."""

from __future__ import annotations

import re
from math import isfinite
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers.expat import ExpatError, ParserCreate

import numpy as np

from labellint.model import Dataset, SourceFile
from labellint.readers._cvat_shapes import FIELDS, SHAPES, read_shape
from labellint.readers._shapes import ShapeBuilder, parse_number
from labellint.readers._xml import DOCTYPE, TagLines, element_lines, parse_xml
from labellint.readers.base import ReadContext, Reader
from labellint.support.gc_pause import gc_paused

LINE_TAGS = ("image", "track", *SHAPES)
Track = tuple[str | None, str | None, str | None, int]  # a <track>'s id, label, group and line
# The root, then one of the elements CVAT writes first: evidence of CVAT, not just any <annotations>.
_SNIFF = re.compile(rb"^\s*(<\?xml[^>]*\?>)?\s*(<!--.*?-->\s*)*<annotations>\s*<(version|meta)>", re.DOTALL)


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

    @gc_paused
    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
        data = context.read_bytes(path)
        try:
            return _Stream(_CvatFile(builder, None)).read(data)
        except _Unusual:  # read by the tree walk, with what it says about the file
            builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
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
        self.finish()

    def finish(self) -> None:
        """After the last shape: the frames an unlabelled track is in view on are known in part."""
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
        item = self.add_image(element.attrib, self.line_of(element))
        for shape in element:
            if shape.tag in SHAPES:
                a = self.shape(item, shape.tag, shape.attrib, None, self.line_of(shape))
                self.tree_shape(shape, a, shape.get("label"))
            else:
                self.skip(shape)

    def add_image(self, attrib: dict[str, str], line: int) -> int:
        """The item of an <image>."""
        get = attrib.get
        name = get("name")
        if not name:
            self.builder.problem("<image> without a `name`", line)
            name = f"image {get('id', '?')}"
        subset = get("subset")
        item_id = f"{subset}/{name}" if subset else name
        width, height = parse_number(get("width")), parse_number(get("height"))
        return self.builder.add_item(
            item_id,
            None,
            line=line,
            index=int(parse_number(get("id")) or 0),
            name=name,
            width=np.nan if width is None else width,
            height=np.nan if height is None else height,
        )

    def track(self, element: Element) -> None:
        track = self.open_track(element.attrib, self.line_of(element))
        for shape in element:
            if shape.tag in SHAPES:
                a = self.track_shape(track, shape.tag, shape.attrib, self.line_of(shape))
                self.tree_shape(shape, a, track[1])
            else:
                self.skip(shape)

    def open_track(self, attrib: dict[str, str], line: int) -> Track:
        """A <track>'s id, label, group and line."""
        label = attrib.get("label")
        if not label:
            self.builder.problem("<track> without a `label`", line)
        return attrib.get("id"), label, attrib.get("group_id"), line

    def track_shape(self, track: Track, tag: str, attrib: dict, line: int) -> int | None:
        """One frame of a track: a shape on the frame's item (None: outside the frame, or not read)."""
        track_id, label, group, track_line = track
        frame = parse_number(attrib.get("frame"))
        if frame is None or not label:
            if frame is None:
                self.builder.problem(f"<{tag}> in a track without a numeric `frame`", line)
            elif attrib.get("outside") != "1":
                self.unlabelled_frames.setdefault(int(frame), f"the <track> at line {track_line} has no label")
            return None
        if attrib.get("outside") == "1":
            return None  # the track has left the frame: no object is there
        fields = {"track_id": track_id, "frame": int(frame)}
        if group is not None:
            fields["group_id"] = group
        return self.shape(self.frame(int(frame), line), tag, attrib, (label, fields), line)

    def shape(self, item: int, tag: str, attrib: dict, track: tuple[str, dict] | None, line: int) -> int | None:
        """One shape of an image, or one frame of a track (`track` = its label and fields): the
        annotation with `occluded` as its only attribute so far (None: the shape cannot be read)."""
        label = track[0] if track else attrib.get("label")
        if not label:
            self.builder.problem(f"<{tag}> without a `label`", line)
            self.builder.item_labels_unknown[item] = f"its <{tag}> at line {line} has no label"
            return None
        read = read_shape(tag, attrib, track[1] if track else None)
        if isinstance(read, str):
            self.builder.problem(read, line)
            self.builder.item_labels_unknown[item] = f"its <{tag}> at line {line} could not be read"
            return None
        box, fields, segmentation = read
        occluded = attrib.get("occluded")
        attributes = {"occluded": occluded == "1"} if occluded == "0" or occluded == "1" else None
        ann_id = f"{track[1]['track_id']}@{track[1]['frame']}" if track else None
        return self.builder.add_shape(item, label, box, line, fields, attributes, ann_id, segmentation)

    def tree_shape(self, shape: Element, a: int | None, label: str | None) -> None:
        """The <attribute>s below a shape element, added to its annotation `a` (of class `label`)."""
        if shape.tag == "skeleton":
            self.skip(shape, inside=True)  # its <points> children are parts of this one annotation
        if a is None or not len(shape):
            return  # no children, so no <attribute> (most shapes: skip the walk)
        for attribute in shape.iter("attribute"):
            self.add_attribute(a, label, attribute.get("name"), attribute.text or "")

    def add_attribute(self, a: int, label: str | None, name: str | None, text: str) -> None:
        if name is not None:
            self.builder.ann_attributes.setdefault(a, {})[name] = self.typed(label, name, text)

    def typed(self, label: str | None, name: str, text: str) -> Any:
        """An <attribute>'s value as its declaration's `input_type` reads it (else the text)."""
        kind = self.input_types.get((label, name))
        if kind == "checkbox" and text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
        if kind == "number" and parse_number(text) is not None:
            return parse_number(text)
        return text


class _Unusual(Exception):
    """The file is not in the layout `_Stream` reads the way the tree walk does."""


class _Stream:
    """Reads an export in one expat pass without building a tree: each start tag read as it
    comes, its line from the parser (the tree walk's results, at a third of its Python cost).

    It reads CVAT's own layout: `<annotations>` holding `<meta>` before the first `<image>` or
    `<track>`, shapes their children, `<attribute>`s anywhere below a shape but not inside one
    another. Anything else (and anything expat rejects, or a DTD) raises `_Unusual`, and the file
    is read by the tree walk, which says what is wrong with it.
    """

    def __init__(self, walk: _CvatFile) -> None:
        self.walk, self.builder = walk, walk.builder
        self.parser = ParserCreate(namespace_separator="}")  # namespaces as ElementTree sees them
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.depth = 0
        self.meta: TreeBuilder | None = None  # the <meta> being built as a tree (it is small)
        self.meta_read = self.shapes_read = False
        self.item: int | None = None  # the <image> being read
        self.track: Track | None = None  # the <track> being read
        self.shape: int | None = None  # the annotation whose <attribute>s are being read
        self.shape_attrib: dict[str, str] = {}  # its element's XML attributes
        self.attribute: tuple[str | None, int] | None = None  # the open <attribute>'s name and depth
        self.text: list[str] = []

    def read(self, data: bytes) -> Dataset:
        if DOCTYPE.search(data):
            raise _Unusual
        try:
            self.parser.Parse(data, True)
        except ExpatError:
            raise _Unusual from None
        self.walk.finish()
        return self.builder.build()

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth = depth = self.depth + 1
        if depth == 3 and tag == "box" and self.item is not None:  # most shapes of a big export
            self.shape_attrib = attrib
            self.shape = self.plain_box(attrib)
            if self.shape is None:
                self.shape = self.walk.shape(self.item, tag, attrib, None, self.parser.CurrentLineNumber)
        elif self.meta is not None:
            self.meta.start(tag, attrib)
        elif depth == 3:
            if tag not in SHAPES:
                return
            if self.item is not None:
                self.shape = self.walk.shape(self.item, tag, attrib, None, self.parser.CurrentLineNumber)
            elif self.track is not None:
                self.shape = self.walk.track_shape(self.track, tag, attrib, self.parser.CurrentLineNumber)
            self.shape_attrib = attrib
        elif depth > 3:
            if self.shape is None:
                return
            if self.attribute is not None:
                if tag == "attribute":
                    raise _Unusual  # an <attribute> inside another: the tree walk reads both
                self.parser.CharacterDataHandler = None  # ElementTree's text ends at a child
            elif tag == "attribute":
                self.attribute, self.text = (attrib.get("name"), depth), []
                self.parser.CharacterDataHandler = self.text.append
        elif depth == 2:
            self.top(tag, attrib)
        elif tag != "annotations":
            raise _Unusual  # the tree walk says what the root is

    def plain_box(self, attrib: dict[str, str]) -> int | None:
        """The annotation of an image's <box> with a label, four finite numeric corners and no
        rotation (None: not plain, `_CvatFile.shape` reads it and says what is wrong): what
        `read_shape` and `_CvatFile.shape` make of it, written out in one call for the common case."""
        label = attrib.get("label")
        if not label or "rotation" in attrib:
            return None
        try:
            x0, y0, x1, y1 = float(attrib["xtl"]), float(attrib["ytl"]), float(attrib["xbr"]), float(attrib["ybr"])
        except (KeyError, ValueError):
            return None
        if not isfinite(x0 + y0 + x1 + y1):  # a NaN or an infinity (or an overflow): read one by one
            return None
        fields = {"shape": "box"}
        for key in FIELDS:
            if key in attrib:
                fields[key] = attrib[key]
        occluded = attrib.get("occluded")
        attributes = {"occluded": occluded == "1"} if occluded == "0" or occluded == "1" else None
        box = (x0, y0, x1 - x0, y1 - y0)
        return self.builder.add_shape(self.item, label, box, self.parser.CurrentLineNumber, fields, attributes)

    def top(self, tag: str, attrib: dict[str, str]) -> None:
        """A child of the root: an image, a track, the first <meta> (before them) or another element."""
        line = self.parser.CurrentLineNumber
        if tag == "image":
            self.shapes_read, self.item = True, self.walk.add_image(attrib, line)
        elif tag == "track":
            self.shapes_read, self.track = True, self.walk.open_track(attrib, line)
        elif tag == "meta" and not self.meta_read:
            if self.shapes_read:
                raise _Unusual  # declarations after shapes: the tree walk reads them first
            self.meta_read, self.meta = True, TreeBuilder()
            self.meta.start(tag, attrib)
            self.parser.CharacterDataHandler = self.meta.data

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if self.meta is not None:
            self.meta.end(tag)
            if depth == 2:
                self.parser.CharacterDataHandler = None
                meta, self.meta = self.meta.close(), None
                self.walk.declarations(meta)
        elif self.attribute is not None and depth == self.attribute[1]:
            self.parser.CharacterDataHandler = None
            assert self.shape is not None
            label = self.track[1] if self.track is not None else self.shape_attrib.get("label")
            self.walk.add_attribute(self.shape, label, self.attribute[0], "".join(self.text))
            self.attribute = None
        elif depth == 3:
            self.shape = None
        elif depth == 2:
            self.item = self.track = None
