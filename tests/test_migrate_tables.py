"""`migrate` on image classification tables (image_csv) and box tables (box_csv), real tables in real git repos."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from conftest import shared_path
from helpers import run_cli
from test_migrate_formats import _class_problems, _migrate, _repo, _spec

KAGGLE = ("data", "peers", "datumaro", "kaggle_dataset")
VOTT = ("data", "peers", "datumaro", "vott_csv_dataset", "dataset")
RACCOON = ("data", "voc", "raccoon", "data", "raccoon_labels.csv")


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(data.decode("utf-8-sig").splitlines(keepends=True)))


def _undefined(repo: Path) -> list[str]:
    """The messages of `check`'s LL101 (a class the spec does not define)."""
    problems = json.loads(run_cli("check", "--format", "json", cwd=repo).stdout)["problems"]
    return [p["message"] for p in problems if p["code"] == "LL101"]


def _relabelled_lines(text: str, column: int, new: dict[str, str], gone: set[str] = frozenset()) -> str:
    """The table's text with the label cells (an unquoted table: cells split at commas) renamed and
    the rows of `gone` deleted, computed without labellint."""
    lines = []
    for number, line in enumerate(text.splitlines(keepends=True)):
        body = line.rstrip("\r\n")
        cells = body.split(",")
        if number and cells[column] in gone:
            continue
        if number and cells[column] in new:
            cells[column] = new[cells[column]]
        lines.append(",".join(cells) + line[len(body) :])
    return "".join(lines)


def test_image_table_rename_lists_removed_then_drops_the_rows(tmp_path: Path) -> None:
    source = shared_path(*KAGGLE, "image_csv", "ann.csv")
    original = source.read_bytes()
    assert b'"' not in original
    rows = _rows(original)
    label = rows[0].index("label_name")
    classes = Counter(r[label] for r in rows[1:] if r)
    repo = tmp_path / "images"
    (repo / "labels").mkdir(parents=True)
    shutil.copy(source, repo / "labels" / "ann.csv")
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in classes}, "classification"), "labels")
    assert _class_problems(repo) == []
    v2 = {"house cat": {"definition": "A cat.", "aliases": ["cat"]}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "classification", "cat renamed; dogs no longer labelled"))
    report = _migrate(repo)
    table = repo / "labels" / "ann.csv"
    assert [f["path"] for f in report["files"]] == ["labels/ann.csv"] and report["not_writable"] == []
    assert sum(f["relabelled"] for f in report["files"]) == classes["cat"] > 0
    listed = [(x["where"], x["class"], x["reason"]) for f in report["files"] for x in f["listed"]]
    dog_lines = [f"line {k}" for k, r in enumerate(rows[1:], 2) if r and r[label] == "dog"]
    assert listed == [(line, "dog", "removed") for line in dog_lines] and len(dog_lines) == classes["dog"] > 0
    text = original.decode("utf-8")
    assert table.read_text(encoding="utf-8") == _relabelled_lines(text, label, {"cat": "house cat"})
    new_rows = _rows(table.read_bytes())
    assert [r[:label] + r[label + 1 :] for r in new_rows] == [r[:label] + r[label + 1 :] for r in rows]
    assert Counter(r[label] for r in new_rows[1:] if r) == {"house cat": classes["cat"], "dog": classes["dog"]}
    # The removed class's labels, kept as listed: check names them (one problem for the file).
    assert _class_problems(repo) == ["LL101"]
    assert [m for m in _undefined(repo) if "'dog'" in m and f"{classes['dog']} annotations" in m] == _undefined(repo)
    subprocess.run(["git", "checkout", "-q", "--", "labels"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    assert table.read_text(encoding="utf-8") == _relabelled_lines(text, label, {"cat": "house cat"}, {"dog"})
    assert _class_problems(repo) == []
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == classes["cat"]


def test_box_table_merge_keeps_quotes_and_every_other_byte(tmp_path: Path) -> None:
    folder = shared_path(*VOTT)
    repo = tmp_path / "vott"
    (repo / "labels").mkdir(parents=True)
    originals = {}
    for path in sorted(folder.glob("*.csv")):
        shutil.copy(path, repo / "labels" / path.name)
        originals[path.name] = path.read_bytes()
    classes = Counter(r[-1] for data in originals.values() for r in _rows(data)[1:] if r)
    assert set(classes) == {"helmet", "person"}
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in classes}), "labels")
    v2 = {"worker": {"definition": "A person at work, helmet or not.", "aliases": ["person", "helmet"]}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="helmet and person merged into worker"))
    report = _migrate(repo)
    assert sorted(f["path"] for f in report["files"]) == sorted(f"labels/{n}" for n in originals)
    assert sum(f["relabelled"] for f in report["files"]) == sum(classes.values())
    for name, data in originals.items():
        new = (repo / "labels" / name).read_bytes()
        old_rows, new_rows = _rows(data), _rows(new)
        assert new_rows[0] == old_rows[0] and [r[:-1] for r in new_rows] == [r[:-1] for r in old_rows]
        assert all(r[-1] == "worker" for r in new_rows[1:] if r)
        # The label cell is the last, quoted: written quoted again; every other byte as it was.
        assert new == re.sub(rb',"(helmet|person)"(?=\r?\n|$)', b',"worker"', data) != data
    assert _class_problems(repo) == []
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == sum(classes.values())  # every box now a worker
    assert {t["to"] for t in diff["transitions"]} == {"worker"}


def test_box_table_rename_on_a_real_table_changes_only_the_class_cells(tmp_path: Path) -> None:
    source = shared_path(*RACCOON)
    original = source.read_bytes()
    assert b'"' not in original
    rows = _rows(original)
    label = rows[0].index("class")
    repo = tmp_path / "raccoon"
    (repo / "labels").mkdir(parents=True)
    shutil.copy(source, repo / "labels" / "raccoon_labels.csv")
    _repo(repo, _spec("1.0.0", {"raccoon": {"definition": "A raccoon."}}), "labels")
    v2 = {"Procyon lotor": {"definition": "A raccoon.", "aliases": ["raccoon"]}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="raccoon renamed Procyon lotor"))
    dry = _migrate(repo, "--dry-run")
    assert (repo / "labels" / "raccoon_labels.csv").read_bytes() == original
    boxes = sum(1 for r in rows[1:] if r and r[label] == "raccoon")
    assert dry["diff"]["annotations"]["relabeled"] == boxes == len(rows) - 1 > 200
    _migrate(repo)
    text = (repo / "labels" / "raccoon_labels.csv").read_text(encoding="utf-8")
    assert text == _relabelled_lines(original.decode("utf-8"), label, {"raccoon": "Procyon lotor"})
    assert _class_problems(repo) == []


def test_box_table_drop_removed_deletes_the_boxes_rows_only(tmp_path: Path) -> None:
    source = shared_path(*KAGGLE, "image_csv_det", "ann.csv")
    original = source.read_bytes()
    assert b'"' not in original
    rows = _rows(original)
    label = rows[0].index("label_name")
    classes = Counter(r[label] for r in rows[1:] if r)
    repo = tmp_path / "det"
    (repo / "labels").mkdir(parents=True)
    shutil.copy(source, repo / "labels" / "ann.csv")
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in classes}), "labels")
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", {"dog": {"definition": "A dog."}}, note="cats not labelled"))
    report = _migrate(repo, "--drop-removed")
    listed = [(x["class"], x["reason"]) for f in report["files"] for x in f["listed"]]
    assert listed == [("cat", "dropped")] * classes["cat"] and classes["cat"] > 0
    text = (repo / "labels" / "ann.csv").read_text(encoding="utf-8")
    assert text == _relabelled_lines(original.decode("utf-8"), label, {}, {"cat"})
    assert _class_problems(repo) == []


def test_one_hot_and_class_name_option_changes_are_refused_with_the_place(tmp_path: Path) -> None:
    source = shared_path(*KAGGLE, "image_csv_multi_label", "ann.csv")
    original = source.read_bytes()
    header = _rows(original)[0]
    repo = tmp_path / "onehot"
    (repo / "labels").mkdir(parents=True)
    shutil.copy(source, repo / "labels" / "ann.csv")
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in header[1:]}, "classification"), "labels")
    v2 = {"canine": {"definition": "A dog.", "aliases": ["dog"]}, "cat": {"definition": "A cat."}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "classification", "dog renamed canine; person removed"))
    refused = run_cli("migrate", cwd=repo)
    assert refused.exit_code == 2 and "labels/ann.csv:1: the one-hot label columns 'dog'" in refused.stderr
    assert "Traceback" not in refused.output and (repo / "labels" / "ann.csv").read_bytes() == original
    # Only a removal: the rows marking the removed column are listed, nothing written.
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", {n: {"definition": f"A {n}."} for n in ("dog", "cat")}))
    report = _migrate(repo)
    marked = [f"line {k}" for k, r in enumerate(_rows(original)[1:], 2) if r and r[header.index("person")] == "1"]
    assert [(x["where"], x["class"]) for f in report["files"] for x in f["listed"]] == [(w, "person") for w in marked]
    assert marked and (repo / "labels" / "ann.csv").read_bytes() == original

    wheat = tmp_path / "wheat"
    wheat.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "kaggle_bbox" / "train.csv", wheat / "train.csv")
    _repo(wheat, _spec("1.0.0", {"wheat": {"definition": "A wheat head."}}), "train.csv")
    (wheat / "pyproject.toml").write_text(
        '[tool.labellint]\ndatasets = [{path = "train.csv", reader = "box_csv", options = {class_name = "wheat"}}]\n'
    )
    subprocess.run(["git", "commit", "-q", "-am", "class name"], cwd=wheat, check=True)
    v2 = {"wheat head": {"definition": "A wheat head.", "aliases": ["wheat"]}}
    (wheat / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="wheat renamed wheat head"))
    refused = run_cli("migrate", cwd=wheat)
    assert refused.exit_code == 2 and "train.csv:1: the table has no class column" in refused.stderr
    assert "`class_name`" in refused.stderr and "Traceback" not in refused.output
