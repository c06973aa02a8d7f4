"""The COCO reader's columns against the file counted with plain json: references, areas, attributes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import shared_path

from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader, _lookup


def plain_index(ids: list) -> dict:
    """Each id's first position, as a reader must resolve a reference."""
    first: dict = {}
    for position, value in enumerate(ids):
        first.setdefault(value, position)
    return first


@pytest.mark.parametrize("name", ["coco128/instances_train2017.json", "taco/annotations_v4_508da01.json"])
def test_columns_match_plain_json(name):
    path = shared_path("data", "coco", *name.split("/"))
    raw = json.loads(path.read_text())
    context = ReadContext(read_bytes=lambda p: p.read_bytes(), is_file=lambda p: p.is_file(), display=str)
    dataset = CocoReader().read_one(path, context)
    images = plain_index([image["id"] for image in raw["images"]])
    classes = plain_index([category["id"] for category in raw["categories"]])
    annotations = raw["annotations"]
    assert dataset.ann_item.tolist() == [images.get(a["image_id"], -1) for a in annotations]
    assert dataset.ann_class.tolist() == [classes.get(a["category_id"], -1) for a in annotations]
    assert dataset.ann_area == {i: a["area"] for i, a in enumerate(annotations) if a.get("area") is not None}
    assert dataset.ann_attributes == {i: a["attributes"] for i, a in enumerate(annotations) if a.get("attributes")}
    widths = [image.get("width") for image in raw["images"]]
    assert [None if math.isnan(w) else w for w in dataset.item_width.tolist()] == widths


@pytest.mark.parametrize(
    "keys",
    [
        [5, 3, 3, 9, 0],  # repeated id: the first one is found
        list(range(1, 200)),  # 1..n
        [7, 70_000],  # too sparse for a table: searched
        [-4, 2, 8],  # negative ids: searched
    ],
)
def test_lookup_finds_the_first_of_each_id_and_minus_one_for_absent(keys):
    refs = [*keys, -1, -4, 10**12, 4, 199, 200]
    first = plain_index(keys)
    assert _lookup(np.asarray(keys, np.int64), refs).tolist() == [first.get(r, -1) for r in refs]
