"""The floor for reading a COCO file: msgspec.json.decode into typed structs (polygons decoded too)."""

# .venv/bin/python benchmarks/ref_msgspec.py FILE [--raw-segmentation] [--no-gc]

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import Any

import msgspec


class Image(msgspec.Struct, gc=False):
    id: int
    width: int
    height: int
    file_name: str = ""


class Category(msgspec.Struct, gc=False):
    id: int
    name: str
    supercategory: str = ""


class Annotation(msgspec.Struct, gc=False):
    id: int
    image_id: int
    category_id: int
    bbox: list[float]
    segmentation: list[list[float]] | dict[str, Any] = []  # absent in boxes-only files
    area: float = 0.0
    iscrowd: int = 0


class RawAnnotation(Annotation, gc=False):
    segmentation: msgspec.Raw = msgspec.Raw()  # type: ignore[assignment]  # kept as bytes, like labellint's reader


def decoder(raw_segmentation: bool) -> msgspec.json.Decoder:
    ann = RawAnnotation if raw_segmentation else Annotation
    coco = msgspec.defstruct(
        "Coco", [("images", list[Image]), ("annotations", list[ann]), ("categories", list[Category])], gc=False
    )
    return msgspec.json.Decoder(coco)


if __name__ == "__main__":
    if "--no-gc" in sys.argv:
        gc.disable()
    document = decoder("--raw-segmentation" in sys.argv).decode(Path(sys.argv[1]).read_bytes())
    print(len(document.images), len(document.annotations), len(document.categories))
