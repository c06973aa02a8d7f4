"""A CVAT for images 1.1 XML export of a labellint CVAT queue, as the reviewed tasks `review apply` reads."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree.ElementTree import Element

from labellint.errors import UsageError
from labellint.model import ReaderIssue
from labellint.readers._xml import parse_xml


def _root(path: str, what: str) -> Element:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the {what}: {exc}") from None
    issues: list[ReaderIssue] = []
    root = parse_xml(data, path, issues)
    if root is None or root.tag != "annotations":
        reason = issues[0].message if issues else "the root element is not <annotations>"
        raise UsageError(f"{path}: not a CVAT for images XML {what}: {reason}")
    return root


def _attributes(shape: Element) -> dict[str, str]:
    return {a.get("name") or "": (a.text or "").strip() for a in shape.iter("attribute")}


def _region(shape: Element, image: Element, number: int) -> dict | None:
    """A CVAT shape as the Label Studio region `review apply` reads: a rectangle in percent of the
    image, or the tag's label as a choice; None for other shapes."""
    label, region_id = shape.get("label"), _attributes(shape).get("labellint_region") or f"cvat-{number}"
    if shape.tag == "tag":
        return {"id": region_id, "type": "choices", "value": {"choices": [label]}}
    if shape.tag != "box":
        return None
    width, height = float(image.get("width") or 0), float(image.get("height") or 0)
    if not (width > 0 and height > 0):
        return None
    xtl, ytl, xbr, ybr = (float(shape.get(k) or 0) for k in ("xtl", "ytl", "xbr", "ybr"))
    value = {"x": 100 * xtl / width, "y": 100 * ytl / height, "width": 100 * (xbr - xtl) / width}
    value |= {"height": 100 * (ybr - ytl) / height, "rectanglelabels": [label]}
    return {"id": region_id, "type": "rectanglelabels", "value": value, "original_width": width} | {
        "original_height": height
    }


def cvat_review_tasks(export: str, queue: str | None) -> list[dict]:
    """One task per image of the QUEUE (the CVAT task labellint wrote): its queued labels (from each
    shape's `labellint_entry`), and the EXPORT's shapes on that image as the reviewer's result (an
    image the export does not hold is not reviewed). Shapes without a region id were drawn new."""
    if queue is None:
        raise UsageError(f"{export}: a CVAT export needs --queue FILE, the CVAT task labellint wrote")
    queued, exported = _root(queue, "queue"), _root(export, "export")
    finals = {image.get("name"): image for image in exported.iter("image")}
    tasks = []
    for image in queued.iter("image"):
        entries = []
        for shape in image:
            entry = _attributes(shape).get("labellint_entry")
            try:
                entries.append(json.loads(entry or ""))
            except ValueError:
                raise UsageError(
                    f"{queue}: image {image.get('name')!r} has a shape without its labellint_entry"
                ) from None
        task: dict = {"id": image.get("name"), "data": {"labellint": {"queued": entries}}}
        if entries:
            task["data"]["labellint"]["item"] = entries[0].get("item")
        final = finals.get(image.get("name"))
        if final is not None:
            regions = [_region(shape, final, n) for n, shape in enumerate(final)]
            task["annotations"] = [{"result": [r for r in regions if r is not None]}]
        tasks.append(task)
    return tasks
