"""Parquet tables laid out as Hugging Face `datasets` writes them (features in the schema metadata).

Run as a script to rewrite the fuzz seed: `python tests/parquet_tables.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

IMAGE = pa.struct([("bytes", pa.binary()), ("path", pa.string())])
SEED = Path(__file__).parent / "data" / "fuzz" / "parquet" / "data" / "train-00000-of-00001.parquet"
# The rulebook's malformed Parquet: class index 7 where the ClassLabel names two classes.
RULEBOOK = Path(__file__).parents[1] / "rules" / "LL002-invalid-structure" / "bad" / "parquet" / "train.parquet"


def with_features(table: pa.Table, features: dict) -> pa.Table:
    """The table with `datasets`' `huggingface` schema metadata naming its features."""
    meta = {b"huggingface": json.dumps({"info": {"features": features}}).encode()}
    return table.replace_schema_metadata(meta)


def classification(paths: list[str], labels: list[int], names: list[str] | None) -> pa.Table:
    """An image classification table (`image` Image struct + `label` ClassLabel), as `datasets` stores it."""
    images = pa.array([{"bytes": None, "path": p} for p in paths], IMAGE)
    table = pa.table({"image": images, "label": pa.array(labels, pa.int64())})
    if names is None:
        return table
    return with_features(table, {"image": {"_type": "Image"}, "label": {"names": names, "_type": "ClassLabel"}})


def detection(rows: list[dict], names: list[str]) -> pa.Table:
    """A detection table as the hub's COCO-like datasets store it (cppe-5's layout): image_id, image,
    width, height, and `objects` as a struct of lists (`Sequence({...})`) with bbox and category."""
    objects = pa.array(
        [
            {
                "id": [o["id"] for o in row["objects"]],
                "bbox": [o["bbox"] for o in row["objects"]],
                "category": [o["category"] for o in row["objects"]],
            }
            for row in rows
        ],
        pa.struct(
            [
                ("id", pa.list_(pa.int64())),
                ("bbox", pa.list_(pa.list_(pa.float32(), 4))),
                ("category", pa.list_(pa.int64())),
            ]
        ),
    )
    table = pa.table(
        {
            "image_id": pa.array([r["image_id"] for r in rows], pa.int64()),
            "image": pa.array([{"bytes": None, "path": r["file"]} for r in rows], IMAGE),
            "width": pa.array([r["width"] for r in rows], pa.int32()),
            "height": pa.array([r["height"] for r in rows], pa.int32()),
            "objects": objects,
        }
    )
    bbox = {"feature": {"dtype": "float32", "_type": "Value"}, "length": 4, "_type": "Sequence"}
    features = {
        "image_id": {"dtype": "int64", "_type": "Value"},
        "image": {"_type": "Image"},
        "width": {"dtype": "int32", "_type": "Value"},
        "height": {"dtype": "int32", "_type": "Value"},
        "objects": {
            "feature": {
                "id": {"dtype": "int64", "_type": "Value"},
                "bbox": bbox,
                "category": {"names": names, "_type": "ClassLabel"},
            },
            "_type": "Sequence",
        },
    }
    return with_features(table, features)


SEED_ROWS = [
    {"image_id": 1, "file": "a.jpg", "width": 640, "height": 480, "objects": []},
    {
        "image_id": 2,
        "file": "b.jpg",
        "width": 640,
        "height": 480,
        "objects": [
            {"id": 10, "bbox": [10.0, 20.0, 30.0, 40.0], "category": 0},
            {"id": 11, "bbox": [100.0, 120.0, 50.0, 60.0], "category": 2},
        ],
    },
    {
        "image_id": 3,
        "file": "c.jpg",
        "width": 320,
        "height": 240,
        "objects": [{"id": 12, "bbox": [5.0, 5.0, 100.0, 80.0], "category": 1}],
    },
]


if __name__ == "__main__":
    SEED.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(detection(SEED_ROWS, ["Coverall", "Face_Shield", "Gloves"]), SEED)
    RULEBOOK.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(classification(["a.jpg", "b.jpg", "c.jpg"], [0, 1, 7], ["cat", "dog"]), RULEBOOK)
    print(f"wrote {SEED} and {RULEBOOK}")
