"""doccano's JSONL span layouts, all read: 1.x `annotations: [{label, start_offset, end_offset,
user}]` (each annotation by its user), `labels`/`label: [[start, end, label]]` and `entities` with
offsets. The records are real Prodigy NER rows (explosion/projects' fashion brands evaluation set)
rewritten in each layout; the spans are counted from the source rows with plain json."""

from __future__ import annotations

import json

import pytest
from conftest import shared_path
from helpers import run_cli

from labellint.commands.labels import read_labels
from labellint.sources.worktree import WorkTree


def _rows() -> list[dict]:
    path = shared_path("data", "ner_textcat", "explosion_projects", "ner_fashion_brands_eval.prodigy.jsonl")
    return [json.loads(line) for line in path.read_text().splitlines()[:60] if line.strip()]


def _as_doccano(row: dict, k: int, layout: str) -> dict:
    spans = [(s["start"], s["end"], s["label"]) for s in row.get("spans", [])]
    if layout == "annotations":  # doccano 1.x; two users take turns
        cells = [{"label": lab, "start_offset": a, "end_offset": b, "user": 1 + k % 2} for a, b, lab in spans]
        return {"id": k, "text": row["text"], "annotations": cells, "meta": {}}
    if layout == "entities":
        cells = [{"id": n, "label": lab, "start_offset": a, "end_offset": b} for n, (a, b, lab) in enumerate(spans)]
        return {"id": k, "text": row["text"], "entities": cells, "relations": []}
    return {"id": k, "text": row["text"], layout: [list(s) for s in spans]}


@pytest.mark.parametrize("layout", ["annotations", "labels", "label", "entities"])
def test_every_doccano_span_layout_is_read(tmp_path, layout):
    rows = _rows()
    records = [_as_doccano(row, k, layout) for k, row in enumerate(rows)]
    (tmp_path / "export.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = run_cli("--isolated", "check", "--format", "json", "export.jsonl", cwd=tmp_path)
    report = json.loads(result.stdout)
    expected = sum(len(row.get("spans", [])) for row in rows)
    assert expected > 20
    assert report["summary"]["annotations"] == expected and report["summary"]["items"] == len(rows)
    assert [p for p in report["problems"] if p["code"] in ("LL001", "LL002", "LL304")] == []
    dataset = read_labels([str(tmp_path / "export.jsonl")], WorkTree())
    want = sorted((s["start"], s["end"]) for row in rows for s in row.get("spans", []))
    assert sorted(map(tuple, dataset.spans().tolist())) == want
    if layout == "annotations":
        assert sorted(dataset.annotators) == ["1", "2"]


def test_a_doccano_annotation_without_a_label_is_ll002(tmp_path):
    record = {"id": 1, "text": "EU rejects", "annotations": [{"start_offset": 0, "end_offset": 2, "user": 1}]}
    (tmp_path / "bad.jsonl").write_text(json.dumps(record) + "\n")
    result = run_cli("--isolated", "check", "--format", "json", "bad.jsonl", cwd=tmp_path)
    [problem] = json.loads(result.stdout)["problems"]
    assert problem["code"] == "LL002" and "annotation 0" in problem["message"]
