"""Adopting labellint on a messy dataset: baselines, stable fingerprints, --new-since, accepted exceptions."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

BCCD_SPEC = """\
spec: 1
name: bccd
version: 1.0.0
task: detection
classes:
  RBC: {id: 1, definition: A red blood cell.}
  WBC: {id: 2, definition: A white blood cell.}
  Platelets: {id: 3, definition: A platelet.}
unsure: {attribute: unsure}
geometry:
  min_width: 20
  min_height: 20
  aspect_ratio: [0.5, 2]
  duplicate_iou: 0.7
  conflict_iou: 0.7
"""


@pytest.fixture
def bccd(tmp_path: Path) -> Path:
    """The real BCCD VOC annotations (364 files) with a strict spec: dozens of problems."""
    shutil.copytree(shared_path("data", "voc", "bccd", "BCCD", "Annotations"), tmp_path / "Annotations")
    (tmp_path / ".git").mkdir()
    (tmp_path / "labelspec.yaml").write_text(BCCD_SPEC)
    return tmp_path


def test_baseline_makes_the_next_run_clean_and_a_new_defect_fails(bccd: Path) -> None:
    before = run_cli("check", "Annotations", "--format", "json", cwd=bccd)
    problems = problems_of(before)
    assert before.exit_code == 1 and len(problems) >= 30
    assert {"LL204", "LL205", "LL402"} <= {p["code"] for p in problems}

    made = run_cli("check", "Annotations", "--baseline", "baseline.json", "--update-baseline", cwd=bccd)
    assert made.exit_code == 0, made.output
    document = json.loads((bccd / "baseline.json").read_text())
    assert len(document["problems"]) == len(problems)
    assert not list(bccd.glob(".baseline.json.*"))  # the atomic write left no temp file

    clean = run_cli("check", "Annotations", "--baseline", "baseline.json", cwd=bccd)
    assert clean.exit_code == 0, clean.output
    assert "All checks passed" in clean.stdout
    assert f"{len(problems)} problems hidden by the baseline" in clean.stderr

    # One new defect: a box past the right edge of a real file.
    target = bccd / "Annotations" / "BloodImage_00000.xml"
    text = target.read_text()
    width = int(text.split("<width>")[1].split("<")[0])
    first_xmax = text.split("<xmax>")[1].split("<")[0]
    target.write_text(text.replace(f"<xmax>{first_xmax}</xmax>", f"<xmax>{width + 50}</xmax>", 1))
    failed = run_cli("check", "Annotations", "--baseline", "baseline.json", "--format", "json", cwd=bccd)
    assert failed.exit_code == 1
    new = problems_of(failed)
    assert [(p["path"], p["code"]) for p in new if p["severity"] == "error"] == [
        ("Annotations/BloodImage_00000.xml", "LL201")
    ]


def test_stale_baseline_entries_are_reported(bccd: Path) -> None:
    run_cli("check", "Annotations", "--baseline", "b.json", "--update-baseline", cwd=bccd)
    # Fix two defects: delete the files that hold them.
    baseline = json.loads((bccd / "b.json").read_text())["problems"]
    fixed_file = next(e["path"] for e in baseline if e["code"] == "LL205")
    removed = sum(1 for e in baseline if e["path"] == fixed_file)
    (bccd / fixed_file).unlink()
    result = run_cli("check", "Annotations", "--baseline", "b.json", cwd=bccd)
    assert result.exit_code == 0
    entries = "1 baseline entry no longer occurs" if removed == 1 else f"{removed} baseline entries no longer occur"
    assert entries in result.stderr


def test_baseline_matches_from_another_working_directory(bccd: Path) -> None:
    run_cli("check", "Annotations", "--baseline", "b.json", "--update-baseline", cwd=bccd)
    result = run_cli("check", ".", "--baseline", "../b.json", cwd=bccd / "Annotations")
    assert result.exit_code == 0, result.output
    assert "All checks passed" in result.stdout


def test_bad_baseline_file_is_one_clear_line(bccd: Path) -> None:
    (bccd / "b.json").write_text("{not json")
    result = run_cli("check", "Annotations", "--baseline", "b.json", cwd=bccd)
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "b.json: cannot read the baseline" in result.stderr
    missing = run_cli("check", "Annotations", "--baseline", "nope.json", cwd=bccd)
    assert missing.exit_code == 2 and "--update-baseline" in missing.stderr
    assert run_cli("check", "Annotations", "--update-baseline", cwd=bccd).exit_code == 2


# ------------------------------------------------------------------------------------- fingerprints
def _fingerprints(folder: Path, *paths: str) -> list[tuple[str, str]]:
    # Every rule of the file, structure, class, geometry and spec families (LL405, an opt-in spec
    # maturity target, left out: these specs have no edge cases on purpose).
    selection = ("--select", "LL0,LL1,LL2,LL4", "--ignore", "LL405")
    result = run_cli("check", *paths, *selection, "--baseline", "b.json", "--update-baseline", cwd=folder)
    assert result.exit_code == 0, result.output
    return sorted((e["code"], e["fingerprint"]) for e in json.loads((folder / "b.json").read_text())["problems"])


def test_fingerprints_survive_reformatting_and_reordering_coco(tmp_path: Path) -> None:
    taco = json.loads(shared_path("data", "coco", "taco", "annotations_v4_508da01.json").read_text())
    (tmp_path / ".git").mkdir()
    names = {c["name"] for c in taco["categories"]}
    classes = "".join(f"  {json.dumps(n)}: {{definition: x}}\n" for n in sorted(names))
    (tmp_path / "labelspec.yaml").write_text(
        f"spec: 1\nversion: 1.0.0\nclasses:\n{classes}geometry: {{min_width: 30, min_height: 30}}\n"
    )
    path = tmp_path / "taco.json"
    path.write_text(json.dumps(taco))
    original = _fingerprints(tmp_path, "taco.json")
    assert len(original) > 100

    shuffled = dict(taco)
    rng = random.Random(4)
    shuffled["annotations"] = rng.sample(taco["annotations"], len(taco["annotations"]))
    shuffled["images"] = rng.sample(taco["images"], len(taco["images"]))
    path.write_text(json.dumps(shuffled, indent=3, sort_keys=True))  # every line number changes
    assert _fingerprints(tmp_path, "taco.json") == original


def test_fingerprints_survive_reformatting_and_reordering_voc(bccd: Path) -> None:
    original = _fingerprints(bccd, "Annotations")
    for xml in (bccd / "Annotations").glob("*.xml"):
        text = xml.read_text()
        # Reverse the order of the objects and re-indent: boxes keep identity, lines move.
        head, *objects = text.split("<object>")
        if len(objects) < 2:
            continue
        tail = objects[-1].split("</object>", 1)[1]
        objects[-1] = objects[-1].split("</object>", 1)[0] + "</object>"
        body = ["<object>" + o.strip() for o in reversed(objects)]
        xml.write_text(head + "\n\n".join(body) + tail)
    assert _fingerprints(bccd, "Annotations") == original


# ------------------------------------------------------------------------------------- accepted exceptions
IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}


def test_accepted_exceptions_in_the_spec(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write_coco(
        tmp_path / "l.json",
        [IMAGE, {**IMAGE, "id": 2}],
        [
            {"id": 10, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]},
            {"id": 11, "image_id": 2, "category_id": 3, "bbox": [600, 10, 100, 50]},
        ],
    )
    accepted = (
        "ignore:\n"
        "  - {code: LL201, item: 1, annotation: 10, reason: the car really is cut by the frame edge}\n"
        "  - {code: bbox-too-small, item: 2, reason: stale entry}\n"
    )
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT + accepted)
    result = run_cli("check", "l.json", "--format", "json", "--select", "LL2", cwd=tmp_path)
    assert [(p["code"], p["item"]) for p in problems_of(result)] == [("LL201", "2")]
    assert "labelspec.yaml:" in result.stderr and "accepted exception bbox-too-small on item '2'" in result.stderr

    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT + "ignore:\n  - {code: LL201, item: 1}\n")
    missing = run_cli("check", "l.json", cwd=tmp_path)
    assert missing.exit_code == 2
    assert "reason" in missing.stderr and "labelspec.yaml:" in missing.stderr


# ------------------------------------------------------------------------------------- --new-since
def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_new_since_reports_only_problems_absent_at_the_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "labelspec.yaml").write_text(SPEC_TEXT)
    old = [{"id": i, "image_id": 1, "category_id": 3, "bbox": [600, 10 + i, 100, 50]} for i in range(1, 6)]
    write_coco(repo / "labels" / "a.json", [IMAGE], old)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "messy labels")

    # Reformat and reorder the old records, and add one new defect.
    new_defect = {"id": 99, "image_id": 1, "category_id": 1, "bbox": [10, 10, 3, 300]}
    write_coco(repo / "labels" / "a.json", [IMAGE], [*reversed(old), new_defect])
    everything = problems_of(run_cli("check", "labels", "--format", "json", "--select", "LL2", cwd=repo))
    assert len(everything) > 1
    result = run_cli("check", "labels", "--format", "json", "--select", "LL2", "--new-since", "HEAD", cwd=repo)
    new = problems_of(result)
    assert new and {p["annotation"] for p in new} == {"99"}
    assert len(new) == sum(1 for p in everything if p["annotation"] == "99")
    assert f"{len(everything) - len(new)} older problems hidden" in result.stderr
    # The work tree, index and refs are untouched.
    assert "a.json" in _git(repo, "status", "--porcelain")

    # Labels that did not exist at the revision: everything is new.
    _git(repo, "commit", "-q", "-am", "more")
    write_coco(repo / "labels" / "b.json", [IMAGE], old)
    b = run_cli("check", "labels/b.json", "--format", "json", "--new-since", "HEAD", cwd=repo)
    plain = run_cli("check", "labels/b.json", "--format", "json", cwd=repo)
    assert len(problems_of(b)) == len(problems_of(plain)) > 0

    bad = run_cli("check", "labels", "--new-since", "no-such-rev", cwd=repo)
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_fingerprint_of_a_problem_shown_at_a_first_use_survives_reordering(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    annotations = [{"id": i, "image_id": 1, "category_id": 9, "bbox": [10 * i, 10, 5, 9]} for i in range(1, 5)]
    categories = [{"id": 1, "name": "pedestrian"}, {"id": 9, "name": "scooter"}]
    write_coco(tmp_path / "l.json", [IMAGE], annotations, categories)
    first = _fingerprints(tmp_path, "l.json")
    write_coco(tmp_path / "l.json", [IMAGE], list(reversed(annotations)), categories)
    again = _fingerprints(tmp_path, "l.json")
    assert [code for code, _ in first] == ["LL101"]
    assert again == first
