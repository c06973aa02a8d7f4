"""What an unclaimed file looks like, so a skipped file is named by kind and never dropped silently."""

from __future__ import annotations

import re

from labellint.readers.base import SNIFF_BYTES, Candidate

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pcd", ".npy"}
_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*)[\s>/]")
# (marker regexes that must all occur in the head, the format they point to); first match wins.
_JSON_KINDS: tuple[tuple[tuple[bytes, ...], str], ...] = (
    ((rb'"image"\s*:\s*"', rb'"coordinates"\s*:'), "CreateML JSON"),
    ((rb'"items"\s*:\s*\[',), "Datumaro JSON"),
    ((rb'"infos"\s*:',), "Datumaro JSON"),
    ((rb'"image"\s*:\s*\{', rb'"annotations"\s*:\s*\['), "SA-1B (Segment Anything) JSON"),
    ((rb'"captures"\s*:',), "Unity Perception JSON"),
    ((rb'"task_id"\s*:', rb'"response"\s*:'), "Scale AI JSON"),
    ((rb'"DataRow ID"\s*:',), "Labelbox JSON"),
    ((rb'"data_row"\s*:',), "Labelbox NDJSON"),
    ((rb'"segment"\s*:\s*\[', rb'"annotations"\s*:\s*\{'), "Kinetics JSON"),
    ((rb'"annotations"\s*:\s*\{', rb'"labels"\s*:\s*\['), "IBM Cloud Annotations JSON"),
    ((rb'"videoSettings"\s*:',), "VoTT JSON"),
    ((rb'"shapes"\s*:\s*\[', rb'"imagePath"\s*:'), "LabelMe (labelme tool) JSON"),
    ((rb'"segments_info"\s*:',), "COCO panoptic JSON"),
    ((rb'"caption"\s*:\s*"', rb'"image_id"\s*:'), "COCO captions JSON (image descriptions, not class labels)"),
    ((rb'"objects"\s*:\s*\[', rb'"size"\s*:'), "Supervisely JSON"),
    ((rb'"labels"\s*:\s*\[',), "class lists (dataset_meta.json)"),
)
_IMAGE_LIST = re.compile(rb"^\S+\.(jpe?g|png|bmp|tiff?|webp)(\s+\S+)*$", re.IGNORECASE)
_BBOX_HEADER = re.compile(rb'(^|[,\t])\s*"?bbox"?\s*($|[,\t\r])', re.IGNORECASE)
_NUMBER = re.compile(rb"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def describe(candidate: Candidate) -> str:
    """A short name for what the file seems to be ("CVAT XML", "empty .txt", "images")."""
    suffix = candidate.suffix or "(no suffix)"
    head = candidate.head.removeprefix(b"\xef\xbb\xbf")
    if suffix in IMAGE_SUFFIXES:
        return "images and other binary data"
    if not head.strip():
        return f"empty {suffix}"
    if suffix == ".xml":
        return _xml_kind(head)
    if suffix in (".json", ".jsonl", ".ndjson"):
        return _json_kind(head, suffix)
    if suffix == ".txt":
        return _text_kind(head)
    if suffix in (".csv", ".tsv") and _BBOX_HEADER.search(head.split(b"\n", 1)[0]):
        return (
            "a box table with one `bbox` column (corners or x,y,w,h cannot be told apart: in labellint.toml "
            'give the dataset reader = "box_csv" and options = { bbox_format = "xywh" } or "xyxy")'
        )
    return f"{suffix} files"


def _xml_kind(head: bytes) -> str:
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.DOTALL)
    match = _XML_ROOT.search(body)
    root = match.group(1).decode("ascii", "replace") if match else None
    if root == "annotations" and b"<version>" in head:
        return "CVAT XML"
    if root == "annotation" and (b"<polygon>" in head or b"<imagesize>" in head or b"LabelMe" in head):
        return "LabelMe XML (MIT)"
    if root in ("View", "view"):
        return "a Label Studio labeling config"
    return f"XML with root <{root}>" if root else "XML that does not parse"


def _json_kind(head: bytes, suffix: str) -> str:
    for markers, kind in _JSON_KINDS:
        if all(re.search(m, head) for m in markers):
            return kind
    first = head.lstrip()[:1]
    if first not in (b"{", b"["):
        return f"{suffix} that is not JSON"
    return f"JSON that no reader recognises ({suffix})"


def _text_kind(head: bytes) -> str:
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    if len(head) >= SNIFF_BYTES and lines:
        lines = lines[:-1] or lines  # the last line may be cut by the head
    if all(_IMAGE_LIST.match(line) for line in lines):
        return "image lists (.txt)"
    if all(b"," in line for line in lines):
        return "comma-separated .txt (MOT-style tracks or other CSV)"
    rows = [line.split() for line in lines]
    if all(len(r) == 15 and not _NUMBER.match(r[0]) for r in rows):
        return "KITTI label .txt"
    if all(len(r) >= 9 and all(_NUMBER.match(v) for v in r[:8]) and not _NUMBER.match(r[8]) for r in rows):
        return "DOTA label .txt"
    if all(r and all(_NUMBER.match(v) for v in r) for r in rows):
        if all(r[0].isdigit() and len(r) >= 5 for r in rows):
            return "YOLO-like rows outside a YOLO layout (no labels/ folder, no names file, or not normalized)"
        return "number tables (.txt)"
    if all(len(r) == 1 for r in rows):
        return "name lists (.txt)"
    return "plain text (.txt)"
