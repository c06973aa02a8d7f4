"""Text and Label Studio readers on real public label files: exact counts (computed here with the
json module, not copied from the readers) and their real defects reported under the right codes."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import problems_of, run_cli

from labellint.readers.base import ReadContext
from labellint.readers.csv_table import CsvReader
from labellint.readers.jsonl import JsonlReader
from labellint.readers.labelstudio import LabelStudioReader

EXPLOSION = ("data", "ner_textcat", "explosion_projects")
LEOKA = ("data", "labelstudio", "leoka_ml")
FIXTURES = ("data", "labelstudio", "ls_converter_fixtures")
NER_SPEC = """\
spec: 1
version: 1.0.0
task: ner
classes:
  Date: {definition: "A calendar date."}
"""


def _context(**options: object) -> ReadContext:
    return ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str, options=dict(options))


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------ Prodigy / spaCy JSONL
@pytest.mark.parametrize(
    "name",
    [
        "ner_fashion_brands_eval.prodigy.jsonl",
        "ner_tweets_test_annotated.prodigy.jsonl",
        "rel_component_annotations.prodigy.jsonl",
    ],
)
def test_prodigy_ner_counts_and_offsets(name: str) -> None:
    path = shared_path(*EXPLOSION, name)
    records = _records(path)
    kept = [r for r in records if r.get("answer") != "ignore"]
    spans = [(r["text"], s) for r in kept if r.get("answer", "accept") == "accept" for s in r.get("spans", [])]
    dataset = JsonlReader().read([path], _context())
    assert not dataset.issues
    assert (dataset.n_items, dataset.n_annotations) == (len(kept), len(spans))
    assert dataset.files[0].meta["ignored"] == len(records) - len(kept)
    assert dataset.ann_span.tolist() == [[s["start"], s["end"]] for _, s in spans]
    assert sorted(dataset.class_names) == sorted({s["label"] for _, s in spans})
    # Provenance: the line of each annotation is the line of its record.
    lines = [n for n, r in enumerate(records, 1) if r.get("answer") != "ignore" for _ in r.get("spans", [])]
    assert dataset.ann_line.tolist() == lines


def test_tweets_ignore_answers_are_not_items() -> None:
    path = shared_path(*EXPLOSION, "ner_tweets_test_annotated.prodigy.jsonl")
    answers = [r.get("answer") for r in _records(path)]
    dataset = JsonlReader().read([path], _context())
    assert answers.count("ignore") == 4
    assert dataset.n_items == answers.count("accept") == 519


def test_spacy_cats_counts() -> None:
    path = shared_path(*EXPLOSION, "textcat_docs_issues_eval.cats.jsonl")
    records = _records(path)
    positive = [(n, label) for n, r in enumerate(records, 1) for label, v in r["cats"].items() if v >= 0.5]
    dataset = JsonlReader().read([path], _context())
    assert (dataset.n_items, dataset.n_annotations) == (len(records), len(positive))
    assert [(int(line), dataset.class_name(a)) for a, line in enumerate(dataset.ann_line)] == positive
    assert (dataset.ann_span < 0).all() and dataset.item_text == [r["text"] for r in records]


def test_prodigy_binary_counts() -> None:
    path = shared_path(*EXPLOSION, "textcat_docs_issues_eval.prodigy_binary.jsonl")
    records = _records(path)
    accepted = [r for r in records if r["answer"] == "accept"]
    dataset = JsonlReader().read([path], _context())
    assert (dataset.n_items, dataset.n_annotations) == (len(records), len(accepted))
    assert dataset.class_names == sorted({r["label"] for r in accepted})


def test_cats_and_binary_agree_on_documentation_items() -> None:
    """The same 500 issues in two formats: accepted DOCUMENTATION == cats DOCUMENTATION >= 0.5."""
    cats = JsonlReader().read([shared_path(*EXPLOSION, "textcat_docs_issues_eval.cats.jsonl")], _context())
    binary = JsonlReader().read([shared_path(*EXPLOSION, "textcat_docs_issues_eval.prodigy_binary.jsonl")], _context())

    def documented(ds) -> set[str]:
        return {
            ds.item_text[int(ds.ann_item[a])] for a in range(ds.n_annotations) if ds.class_name(a) == "DOCUMENTATION"
        }

    assert documented(cats) == documented(binary)


def test_explosion_files_check_from_the_cli() -> None:
    folder = shared_path(*EXPLOSION)
    result = run_cli("check", "--format", "json", "--exit-zero", str(folder))
    summary = json.loads(result.stdout)["summary"]
    expected_items = sum(
        1 for path in sorted(folder.glob("*.jsonl")) for r in _records(path) if r.get("answer") != "ignore"
    )
    assert summary["files"] == 5 and summary["items"] == expected_items


# ------------------------------------------------------------------ Label Studio
def _ls_expected(tasks: list[dict]) -> tuple[int, list[tuple[str, str]], set[str]]:
    """(items, [(pointer, label)] for every label of every submitted result, annotator ids)."""
    annotations: list[tuple[str, str]] = []
    annotators: set[str] = set()
    for t, task in enumerate(tasks):
        for j, ann in enumerate(task.get("annotations", [])):
            if ann.get("was_cancelled"):
                continue
            by = ann.get("completed_by")
            annotators.add(str(by["id"] if isinstance(by, dict) else by))
            for r, result in enumerate(ann["result"]):
                kind = result["type"]
                for label in result["value"].get(kind, []):
                    name = "/".join(label) if kind == "taxonomy" else label
                    annotations.append((f"/{t}/annotations/{j}/result/{r}", name))
    return len(tasks), annotations, annotators


@pytest.mark.parametrize("name", ["LEOKA_team_6.pseudonymized.json", "LEOKA_team_8.pseudonymized.json"])
def test_leoka_counts_annotators_and_provenance(name: str) -> None:
    path = shared_path(*LEOKA, name)
    tasks = json.loads(path.read_text("utf-8"))
    items, annotations, annotators = _ls_expected(tasks)
    dataset = LabelStudioReader().read([path], _context())
    assert not dataset.issues
    assert (dataset.n_items, dataset.n_annotations) == (items, len(annotations))
    pointers = [dataset.annotation_location(a).pointer for a in range(dataset.n_annotations)]
    assert (
        list(zip(pointers, [dataset.class_name(a) for a in range(dataset.n_annotations)], strict=True)) == annotations
    )
    assert set(dataset.annotators) == annotators and (dataset.ann_annotator >= 0).all()
    # Drafts are counted, not read.
    assert dataset.files[0].meta["drafts"] == sum(len(t["drafts"]) for t in tasks)
    # Cancelled (skipped) annotations are counted, not read, even when they hold results.
    assert dataset.files[0].meta["cancelled"] == sum(a["was_cancelled"] for t in tasks for a in t["annotations"])


@pytest.mark.parametrize("name", ["LEOKA_team_6.pseudonymized.json", "LEOKA_team_8.pseudonymized.json"])
def test_leoka_span_text_mismatches_are_ll304(name: str, tmp_path: Path) -> None:
    path = shared_path(*LEOKA, name)
    tasks = json.loads(path.read_text("utf-8"))
    expected = set()
    for t, task in enumerate(tasks):
        text = task["data"]["text"]
        for j, ann in enumerate(task["annotations"]):
            if ann["was_cancelled"]:
                continue
            for r, result in enumerate(ann["result"]):
                value = result["value"]
                if result["type"] == "labels" and text[value["start"] : value["end"]] != value["text"]:
                    expected.add(f"/{t}/annotations/{j}/result/{r}")
    result = run_cli("check", "--format", "json", "--select", "LL304", str(path), cwd=tmp_path)
    found = {p["pointer"] for p in problems_of(result)}
    assert found == expected
    assert result.exit_code == (1 if expected else 0)
    if name.startswith("LEOKA_team_6"):
        assert len(expected) == 10  # trailing spaces in the stated text that the offsets leave out


def test_leoka_overlaps_only_within_one_annotator(tmp_path: Path) -> None:
    path = shared_path(*LEOKA, "LEOKA_team_6.pseudonymized.json")
    spec = tmp_path / "labelspec.yaml"
    spec.write_text(NER_SPEC)
    tasks = json.loads(path.read_text("utf-8"))
    expected = 0
    for task in tasks:
        # Grouped by annotator: one coder submitted two tasks twice, and those copies collide too.
        by_annotator: dict[int, list[tuple[int, int]]] = {}
        for ann in task["annotations"]:
            for r in ann["result"]:
                if r["type"] == "labels":
                    by_annotator.setdefault(ann["completed_by"]["id"], []).append(
                        (r["value"]["start"], r["value"]["end"])
                    )
        for spans in by_annotator.values():
            reach = -1
            for start, end in sorted(spans):
                expected += start < reach
                reach = max(reach, end)
    result = run_cli("check", "--format", "json", "--spec", str(spec), "--select", "LL305", str(path), cwd=tmp_path)
    assert len(problems_of(result)) == expected > 0


def test_ls_fixture_boxes_are_pixels_and_annotators_int_or_object() -> None:
    files = sorted(shared_path(*FIXTURES).glob("*.json"))
    dataset = LabelStudioReader().read(files, _context())
    expected_boxes, expected_items, annotators = [], 0, set()
    for path in files:
        tasks = json.loads(path.read_text("utf-8"))
        items, _, who = _ls_expected(tasks)
        expected_items += items
        annotators |= who
        for task in tasks:
            for ann in task["annotations"]:
                for result in ann["result"]:
                    value, kind = result["value"], result["type"]
                    sx, sy = result.get("original_width", 0) / 100, result.get("original_height", 0) / 100
                    if kind == "rectanglelabels" and value.get("rotation", 0) % 360:
                        # Turned about its top-left corner: the box is the corners' envelope (the OBB fixture).
                        x, y, w, h = value["x"] * sx, value["y"] * sy, value["width"] * sx, value["height"] * sy
                        turn = math.radians(value["rotation"])
                        corners = [(dx, dy) for dx, dy in ((0, 0), (w, 0), (w, h), (0, h))]
                        xs = [x + dx * math.cos(turn) - dy * math.sin(turn) for dx, dy in corners]
                        ys = [y + dx * math.sin(turn) + dy * math.cos(turn) for dx, dy in corners]
                        expected_boxes.append([min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)])
                    elif kind == "rectanglelabels":
                        expected_boxes.append(
                            [value["x"] * sx, value["y"] * sy, value["width"] * sx, value["height"] * sy]
                        )
                    elif kind == "polygonlabels":
                        xs = [p[0] * sx for p in value["points"]]
                        ys = [p[1] * sy for p in value["points"]]
                        expected_boxes.append([min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)])
    boxes = dataset.ann_box[~(dataset.ann_box != dataset.ann_box).any(axis=1)]
    assert dataset.n_items == expected_items and not dataset.issues
    assert boxes.ravel().tolist() == pytest.approx([v for box in expected_boxes for v in box])
    assert set(dataset.annotators) == annotators  # `completed_by: 1` and `{"id": 1, ...}` are one annotator
    polygons = [r for p in files for t in json.loads(p.read_text()) for a in t["annotations"] for r in a["result"]]
    turned = [r for r in polygons if r["type"] == "rectanglelabels" and r["value"].get("rotation", 0) % 360]
    assert len(turned) == 25  # the OBB fixture: 23 + 1 + 1 turned boxes on three images
    assert len(dataset.ann_segmentation) == sum(r["type"] == "polygonlabels" for r in polygons) + len(turned)


# ------------------------------------------------------------------ CoNLL corrections CSV
def test_conll_corrections_read_as_classification_table() -> None:
    """The corrections CSV has no document text, so spans cannot be checked: it is read as a
    classification table (the corpus span string is the item, its corpus type the label)."""
    path = shared_path(
        "data", "ner_textcat", "conll2003_label_corrections_codait", "all_conll_corrections_combined@2035e84.csv"
    )
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    dataset = CsvReader().read([path], _context(text="corpus_span", label="corpus_ent_type"))
    assert not dataset.issues
    assert dataset.n_items == len(rows) == 1407
    assert dataset.n_annotations == sum(1 for r in rows if r["corpus_ent_type"].strip())


def test_leoka_spans_with_whitespace_edges_are_ll306(tmp_path: Path) -> None:
    path = shared_path(*LEOKA, "LEOKA_team_8.pseudonymized.json")
    tasks = json.loads(path.read_text("utf-8"))
    padded = set()
    for t, task in enumerate(tasks):
        text = task["data"]["text"]
        for j, ann in enumerate(task["annotations"]):
            if ann["was_cancelled"]:  # skipped tasks are not labels (they are not read)
                continue
            for r, result in enumerate(ann["result"]):
                value = result["value"]
                if result["type"] == "labels":
                    covered = text[value["start"] : value["end"]]
                    if covered and covered != covered.strip():
                        padded.add(f"/{t}/annotations/{j}/result/{r}")
    result = run_cli("check", "--format", "json", "--select", "LL306", str(path), cwd=tmp_path)
    problems = problems_of(result)
    whitespace = {p["pointer"] for p in problems if "whitespace" in p["message"]}
    assert whitespace == padded and len(padded) > 100
    assert result.exit_code == 0  # a warning
