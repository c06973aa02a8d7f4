"""JSONL, CSV and Label Studio readers: broken records, configured columns, and the text rules end to end."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import problems_of, run_cli, write_coco

from labellint.readers.base import ReadContext
from labellint.readers.csv_table import CsvReader
from labellint.readers.jsonl import JsonlReader
from labellint.readers.labelstudio import LabelStudioReader


def _context(**options: object) -> ReadContext:
    return ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str, options=dict(options))


def test_jsonl_broken_records_name_their_line_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "ner.jsonl"
    lines = [
        {"text": "Anna lives in Oslo", "spans": [{"start": 0, "end": 4, "label": "PER"}]},
        "{not json",
        [1, 2],
        {"text": "Bob", "spans": [{"start": "0", "end": 3, "label": "PER"}]},
        {"spans": []},
        {"text": "Oslo", "label": [[0, 4, "LOC"]]},
    ]
    path.write_text("\n".join(v if isinstance(v, str) else json.dumps(v) for v in lines) + "\n")
    dataset = JsonlReader().read([path], _context())
    assert dataset.n_items == 2 and dataset.ann_span.tolist() == [[0, 4], [0, 4]]
    found = sorted((i.code, i.location.line) for i in dataset.issues)
    assert found == [("LL001", 2), ("LL002", 3), ("LL002", 4), ("LL002", 5)]
    assert all(i.location.path == str(path) for i in dataset.issues)
    result = run_cli("check", "--format", "json", str(path), cwd=tmp_path)
    assert result.exit_code == 1
    assert sorted((p["code"], p["line"]) for p in problems_of(result)) == found


def test_jsonl_configured_keys_and_threshold(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    rows = [{"body": "crash", "topics": {"bug": 0.7, "ui": 0.3}, "key": "T-1", "who": "ann"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    dataset = JsonlReader().read(
        [path], _context(text="body", label="topics", id="key", annotator="who", threshold=0.2)
    )
    assert dataset.item_ids.tolist() == ["T-1"] and sorted(dataset.class_names) == ["bug", "ui"]
    assert dataset.annotators == ["ann"]


def test_csv_multilabel_cell_through_the_config_and_onehot(tmp_path: Path) -> None:
    (tmp_path / "cells.csv").write_text('id,comment,tags\n1,"slow, and\nugly",perf|ui\n2,fine,\n3,bad,x,y\n')
    (tmp_path / "onehot.csv").write_text("text,perf,ui\nslow,1,0\nugly,0,true\nodd,2,0\n")
    (tmp_path / "labellint.toml").write_text(
        '[[datasets]]\npath = "cells.csv"\nreader = "csv"\n'
        'options = {text = "comment", label = "tags", separator = "|"}\n'
    )
    result = run_cli("check", "--format", "json", cwd=tmp_path)
    document = json.loads(result.stdout)
    assert (document["summary"]["items"], document["summary"]["annotations"]) == (2, 2)
    assert [(p["path"], p["line"], p["code"]) for p in document["problems"]] == [("cells.csv", 5, "LL002")]
    onehot = CsvReader().read([tmp_path / "onehot.csv"], _context(labels=["perf", "ui"]))
    assert (onehot.n_items, onehot.n_annotations) == (3, 2)
    assert [(i.code, i.location.line) for i in onehot.issues] == [("LL002", 4)]
    dataset = CsvReader().read([tmp_path / "cells.csv"], _context(text="comment", label="tags", separator="|"))
    assert dataset.item_line.tolist() == [2, 4]  # the multi-line row starts on line 2
    assert dataset.item_text[0] == "slow, and\nugly"


def test_csv_without_a_text_column_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("body,label\nx,a\n")
    dataset = CsvReader().read([path], _context())
    assert [(i.code, i.location.line) for i in dataset.issues] == [("LL002", 1)]
    assert "no text column" in dataset.issues[0].message


def test_labelstudio_broken_records_by_pointer_with_lines(tmp_path: Path) -> None:
    tasks = [
        {
            "id": 1,
            "data": {"text": "Anna"},
            "annotations": [
                {
                    "id": 9,
                    "completed_by": 3,
                    "result": [
                        {"type": "labels", "value": {"start": 0, "end": 4, "text": "Anna", "labels": ["PER"]}},
                        {"type": "labels", "value": {"start": "x", "end": 4, "labels": ["PER"]}},
                    ],
                }
            ],
        },
        {"id": 2},
        {
            "id": 3,
            "data": {"text": "Bob"},
            "annotations": [
                {"id": 10, "completed_by": {"id": 4}, "was_cancelled": True, "result": []},
                {"id": 11, "completed_by": 5, "result": [{"type": "choices", "value": {"choices": ["greeting"]}}]},
            ],
            "drafts": [{"result": [{"type": "choices", "value": {"choices": ["x"]}}]}],
            "predictions": [{"result": [{"type": "choices", "value": {"choices": ["y"]}}]}],
        },
    ]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, indent=2))
    dataset = LabelStudioReader().read([path], _context())
    assert dataset.n_items == 2 and [dataset.class_name(a) for a in range(dataset.n_annotations)] == ["PER", "greeting"]
    assert dataset.annotators == ["3", "5"]
    assert dataset.files[0].meta == {"drafts": 1, "cancelled": 1, "predictions": 1, "unlabelled_results": 0}
    assert sorted(i.location.pointer for i in dataset.issues) == ["/0/annotations/0/result/1", "/1"]
    result = run_cli("check", "--format", "json", str(path), cwd=tmp_path)
    lines = path.read_text().splitlines()
    for problem in problems_of(result):
        assert problem["code"] == "LL002" and problem["line"] is not None
        assert lines[problem["line"] - 1].strip().startswith("{")
    with_drafts = LabelStudioReader().read([path], _context(drafts=True))
    assert with_drafts.n_annotations == 3


def test_conflicting_duplicate_images_by_file_hash(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8same-bytes")
    (tmp_path / "copy.jpg").write_bytes(b"\xff\xd8same-bytes")
    (tmp_path / "other.jpg").write_bytes(b"\xff\xd8different")
    images = [
        {"id": k, "file_name": n, "width": 10, "height": 10}
        for k, n in enumerate(["a.jpg", "copy.jpg", "other.jpg"], 1)
    ]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 5, 5]},
        {"id": 2, "image_id": 2, "category_id": 2, "bbox": [1, 1, 5, 5]},
        {"id": 3, "image_id": 3, "category_id": 3, "bbox": [1, 1, 5, 5]},
    ]
    write_coco(tmp_path / "labels.json", images, annotations)
    result = run_cli("check", "--format", "json", "--select", "LL303", "labels.json", cwd=tmp_path)
    problems = problems_of(result)
    assert [(p["item"], p["code"]) for p in problems] == [("2", "LL303")]
    assert "same image file" in problems[0]["message"]


def test_unsure_attribute_is_reported(tmp_path: Path) -> None:
    from helpers import SPEC_TEXT

    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    images = [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 20, 40], "attributes": {"unsure": True}},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [50, 1, 20, 40], "attributes": {"unsure": False}},
    ]
    write_coco(tmp_path / "labels.json", images, annotations)
    result = run_cli("check", "--format", "json", "--select", "LL104", "labels.json", cwd=tmp_path)
    assert [p["annotation"] for p in problems_of(result)] == ["1"]


def test_unknown_reader_option_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x", "label": "y"}\n')
    (tmp_path / "labellint.toml").write_text('[[datasets]]\npath = "a.jsonl"\noptions = {txt = "body"}\n')
    result = run_cli("check", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    [problem] = problems_of(result)
    assert problem["code"] == "LL002" and "txt" in problem["message"] and problem["path"] == "a.jsonl"


def test_row_spans_place_every_cell_where_the_csv_module_reads_it() -> None:
    """The writer of `migrate` edits cells by position: positions must give the csv module's values."""
    import csv
    import io
    import random

    from labellint.support.csv_cells import row_spans

    chance = random.Random(18)
    alphabet = ["a", "b", '"', ",", "\t", "\n", "\r", " ", "é"]
    compared = 0
    for _ in range(20000):
        text = "".join(chance.choice(alphabet) for _ in range(chance.randint(0, 14)))
        delimiter = chance.choice([",", "\t"])
        try:
            expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        rows = list(row_spans(text, delimiter))
        assert [r.values for r in rows] == expected, repr(text)
        # The records tile the text, and each cell's characters read back as its value.
        assert "".join(text[r.start : r.end] for r in rows) == text
        reader, starts, previous = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [], 0
        for _ in reader:  # a record starts on the line after the previous one ended
            starts.append(previous + 1)
            previous = reader.line_num
        assert [r.line for r in rows] == starts, repr(text)
        for cell in (r.cell(k) for r in rows for k in range(len(r.values))):
            raw = text[cell.start : cell.end]
            assert next(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter), [""]) == [cell.value], repr(text)
        compared += 1
    assert compared > 15000
