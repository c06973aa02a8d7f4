"""Box and image tables read column by column (whole tables at once, numbers converted per
distinct text in big ones), counted independently with the plain csv module, and the fallbacks
(a quoted newline, a bad number, a size that is not one) at the right lines."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import numpy as np
import pytest

from labellint.readers import available_readers
from labellint.readers.base import ReadContext

HEADER = "filename,width,height,class,xmin,ymin,xmax,ymax\n"
CONTEXT = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)


def read(reader: str, path: Path):
    return available_readers()[reader].read([path], CONTEXT)


def box_rows(n: int, distinct: bool, seed: int = 0) -> list[str]:
    """`n` rows, 6 boxes an image; pixel corners (few distinct values) or 6-decimal floats (all distinct)."""
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        if distinct:
            x, y, w, h = (f"{rng.uniform(0, 900):.6f}" for _ in range(4))
            x2, y2 = f"{float(x) + float(w):.6f}", f"{float(y) + float(h):.6f}"
        else:
            x, y = rng.randrange(0, 600), rng.randrange(0, 400)
            x2, y2 = x + rng.randrange(1, 40), y + rng.randrange(1, 30)
        label = rng.choice(["car", "bus", "dog"])
        rows.append(f"img_{k // 6:05d}.jpg,{640 + k // 6 % 3},480,{label},{x},{y},{x2},{y2}\n")
    return rows


def plain_count(path: Path) -> dict:
    """What the table holds, by csv.reader and float alone: boxes (x, y, w, h), items in order of
    first appearance with their first row's size and line, each row's line and class."""
    reader = csv.reader(path.open(newline="", encoding="utf-8-sig"))
    next(reader)
    items: dict[str, tuple] = {}
    boxes, lines, classes = [], [], []
    previous = reader.line_num
    for row in reader:
        line, previous = previous + 1, reader.line_num
        x1, y1, x2, y2 = map(float, row[4:8])
        boxes.append((x1, y1, x2 - x1, y2 - y1))
        lines.append(line)
        classes.append(row[3])
        items.setdefault(row[0], (float(row[1]), float(row[2]), line))
    return {"boxes": np.array(boxes), "lines": lines, "classes": classes, "items": items}


def class_names(dataset) -> list[str]:
    return [dataset.classes[c].name for c in dataset.ann_class]


@pytest.mark.parametrize("distinct", [False, True], ids=["repeated-pixels", "distinct-floats"])
def test_big_box_table_equals_a_plain_csv_count(tmp_path, distinct):
    path = tmp_path / "boxes.csv"
    path.write_text(HEADER + "".join(box_rows(60_000, distinct)))
    dataset = read("box_csv", path)
    expected = plain_count(path)
    assert not dataset.issues
    assert np.array_equal(dataset.ann_box, expected["boxes"])
    assert dataset.ann_line.tolist() == expected["lines"]
    assert class_names(dataset) == expected["classes"]
    assert dataset.item_ids.tolist() == list(expected["items"])
    assert dataset.item_width.tolist() == [w for w, _, _ in expected["items"].values()]
    assert dataset.item_height.tolist() == [h for _, h, _ in expected["items"].values()]
    assert dataset.item_line.tolist() == [line for _, _, line in expected["items"].values()]
    number = {name: k for k, name in enumerate(expected["items"])}
    assert dataset.ann_item.tolist() == [number[r.split(",")[0]] for r in box_rows(60_000, distinct)]


def test_big_box_table_with_a_quoted_newline_keeps_every_line(tmp_path):
    rows = box_rows(50_000, False)
    path = tmp_path / "boxes.csv"
    path.write_text(HEADER + "".join(rows[:20_000]) + '"two\nlines.jpg",640,480,car,1,2,3,4\n' + "".join(rows[20_000:]))
    dataset = read("box_csv", path)
    expected = plain_count(path)
    assert dataset.n_annotations == 50_001
    assert dataset.ann_line.tolist() == expected["lines"]
    assert expected["lines"][20_001] == 20_004  # the row after the two-line record: header + 20,001 rows + 1
    assert np.array_equal(dataset.ann_box, expected["boxes"])


def test_big_box_table_bad_number_is_reported_at_its_line_and_the_rest_read(tmp_path):
    rows = box_rows(50_000, False)
    path = tmp_path / "boxes.csv"
    path.write_text(HEADER + "".join(rows[:30_000]) + "z.jpg,640,480,car,1,2,3,oops\n" + "".join(rows[30_000:]))
    dataset = read("box_csv", path)
    assert [(i.code, i.location.line) for i in dataset.issues] == [("LL002", 30_002)]
    assert "'oops' is not a number" in dataset.issues[0].message
    assert dataset.n_annotations == 50_000
    assert 30_002 not in dataset.ann_line.tolist()


def test_box_table_size_not_a_number_leaves_that_image_without_a_size(tmp_path):
    rows = box_rows(50_000, False)
    path = tmp_path / "boxes.csv"
    path.write_text(HEADER + "".join(rows[:600]) + "odd.jpg,wide,480,car,1,2,3,4\n" + "".join(rows[600:]))
    dataset = read("box_csv", path)
    ids = dataset.item_ids.tolist()
    odd = ids.index("odd.jpg")
    assert np.isnan(dataset.item_width[odd]) and np.isnan(dataset.item_height[odd])
    others = np.delete(np.arange(len(ids)), odd)
    assert not np.isnan(dataset.item_width[others]).any() and not np.isnan(dataset.item_height[others]).any()
    assert len(ids) == len({r.split(",")[0] for r in rows}) + 1


def test_big_image_table_items_and_labels_equal_a_plain_csv_count(tmp_path):
    path = tmp_path / "labels.csv"
    labels = ["" if k % 97 == 0 else f"c{k % 5}" for k in range(50_000)]
    path.write_text("filename,label\n" + "".join(f"i{k}.jpg,{label}\n" for k, label in enumerate(labels)))
    dataset = read("image_csv", path)
    rows = list(csv.reader(path.open(newline="")))[1:]
    labelled = [k for k, row in enumerate(rows) if row[1]]
    assert not dataset.issues
    assert dataset.item_ids.tolist() == [row[0] for row in rows]
    assert dataset.item_line.tolist() == list(range(2, len(rows) + 2))
    assert dataset.ann_item.tolist() == labelled
    assert dataset.ann_line.tolist() == [k + 2 for k in labelled]
    assert class_names(dataset) == [rows[k][1] for k in labelled]
    assert [c.name for c in dataset.classes] == list(dict.fromkeys(rows[k][1] for k in labelled))
    assert np.isnan(dataset.ann_box).all() and np.isnan(dataset.item_width).all()


@pytest.mark.parametrize("bad_row", [False, True])
def test_image_table_with_a_quoted_newline_keeps_every_line(tmp_path, bad_row):
    """A quoted name holding a newline makes its record two lines long: every later row keeps its
    own line, on the column path and (with a short row, which sends the table row by row) the other."""
    path = tmp_path / "labels.csv"
    body = [f"i{k}.jpg,c{k % 3}\n" for k in range(300)]
    body.insert(100, '"two\nlines.jpg",c1\n')
    if bad_row:
        body.insert(250, "short\n")
    path.write_text("filename,label\n" + "".join(body))
    dataset = read("image_csv", path)
    lines, previous = [], 1
    with path.open(newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for row in reader:
            if len(row) == 2:
                lines.append(previous + 1)
            previous = reader.line_num
    assert len(lines) == 301
    assert dataset.item_line.tolist() == lines
    assert dataset.ann_line.tolist() == lines
    assert [i.location.line for i in dataset.issues] == ([253] if bad_row else [])
