"""A review queue as a CVAT for images 1.1 XML task: current labels pre-annotated, the finding in attributes."""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

import numpy as np

from labellint.model import Dataset
from labellint.quality.review_queue import QueueEntry

# Text attributes every label declares: which queued label a shape is (kept through CVAT's
# export, so the reviewer's decisions can be matched), why it is queued, and the queue entry
# (where the label is written, its content fingerprint and commit) `review apply` reads.
ATTRIBUTES = ("labellint_region", "labellint_reason", "labellint_entry")


def cvat_task(dataset: Dataset, entries: list[QueueEntry], name: str) -> tuple[str, list[str]]:
    """The queue as CVAT for images 1.1 XML (one `<image>` per queued item, in queue order; a box per
    queued boxed label, a `<tag>` per item-level one) and notes on what it could not hold."""
    images: dict[int, list[str]] = {}
    skipped, placed = 0, set()
    for entry in entries:
        if entry.meta.get("region") is not None and entry.meta["region"] in placed:
            continue  # two findings on one label: one shape (its reason attribute names the first)
        placed.add(entry.meta.get("region"))
        shape = _shape(dataset, entry)
        if shape is None or entry.item < 0:
            skipped += 1
            continue
        images.setdefault(entry.item, []).append(shape)
    labels = sorted({*dataset.class_names, *(str(e.meta.get("class")) for e in entries if e.meta.get("class"))})
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<annotations>", "  <version>1.1</version>", "  <meta>"]
    out += ["    <task>", f"      <name>{_text(name)}</name>", f"      <size>{len(images)}</size>"]
    out += ["      <mode>annotation</mode>", "      <overlap>0</overlap>", "      <labels>"]
    for label in labels:
        out += ["        <label>", f"          <name>{_text(label)}</name>", "          <attributes>"]
        for attribute in ATTRIBUTES:
            out += ["            <attribute>", f"              <name>{attribute}</name>"]
            out += ["              <mutable>False</mutable>", "              <input_type>text</input_type>"]
            out += ["              <default_value></default_value>", "              <values></values>"]
            out += ["            </attribute>"]
        out += ["          </attributes>", "        </label>"]
    out += ["      </labels>", "    </task>", "  </meta>"]
    for number, (item, shapes) in enumerate(images.items()):
        out.append(
            f"  <image id={quoteattr(str(number))} name={quoteattr(_item_name(dataset, item))}{_size(dataset, item)}>"
        )
        out += shapes
        out.append("  </image>")
    out.append("</annotations>")
    notes = [f"{skipped} queued labels have no box in pixels or no item; not in the CVAT task"] if skipped else []
    return "\n".join(out) + "\n", notes


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_name(dataset: Dataset, item: int) -> str:
    names = dataset.item_names
    return str((names[item] if item < len(names) else None) or dataset.item_ids[item])


def _item_id(dataset: Dataset, item: int) -> str | None:
    return str(dataset.item_ids[item]) if item >= 0 else None


def _size(dataset: Dataset, item: int) -> str:
    width, height = float(dataset.item_width[item]), float(dataset.item_height[item])
    if not (width > 0 and height > 0) or dataset.item_normalized[item]:
        return ""
    return f' width="{int(width)}" height="{int(height)}"'


def _shape(dataset: Dataset, entry: QueueEntry) -> str | None:
    """A queued label as a CVAT `<box>` (pixel boxes only) or `<tag>`, its queue attributes inside."""
    label = entry.meta.get("class") or entry.meta.get("given")
    if not isinstance(label, str):
        return None
    region = entry.region or {}
    values = [str(entry.meta.get("region") or ""), str(entry.meta.get("reason") or "")]
    values.append(json.dumps({**entry.meta, "item": _item_id(dataset, entry.item)}, default=str))
    attributes = "".join(
        f"\n      <attribute name={quoteattr(k)}>{_text(v)}</attribute>"
        for k, v in zip(ATTRIBUTES, values, strict=True)
    )
    if region.get("type") == "choices":
        return f'    <tag label={quoteattr(label)} source="manual">{attributes}\n    </tag>'
    a = _annotation(entry)
    if a is None or entry.item < 0 or dataset.item_normalized[entry.item]:
        return None
    x, y, w, h = dataset.ann_box[a].tolist()
    if not np.isfinite([x, y, w, h]).all():
        return None
    corners = " ".join(
        f'{k}="{v:.2f}"' for k, v in zip(("xtl", "ytl", "xbr", "ybr"), (x, y, x + w, y + h), strict=True)
    )
    return (
        f'    <box label={quoteattr(label)} source="manual" occluded="0" {corners} z_order="0">{attributes}\n    </box>'
    )


def _annotation(entry: QueueEntry) -> int | None:
    """The dataset annotation a queue entry is about, from its region id (`labellint-<index>`)."""
    region = str(entry.meta.get("region") or "")
    number = region.removeprefix("labellint-")
    return int(number) if number.isdigit() else None
