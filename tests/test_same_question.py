"""LL303 compares only answers to the same question: the same content, the same task (a Prodigy
binary answer's label, a Label Studio task's media) and the same annotator. Built from real rows
(explosion/projects Prodigy exports, Label Studio converter fixtures in ../shared/data)."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

from conftest import shared_path
from helpers import problems_of, run_cli

PRODIGY = ("data", "ner_textcat", "explosion_projects")


def _rows(name: str) -> list[dict]:
    text = shared_path(*PRODIGY, name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _ll303(path: Path, cwd: Path) -> list[dict]:
    result = run_cli("check", "--format", "json", str(path), cwd=cwd)
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return [p for p in problems_of(result) if p["code"] == "LL303"]


def _spans(row: dict) -> list[tuple]:
    return sorted((s["start"], s["end"], s["label"]) for s in row.get("spans", []))


def test_multi_annotator_prodigy_export_is_not_a_conflict(tmp_path):
    # Every text answered by two annotators; the second one drops the first annotator's last span,
    # so the two answers differ on every text that has a span.
    rows = [r for r in _rows("ner_fashion_brands_eval.prodigy.jsonl") if r.get("answer") == "accept"]
    export = []
    for row in rows:
        for annotator in ("fashion-alice", "fashion-bob"):
            answer = copy.deepcopy(row)
            answer["_annotator_id"] = answer["_session_id"] = annotator
            if annotator == "fashion-bob" and answer["spans"]:
                answer["spans"] = answer["spans"][:-1]
            export.append(answer)
    differing = sum(1 for row in rows if row["spans"])
    assert differing > 100  # the file has real disagreements to ignore
    assert _ll303(_write_jsonl(tmp_path / "multi.jsonl", export), tmp_path) == []


def test_one_annotator_answering_one_text_two_ways_is_still_a_conflict(tmp_path):
    rows = [r for r in _rows("ner_fashion_brands_eval.prodigy.jsonl") if r.get("answer") == "accept" and r["spans"]]
    row = rows[0]
    again = copy.deepcopy(row)
    again["spans"] = []
    for answer in (row, again):
        answer["_annotator_id"] = "fashion-alice"
    problems = _ll303(_write_jsonl(tmp_path / "twice.jsonl", [row, again]), tmp_path)
    assert len(problems) == 1 and problems[0]["line"] == 2
    assert "with no label here" in problems[0]["message"]


def test_unknown_annotator_answering_twice_differently_is_a_conflict(tmp_path):
    # Without any annotator field the rule keeps comparing, as before (the fast reading path).
    row = next(r for r in _rows("ner_fashion_brands_eval.prodigy.jsonl") if r.get("answer") == "accept" and r["spans"])
    del row["_session_id"]
    again = copy.deepcopy(row)
    again["spans"] = row["spans"][:-1]
    assert len(_ll303(_write_jsonl(tmp_path / "twice.jsonl", [row, again]), tmp_path)) == 1


def test_binary_answers_about_different_labels_of_one_text_are_different_questions(tmp_path):
    rows = _rows("textcat_docs_issues_eval.prodigy_binary.jsonl")
    # The same 500 texts asked about a second label; Prodigy gives each (text, label) its own
    # _task_hash. Rejecting "OTHER" where "DOCUMENTATION" was accepted (and vice versa) is consistent.
    other = []
    for row in rows:
        answer = dict(row, label="OTHER", _task_hash=row["_task_hash"] + 1)
        answer["answer"] = "reject" if row["answer"] == "accept" else "accept"
        other.append(answer)
    assert {r["answer"] for r in rows} == {"accept", "reject"}
    assert _ll303(_write_jsonl(tmp_path / "binary.jsonl", rows + other), tmp_path) == []
    # Without _task_hash the label proposed names the question.
    bare = [{k: v for k, v in r.items() if k != "_task_hash"} for r in rows + other]
    assert _ll303(_write_jsonl(tmp_path / "bare.jsonl", bare), tmp_path) == []


def test_binary_accept_and_reject_of_the_same_task_is_a_conflict(tmp_path):
    rows = _rows("textcat_docs_issues_eval.prodigy_binary.jsonl")
    accepted = next(r for r in rows if r["answer"] == "accept")
    flipped = dict(accepted, answer="reject")
    problems = _ll303(_write_jsonl(tmp_path / "flip.jsonl", [accepted, flipped]), tmp_path)
    assert len(problems) == 1 and problems[0]["line"] == 2


def _labelstudio_task() -> dict:
    path = shared_path("data", "labelstudio", "ls_converter_fixtures", "test_export_csv_csv_test.json")
    tasks = json.loads(path.read_text(encoding="utf-8"))
    return next(t for t in tasks if t["data"].get("text") and t["data"].get("image") and t["annotations"])


def _relabel(task: dict, task_id: int, label: str, image: str | None = None) -> dict:
    out = copy.deepcopy(task)
    out["id"] = task_id
    if image is not None:
        out["data"]["image"] = image
    for annotation in out["annotations"]:
        for region in annotation["result"]:
            if "rectanglelabels" in region.get("value", {}):
                region["value"]["rectanglelabels"] = [label]
    return out


def test_labelstudio_tasks_sharing_a_caption_on_different_images_are_not_compared(tmp_path):
    task = _labelstudio_task()
    ours = [_relabel(task, 1, "Car"), _relabel(task, 2, "Airplane", image=task["data"]["image"] + "?other")]
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(ours), encoding="utf-8")
    assert _ll303(path, tmp_path) == []
    # The same image and caption labelled two ways is a real conflict.
    ours[1] = _relabel(task, 2, "Airplane")
    path.write_text(json.dumps(ours), encoding="utf-8")
    problems = _ll303(path, tmp_path)
    assert len(problems) == 1 and "Car" in problems[0]["message"] and "Airplane" in problems[0]["message"]


def _coco_task_files(tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    """datumaro's COCO sample (one image set, a file per task) copied with its images."""
    source = shared_path("data", "peers", "datumaro", "coco_dataset", "coco")
    folder = tmp_path / "coco"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".labellint_cache"))
    documents = {p.name: json.loads(p.read_text()) for p in (folder / "annotations").glob("*.json")}
    return folder, documents


def _image_labels(document: dict) -> dict[str, set]:
    names = {c["id"]: c["name"] for c in document["categories"]}
    labels: dict[str, set] = {im["file_name"]: set() for im in document["images"]}
    by_id = {im["id"]: im["file_name"] for im in document["images"]}
    for record in document["annotations"]:
        for part in record.get("segments_info", [record]):
            labels[by_id[record["image_id"]]].add(names[part["category_id"]])
    return labels


def test_coco_task_files_of_one_image_set_are_different_questions(tmp_path):
    folder, documents = _coco_task_files(tmp_path)
    train = {n: _image_labels(d) for n, d in documents.items() if n.endswith("_train.json") and "caption" not in n}
    # The sample gives a.jpg other labels in stuff_ and panoptic_ than in instances_, and lists it
    # with no annotation at all in image_info_: the situation every real COCO download is in.
    assert train["instances_train.json"] != train["stuff_train.json"]
    assert train["image_info_train.json"] == {"a.jpg": set()} and not documents["image_info_train.json"]["annotations"]
    assert _ll303(folder, tmp_path) == []


def test_coco_conflicts_within_one_task_are_still_found(tmp_path):
    folder, documents = _coco_task_files(tmp_path)
    # The train image again in a second instances file (a copy in another split), with the
    # labels of the stuff file: one question, two answers.
    stuff = documents["stuff_train.json"]
    copy_of = dict(documents["instances_train.json"], annotations=stuff["annotations"])
    (folder / "annotations" / "instances_train_copy.json").write_text(json.dumps(copy_of))
    # And a second stuff file answering the stuff question about it differently.
    other = dict(stuff, annotations=documents["instances_train.json"]["annotations"])
    (folder / "annotations" / "stuff_train_copy.json").write_text(json.dumps(other))
    problems = _ll303(folder, tmp_path)
    first = {p["path"].rsplit("/", 1)[1]: p["message"] for p in problems}
    assert sorted(first) == ["instances_train_copy.json", "stuff_train_copy.json"] and len(problems) == 2
    assert "instances_train.json /images/0" in first["instances_train_copy.json"]
    assert "stuff_train.json /images/0" in first["stuff_train_copy.json"]


def test_an_image_list_without_annotations_is_no_answer_but_an_empty_image_is(tmp_path):
    folder, documents = _coco_task_files(tmp_path)
    for name in list(documents):
        if not name.startswith(("instances_train", "image_info_train")):
            (folder / "annotations" / name).unlink()
    assert _ll303(folder, tmp_path) == []
    # A file that does label images (it has annotations) and leaves a.jpg without any says
    # "nothing here": that conflicts with the instances file's box.
    instances = documents["instances_train.json"]
    other_image = {**instances["images"][0], "id": 99, "file_name": "b.jpg"}
    shutil.copy(folder / "images" / "val" / "b.jpg", folder / "images" / "train" / "b.jpg")
    negative = dict(instances, images=[*instances["images"], other_image])
    negative["annotations"] = [dict(instances["annotations"][0], image_id=99)]
    (folder / "annotations" / "instances_train_negatives.json").write_text(json.dumps(negative))
    [problem] = _ll303(folder, tmp_path)
    assert problem["path"].endswith("instances_train_negatives.json") and problem["pointer"] == "/images/0"
    assert "with no label here" in problem["message"]


def test_cvat_image_with_an_unlabelled_shape_is_not_compared(tmp_path):
    source = shared_path("data", "peers", "datumaro", "cvat_dataset", "for_images")
    folder = tmp_path / "for_images"
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".labellint_cache"))
    task = folder / "export_task" / "train.xml"
    text = task.read_text()
    # The task export's two images each hold a shape with label="" (an LL002): their labels are
    # not known in full, so the project export's labels for the same images are no conflict.
    assert text.count('label=""') == 2
    assert _ll303(folder, tmp_path) == []
    # With the empty labels filled in, img0 is labelled as in the project export ("label1,
    # label2") and img1 is not (its polygon is "label1" there): one real conflict.
    task.write_text(text.replace('label=""', 'label="label2"'))
    problems = _ll303(folder, tmp_path)
    assert [(p["path"].rsplit("/", 1)[1], p["item"]) for p in problems] == [("train.xml", "img1.jpg")]


def test_an_image_whose_annotation_could_not_be_read_is_not_compared(tmp_path):
    folder, documents = _coco_task_files(tmp_path)
    for name in list(documents):
        if name != "instances_train.json":
            (folder / "annotations" / name).unlink()
    copy_of = copy.deepcopy(documents["instances_train.json"])
    copy_of["annotations"][0]["category_id"] = [2]  # not an id: the record is dropped with an LL002
    (folder / "annotations" / "instances_train_copy.json").write_text(json.dumps(copy_of))
    result = run_cli("check", "--format", "json", str(folder), cwd=tmp_path)
    codes = [(p["code"], p["pointer"]) for p in problems_of(result)]
    # The copy's a.jpg is not "labelled with no label": its one label is unreadable, and said so.
    assert codes == [("LL002", "/annotations/0/category_id")]


def test_labelstudio_task_with_an_unreadable_region_is_not_compared(tmp_path):
    task = _labelstudio_task()
    broken = _relabel(task, 2, "Car")
    region = next(r for a in broken["annotations"] for r in a["result"] if "rectanglelabels" in r["value"])
    del region["value"]["width"]  # an LL002; the task's labels are then known only in part
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([_relabel(task, 1, "Car"), broken]), encoding="utf-8")
    result = run_cli("check", "--format", "json", str(path), cwd=tmp_path)
    assert {p["code"] for p in problems_of(result)} == {"LL002"}
