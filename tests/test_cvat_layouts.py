"""CVAT exports read in one pass and exports in unusual layouts read by the tree walk give the same
annotations, at the lines of their start tags (found here by searching the text), with the
attributes ElementTree sees; the cyclic GC is back on after reading."""

from __future__ import annotations

import gc
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from labellint.readers.base import ReadContext
from labellint.readers.cvat import CvatReader

SHAPES = ("box", "polygon", "polyline", "points", "mask", "ellipse", "cuboid", "skeleton", "tag")
META = """<meta><task><labels>
  <label><name>car</name><attributes>
    <attribute><name>parked</name><input_type>checkbox</input_type></attribute>
    <attribute><name>speed</name><input_type>number</input_type></attribute>
  </attributes></label>
  <label><name>person</name></label>
</labels></task></meta>"""
IMAGES = """<image id="0" name="a.jpg" width="100" height="80">
  <box label="car" occluded="1" xtl="1" ytl="2" xbr="30" ybr="40" z_order="1">
    <attribute name="parked">true</attribute>
    <attribute name="speed"> 12.5 </attribute>
    <attribute name="note">a &amp; <![CDATA[<b>]]></attribute>
  </box>
  <box label="car" xtl="nan" ytl="2" xbr="30" ybr="40"/>
  <polygon label="person"
           points="1,2;3,4;5,1" occluded="0"/>
  <skeleton label="person">
    <points label="1" points="1,1"><attribute name="side">left</attribute></points>
  </skeleton>
  <tag label="person"/>
</image>
<image id="1" name="b.jpg"><box label="car" xtl="0" ytl="0" xbr="1" ybr="1">
  <attribute name="n">x<i/>tail</attribute></box></image>
"""
# The same export three ways: CVAT's own order, <meta> after the images, and a comment naming a tag.
LAYOUTS = {
    "usual": f"<annotations>\n<version>1.1</version>\n{META}\n{IMAGES}</annotations>\n",
    "meta_last": f"<annotations>\n<version>1.1</version>\n{IMAGES}{META}\n</annotations>\n",
    "comment": f"<annotations>\n<version>1.1</version>\n{META}\n<!-- <box label='x'/> -->\n{IMAGES}</annotations>\n",
}


def read(path: Path):
    return CvatReader().read([path], ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str))


def start_tag_lines(text: str) -> list[int]:
    """Lines of the shapes' start tags directly inside an <image> (not in a comment, CDATA or a skeleton)."""
    text = re.sub(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.DOTALL)
    lines, depth = [], 0
    for match in re.finditer(r"<(/?)(\w+)[^>]*?(/?)>", text):
        closing, tag, empty = match.groups()
        if closing:
            depth -= 1
            continue
        if depth == 2 and tag in SHAPES:
            lines.append(text.count("\n", 0, match.start()) + 1)
        depth += 0 if empty else 1
    return lines


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_reads_the_shapes_elementtree_sees_at_their_lines(tmp_path, layout):
    path = tmp_path / f"{layout}.xml"
    path.write_text(LAYOUTS[layout])
    dataset = read(path)
    root = ET.parse(path).getroot()
    shapes = [s for image in root.iter("image") for s in image if s.tag in SHAPES]
    readable = [s for s in shapes if s.get("xtl") != "nan"]
    assert dataset.n_items == len(root.findall("image")) == 2
    assert dataset.n_annotations == len(readable) == 5
    assert [i.message for i in dataset.issues] == ["<box> needs numeric xtl"]
    assert dataset.issues[0].location.line == start_tag_lines(LAYOUTS[layout])[1]
    lines = [line for s, line in zip(shapes, start_tag_lines(LAYOUTS[layout]), strict=True) if s.get("xtl") != "nan"]
    assert dataset.ann_line.tolist() == lines
    assert [c.name for c in dataset.classes] == ["car", "person"]  # declared first, wherever <meta> is
    for a, shape in enumerate(readable):  # every <attribute> below the shape, as ElementTree reads its text
        written = {e.get("name"): e.text or "" for e in shape.iter("attribute")}
        kept = dataset.ann_attributes.get(a, {})
        assert set(kept) - {"occluded"} == set(written)
        for name, text in written.items():
            typed = {"parked": True, "speed": 12.5}.get(name, text)
            assert kept[name] == typed
    assert dataset.ann_attributes[4] == {"n": "x"}  # the text before the child, as ElementTree's .text


def test_a_malformed_export_is_ll001_at_the_parser_position(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("<annotations>\n<version>1.1</version>\n<image id='0' name='a.jpg'>\n<box label='car'>\n</image>")
    dataset = read(path)
    with pytest.raises(ET.ParseError) as raised:
        ET.parse(path)
    assert [(i.code, i.location.line) for i in dataset.issues] == [("LL001", raised.value.position[0])]
    assert dataset.n_items == 0


def test_the_cyclic_gc_is_as_it_was_after_reading(tmp_path):
    path = tmp_path / "usual.xml"
    path.write_text(LAYOUTS["usual"])
    assert gc.isenabled()
    read(path)
    assert gc.isenabled()
    gc.disable()
    try:
        read(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_shape_after_a_skeleton_frame_outside_is_at_its_own_line(tmp_path):
    text = (
        '<annotations>\n<version>1.1</version>\n<track id="2" label="car">\n<skeleton frame="4" outside="1">\n'
        '<points label="p" points="1,1"/>\n</skeleton>\n<box frame="4" xtl="1" ytl="1" xbr="5" ybr="5"/>\n'
        "</track>\n</annotations>\n"
    )
    path = tmp_path / "track.xml"
    path.write_text(text)
    dataset = read(path)
    box_line = text[: text.index("<box")].count("\n") + 1
    assert dataset.ann_line.tolist() == [box_line] and dataset.ann_ids.tolist() == ["2@4"]


def test_plain_and_odd_boxes_keep_what_elementtree_reads_and_their_lines(tmp_path):
    """Plain boxes (read in one call) between boxes read one by one (no label, a bad or infinite
    corner, a rotation, <attribute> children): every field as ElementTree gives it, in order."""
    odd = {
        3: '<box label="" xtl="1" ytl="2" xbr="3" ybr="4"/>',
        5: '<box label="b" xtl="1" ytl="2" xbr="x" ybr="4"/>',
        7: '<box label="b" xtl="1" ytl="2" xbr="inf" ybr="4"/>',
        9: '<box label="r" xtl="0" ytl="0" xbr="4" ybr="2" rotation="90"/>',
        11: '<box label="a" xtl="1" ytl="2" xbr="3" ybr="4"><attribute name="n">v</attribute></box>',
    }
    rows = []
    for k in range(14):
        corners = f'xtl="{k}.5" ytl="1e1" xbr=" {k + 9} " ybr="31"'
        plain = f'<box label="{"ab"[k % 2]}" occluded="{k % 3}" {corners} z_order="{k}" source="manual"/>'
        rows.append(odd.get(k, plain) + "\n")
    text = "<annotations>\n<version>1.1</version>\n<image id='0' name='a.jpg'>\n" + "".join(rows)
    text += "</image>\n</annotations>\n"
    path = tmp_path / "boxes.xml"
    path.write_text(text)
    dataset = read(path)
    boxes = ET.parse(path).getroot().find("image").findall("box")
    lines = start_tag_lines(text)
    kept = [k for k in range(14) if k not in (3, 5, 7)]
    assert dataset.n_annotations == len(kept) == 11
    assert [(i.location.line, i.message) for i in dataset.issues] == [
        (lines[3], "<box> without a `label`"),
        (lines[5], "<box> needs numeric xbr"),
        (lines[7], "<box> needs numeric xbr"),
    ]
    assert dataset.ann_line.tolist() == [lines[k] for k in kept]
    assert [c.name for c in dataset.classes] == ["a", "b", "r"]
    for a, k in enumerate(kept):
        attrib = boxes[k].attrib
        x0, y0, x1, y1 = (float(attrib[c]) for c in ("xtl", "ytl", "xbr", "ybr"))
        if k != 9:  # the turned box's envelope is checked in test_rotated_boxes
            assert dataset.ann_box[a].tolist() == [x0, y0, x1 - x0, y1 - y0]
        fields = {"shape": "box", **{f: attrib[f] for f in ("z_order", "source", "rotation") if f in attrib}}
        assert dataset.ann_fields[a] == fields
        occluded = {"occluded": attrib["occluded"] == "1"} if attrib.get("occluded") in ("0", "1") else {}
        named = {e.get("name"): e.text for e in boxes[k].iter("attribute")}
        assert dataset.ann_attributes.get(a, {}) == {**occluded, **named}
