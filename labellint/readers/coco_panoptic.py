"""COCO panoptic records: each image's `segments_info` flattened into COCO-style annotation records."""

from __future__ import annotations

import re
from typing import Any

import msgspec

# A panoptic file's annotations are one record per image (with the PNG's `file_name`), the
# segments inside; the masks live in the PNGs, which labellint does not decode.
_SEGMENTS_INFO = re.compile(rb'"segments_info"\s*:\s*\[')


class PanopticSegment(msgspec.Struct, gc=False):
    id: int | str
    category_id: int | str
    bbox: list[float] | None = None
    area: float | None = None
    iscrowd: int = 0
    attributes: dict[str, Any] | None = None


class PanopticRecord(msgspec.Struct, gc=False):
    image_id: int | str
    file_name: str | None = None
    segments_info: list[PanopticSegment] = []


def is_panoptic(head: bytes) -> bool:
    """Evidence of COCO panoptic: a `segments_info` list (no other COCO flavour writes one)."""
    return bool(_SEGMENTS_INFO.search(head))


def flatten(records: list[Any]) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]], list[tuple[str, str]]]:
    """One COCO annotation record per segment, its JSON pointer and its format fields (the segment
    id and the PNG); records or segments that are not panoptic are returned as (pointer, reason).

    A segment id is unique only within its PNG (it is the mask's colour), so the annotation id is
    `image_id/segment_id`: two images' segment 1 are not a repeated id. An empty `bbox` (`[]`, as
    Mapillary Vistas writes) is no box: the mask in the PNG is the segment's geometry."""
    out: list[dict[str, Any]] = []
    pointers: list[str] = []
    fields: list[dict[str, Any]] = []
    bad: list[tuple[str, str]] = []
    for i, raw in enumerate(records):
        try:
            record = msgspec.convert(raw, PanopticRecord)
        except msgspec.ValidationError as exc:
            reason, _, where = str(exc).partition(" - at ")
            bad.append((f"/annotations/{i}{_pointer(where)}", reason))
            continue
        for j, segment in enumerate(record.segments_info):
            out.append(
                {
                    "image_id": record.image_id,
                    "category_id": segment.category_id,
                    "id": f"{record.image_id}/{segment.id}",
                    "bbox": segment.bbox or None,
                    "area": segment.area,
                    "iscrowd": segment.iscrowd,
                    "attributes": segment.attributes,
                }
            )
            pointers.append(f"/annotations/{i}/segments_info/{j}")
            fields.append({"segment_id": segment.id, "mask_file": record.file_name})
    return out, pointers, fields, bad


def _pointer(where: str) -> str:
    """msgspec's `$.segments_info[1]` as the JSON pointer suffix `/segments_info/1`."""
    parts = re.findall(r"\.([^.\[`]+)|\[(\d+)\]", where.strip("`").removeprefix("$"))
    return "".join(f"/{key or index}" for key, index in parts)
