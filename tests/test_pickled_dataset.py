"""A Dataset pickles (its line locators re-read the file instead of holding its bytes), and the
lines found after a round trip are the lines found before, from the work tree and from git."""

from __future__ import annotations

import json
import pickle
import subprocess
from pathlib import Path

from conftest import REPO_ROOT, shared_path
from helpers import working_directory

from labellint.commands.labels import LabelSelection, read_dataset
from labellint.engine import run_rules
from labellint.rules.base import CHECK_SCOPES, RuleContext
from labellint.settings.config import Config
from labellint.settings.policy import Overrides, build_policy
from labellint.sources import GitRevision, WorkTree


def _check(dataset) -> list[tuple]:
    policy = build_policy(Config(), Overrides(select=["ALL"]))
    report = run_rules(policy.rules_in(CHECK_SCOPES), RuleContext(dataset=dataset, spec=None))
    return [(p.code, p.location.path, p.location.pointer, p.location.line, p.location.column) for p in report.problems]


def _read(paths: list[str], source) -> object:
    dataset, crashes = read_dataset(LabelSelection(paths=paths), Config(), None, source)
    assert crashes == []
    return dataset


def _first_line(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_coco_labelstudio_and_labelme_datasets_pickle_and_find_the_same_lines() -> None:
    coco = shared_path("data", "coco", "taco")
    labelstudio = shared_path("data", "labelstudio", "ls_converter_fixtures")
    labelme = REPO_ROOT / "rules" / "LL002-invalid-structure" / "bad" / "labelme"
    for folder in (coco, labelstudio, labelme, REPO_ROOT / "rules" / "LL003-duplicate-id" / "bad"):
        with working_directory(folder):
            dataset = _read(["."], WorkTree())
            readers = {f.reader for f in dataset.files}
            shipped = pickle.dumps(dataset)
            # Pickled by reference, never by value: the file's bytes do not travel with it.
            assert all(len(pickle.dumps(f.locator)) < 1024 for f in dataset.files if f.locator is not None)
            before, after = _check(dataset), _check(pickle.loads(shipped))
        assert readers & {"coco", "labelstudio", "labelme"}, folder
        assert after == before, folder
        if folder.name == "bad":
            assert any(line for _, _, pointer, line, _ in before if pointer), "no pointer got its line"


def test_a_file_changed_after_reading_gets_no_line_rather_than_a_wrong_one(tmp_path: Path) -> None:
    images = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]
    anns = [{"id": 7, "image_id": 1, "category_id": 1, "bbox": [0, 0, 2, 2]}] * 2  # LL003 on the second
    path = tmp_path / "labels.json"
    document = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}
    path.write_text(json.dumps(document, indent=1))
    with working_directory(tmp_path):
        dataset = _read(["labels.json"], WorkTree())
        duplicate = [p for p in _check(dataset) if p[0] == "LL003"]
        second = [n for n, line in enumerate(path.read_text().splitlines(), 1) if '"id": 7' in line][1]
        assert duplicate and duplicate[0][3] == second - 1  # the second record's `{`
        path.write_text("{\n" + path.read_text()[1:] + "\n")  # one more line: the old lines are wrong now
        changed = [p for p in _check(pickle.loads(pickle.dumps(dataset))) if p[0] == "LL003"]
    assert changed and changed[0][3] is None and changed[0][2] == duplicate[0][2]


def test_a_dataset_read_at_a_git_revision_finds_lines_from_the_blob(tmp_path: Path) -> None:
    images = [{"id": 1, "file_name": "a.jpg", "width": 10, "height": 10}]
    anns = [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [0, 0, 50, 2]}]  # LL201: out of bounds
    text = json.dumps({"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}]}, indent=2)
    (tmp_path / "labels.json").write_text(text)
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, check=True)
    (tmp_path / "labels.json").write_text("{}")  # the work tree no longer has it: lines must come from git
    with working_directory(tmp_path):
        dataset = _read(["labels.json"], GitRevision(tmp_path, "HEAD"))
        found = [p for p in _check(pickle.loads(pickle.dumps(dataset))) if p[0] == "LL201"]
    assert found and found[0][3] == _first_line(text, '"image_id"') - 2  # the annotation object's `{`
