"""Label files in other encodings are read, repeated JSON keys are LL002, empty label lists too."""

from __future__ import annotations

import codecs
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import run_cli

FUZZ = Path(__file__).parent / "data" / "fuzz"
COCO = FUZZ / "coco" / "instances_train.json"
JSONL = FUZZ / "jsonl" / "fashion_brands_eval_spans.jsonl"
LABEL_STUDIO = FUZZ / "labelstudio" / "test_export_json_min_data.json"
VOC = FUZZ / "voc" / "BloodImage_00007.xml"
ENCODINGS = {
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "utf-16-le": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-be": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
}


def _summary(folder: Path) -> tuple[dict, list[dict]]:
    result = run_cli("check", ".", "--format", "json", cwd=folder)
    report = json.loads(result.stdout)
    return report["summary"], report["problems"]


def _coco_counts(path: Path) -> tuple[int, int]:
    document = json.loads(path.read_text())
    return len(document["images"]), len(document["annotations"])


def _jsonl_counts(path: Path) -> tuple[int, int]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return len(records), sum(len(r.get("spans") or []) for r in records)


def _label_studio_counts(path: Path) -> tuple[int, int]:
    tasks = json.loads(path.read_text())
    regions = 0
    for task in tasks:
        for annotation in task.get("annotations", []):
            for result in annotation["result"]:
                value = result["value"]
                regions += len(value.get(result["type"], []))
    return len(tasks), regions


def _voc_counts(path: Path) -> tuple[int, int]:
    return 1, len(ET.parse(path).getroot().findall("object"))


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize(
    ("seed", "count"),
    [(COCO, _coco_counts), (JSONL, _jsonl_counts), (LABEL_STUDIO, _label_studio_counts), (VOC, _voc_counts)],
    ids=["coco", "jsonl", "labelstudio", "voc"],
)
def test_a_label_file_with_a_bom_in_a_scanned_folder_is_read_like_its_utf8_original(
    tmp_path: Path, seed: Path, count, encoding: str
) -> None:
    original, encoded = tmp_path / "original", tmp_path / "encoded"
    original.mkdir()
    encoded.mkdir()
    (original / seed.name).write_bytes(seed.read_bytes())
    (encoded / seed.name).write_bytes(ENCODINGS[encoding](seed.read_text(encoding="utf-8")))
    items, annotations = count(seed)
    summary, problems = _summary(encoded)
    assert (summary["files"], summary["items"], summary["annotations"]) == (1, items, annotations)
    reference_summary, reference_problems = _summary(original)
    assert summary == reference_summary
    assert [(p["code"], p.get("line")) for p in problems] == [(p["code"], p.get("line")) for p in reference_problems]


@pytest.mark.parametrize(
    ("encoding", "codec"), [("UTF-16", "utf-16"), ("UTF-16", "utf-16-le"), ("ISO-8859-1", "latin-1")]
)
def test_a_voc_file_read_through_its_xml_encoding_declaration(tmp_path: Path, encoding: str, codec: str) -> None:
    text = VOC.read_text().replace("<name>WBC</name>", "<name>Zelle é</name>", 1)
    declared = f'<?xml version="1.0" encoding="{encoding}"?>\n' + text
    # "utf-16" writes a BOM, "utf-16-le" none (expat tells by the declaration's first bytes);
    # ISO-8859-1 spells the tags in ASCII.
    (tmp_path / VOC.name).write_bytes(declared.encode(codec))
    summary, _ = _summary(tmp_path)
    assert (summary["files"], summary["items"], summary["annotations"]) == (1, *_voc_counts(VOC))
    result = run_cli("stats", ".", "--format", "json", cwd=tmp_path)
    assert "Zelle é" in json.loads(result.stdout)["classes"]


def _problems(folder: Path) -> list[dict]:
    return _summary(folder)[1]


def test_a_top_level_key_twice_in_a_coco_file_is_ll002_at_the_second_one(tmp_path: Path) -> None:
    document = json.loads(COCO.read_text())
    body = json.dumps(document, indent=1)
    # The first `annotations` list is what a last-wins decoder would silently throw away.
    text = body[:-2] + ',\n "annotations": []\n}'
    (tmp_path / "instances.json").write_text(text)
    repeat_line = text.splitlines().index(' "annotations": []') + 1
    found = [p for p in _problems(tmp_path) if "twice" in p["message"]]
    assert [(p["code"], p["pointer"], p["line"]) for p in found] == [("LL002", "/annotations", repeat_line)]


def test_a_key_twice_inside_a_coco_annotation_is_ll002_with_its_pointer(tmp_path: Path) -> None:
    document = json.loads(COCO.read_text())
    lines = json.dumps(document, indent=1).splitlines()
    # A `bbox` written just before the annotation's own: the decoder would keep the later one.
    at = next(n for n, line in enumerate(lines) if line.strip().startswith('"bbox"'))
    lines.insert(at, '   "bbox": [0, 0, 1, 1],')
    (tmp_path / "instances.json").write_text("\n".join(lines))
    found = [p for p in _problems(tmp_path) if "twice" in p["message"]]
    assert [(p["code"], p["pointer"], p["line"]) for p in found] == [("LL002", "/annotations/0/bbox", at + 2)]


def test_a_key_twice_in_a_jsonl_record_and_in_a_label_studio_task_is_ll002(tmp_path: Path) -> None:
    lines = JSONL.read_text().splitlines()
    lines[1] = lines[1].replace('{"text":', '{"text": "dropped", "text":', 1)
    (tmp_path / "spans.jsonl").write_text("\n".join(lines) + "\n")
    tasks = LABEL_STUDIO.read_text()
    assert tasks.count('"data": {') >= 1
    (tmp_path / "tasks.json").write_text(tasks.replace('"data": {', '"data": {"note": "a", "note": "b", ', 1))
    data_line = 1 + tasks[: tasks.index('"data": {')].count("\n")
    found = sorted((p["path"], p["pointer"], p["line"]) for p in _problems(tmp_path) if "twice" in p["message"])
    assert found == [("spans.jsonl", "/text", 2), ("tasks.json", "/0/data/note", data_line)]


def test_clean_real_files_have_no_repeated_keys(tmp_path: Path) -> None:
    for seed in (COCO, JSONL, LABEL_STUDIO):
        (tmp_path / seed.name).write_bytes(seed.read_bytes())
    assert not [p for p in _problems(tmp_path) if "twice" in p["message"]]


def test_a_label_studio_region_with_an_empty_label_list_is_ll002_at_its_pointer(tmp_path: Path) -> None:
    tasks = json.loads(LABEL_STUDIO.read_text())
    region = next(
        (t, a, r)
        for t, task in enumerate(tasks)
        for a, annotation in enumerate(task.get("annotations", []))
        for r, result in enumerate(annotation["result"])
        if result["value"].get(result["type"])
    )
    t, a, r = region
    result = tasks[t]["annotations"][a]["result"][r]
    result["value"][result["type"]] = []
    (tmp_path / "tasks.json").write_text(json.dumps(tasks, indent=1))
    found = [p for p in _problems(tmp_path) if "empty label list" in p["message"]]
    assert [(p["code"], p["pointer"]) for p in found] == [("LL002", f"/{t}/annotations/{a}/result/{r}")]
    assert found[0]["line"] is not None


def test_a_utf16_coco_file_cut_mid_character_is_ll001_not_a_crash(tmp_path: Path) -> None:
    encoded = ENCODINGS["utf-16-le"](COCO.read_text())
    (tmp_path / "instances.json").write_bytes(encoded[: len(encoded) // 2 * 2 - 101])  # odd length
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["code"] for p in problems] == ["LL001"]
    assert "not valid UTF-16 (truncated data" in problems[0]["message"]
