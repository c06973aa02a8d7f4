"""`labellint log`/`diff` on the real TACO history, each step checked against what its commit says."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

# The four releases of data/annotations.json in pedropro/TACO, with their commit messages.
VERSIONS = [
    ("annotations_v1_a56f6cb.json", "Official release v1"),
    ("annotations_v2_a35e944.json", "Adding cigarette butts and merging subcats under plastic bags"),
    ("annotations_v3_1e4d24a.json", "Fix to upside down images"),
    ("annotations_v4_508da01.json", "Adding 785 image annotations and correcting bbox y coord"),
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def taco(tmp_path_factory) -> tuple[Path, list[dict], list[str]]:
    folder = shared_path("data", "coco", "taco")
    repo = tmp_path_factory.mktemp("taco")
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    (repo / "pyproject.toml").write_text('[tool.labellint]\ndatasets = [{path = "data/annotations.json"}]\n')
    (repo / "data").mkdir()
    documents, shas = [], []
    for name, message in VERSIONS:
        shutil.copy(folder / name, repo / "data" / "annotations.json")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", message)
        shas.append(_git(repo, "rev-parse", "HEAD").strip())
        documents.append(json.loads((folder / name).read_text()))
    return repo, documents, shas


@pytest.fixture(scope="module")
def log_blocks(taco) -> dict[str, dict]:
    repo, _documents, _shas = taco
    result = run_cli("log", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output + result.stderr
    blocks = json.loads(result.stdout)
    return {block["message"]: block for block in blocks}


# ----------------------------------------------------------------------------- independent truth


def _polygon_pairs(before: dict, after: dict) -> list[tuple[dict, dict]]:
    """Old and new annotation records with the same image (by file name) and the same polygon."""
    files_a = {im["id"]: im["file_name"] for im in before["images"]}
    files_b = {im["id"]: im["file_name"] for im in after["images"]}
    waiting: dict[tuple, list[dict]] = {}
    for ann in after["annotations"]:
        waiting.setdefault((files_b[ann["image_id"]], json.dumps(ann["segmentation"])), []).append(ann)
    pairs = []
    for ann in before["annotations"]:
        candidates = waiting.get((files_a[ann["image_id"]], json.dumps(ann["segmentation"])))
        if candidates:
            pairs.append((ann, candidates.pop(0)))
    return pairs


def _names(document: dict) -> dict[int, str]:
    return {c["id"]: c["name"] for c in document["categories"]}


def _transitions(before: dict, after: dict, pairs) -> Counter:
    names_a, names_b = _names(before), _names(after)
    return Counter(
        (names_a[a["category_id"]], names_b[b["category_id"]])
        for a, b in pairs
        if names_a[a["category_id"]] != names_b[b["category_id"]]
    )


# ----------------------------------------------------------------------------- the steps


def test_log_lists_every_commit_newest_first(taco, log_blocks) -> None:
    repo, _documents, shas = taco
    result = run_cli("log", "--format", "json", cwd=repo)
    assert [block["commit"] for block in json.loads(result.stdout)] == shas[::-1]
    first = log_blocks[VERSIONS[0][1]]["diff"]
    assert first["annotations"]["added"] == 1827 and first["base"] == "(empty)"


def test_class_merge_with_every_id_reassigned(taco, log_blocks) -> None:
    _repo, documents, _shas = taco
    before, after = documents[0], documents[1]
    diff = log_blocks[VERSIONS[1][1]]["diff"]
    names_a, names_b = set(_names(before).values()), set(_names(after).values())
    assert (len(names_a), len(names_b)) == (63, 60)
    # Ids are no guide: the file re-ids its annotations, so matching must have used content.
    assert diff["matching"]["ids_trusted"] is False
    pairs = _polygon_pairs(before, after)
    # Cigarette butts were added, nothing was deleted.
    assert diff["annotations"]["added"] == len(after["annotations"]) - len(before["annotations"]) == 325
    assert diff["annotations"]["removed"] == 0
    expected = _transitions(before, after, pairs)
    assert {(t["from"], t["to"]): t["count"] for t in diff["transitions"]} == dict(expected)
    assert diff["annotations"]["relabeled"] == sum(expected.values())
    # The merged subcategories are exactly the class names that disappeared.
    merged_from = {name for merge in diff["class_changes"]["merged"] for name in merge["from"]}
    assert merged_from == names_a - names_b
    assert diff["class_changes"]["added"] == sorted(names_b - names_a) == ["Cigarette"]
    assert diff["classes"]["Cigarette"] == {"base": 0, "head": 325}
    # Four old annotations whose polygon changed are matched as moved, not removed and added.
    unmatched = len(before["annotations"]) - len(pairs)
    assert diff["annotations"]["moved"] == unmatched
    assert diff["annotations"]["unchanged"] == len(pairs) - sum(expected.values())


def test_fix_of_upside_down_images_moves_only_those_boxes(taco, log_blocks) -> None:
    _repo, documents, _shas = taco
    before, after = documents[1], documents[2]
    diff = log_blocks[VERSIONS[2][1]]["diff"]
    old = {a["id"]: a for a in before["annotations"]}
    changed = [
        a
        for a in after["annotations"]
        if (a["bbox"], a["segmentation"]) != (old[a["id"]]["bbox"], old[a["id"]]["segmentation"])
    ]
    assert len(changed) == 28
    assert diff["annotations"] == {
        "added": 0,
        "removed": 0,
        "relabeled": 0,
        "moved": 28,
        "attributes_changed": 0,
        "unchanged": len(before["annotations"]) - 28,
    }
    assert diff["matching"]["ids_trusted"] is True
    assert diff["items"]["changed"] == len({a["image_id"] for a in changed})
    assert diff["transitions"] == [] and not any(diff["class_changes"].values())
    moved_ids = {c["annotation_head"] for c in diff["changes"] if c["change"] == ["moved"]}
    assert moved_ids == {str(a["id"]) for a in changed}


def test_large_addition_with_corrected_boxes_and_two_renames(taco, log_blocks) -> None:
    _repo, documents, _shas = taco
    before, after = documents[2], documents[3]
    diff = log_blocks[VERSIONS[3][1]]["diff"]
    files_a = {im["file_name"] for im in before["images"]}
    files_b = {im["file_name"] for im in after["images"]}
    assert diff["items"]["added"] == len(files_b - files_a) == 785
    assert diff["items"]["removed"] == 0
    # Every old polygon is still there; the image ids and annotation ids were renumbered.
    pairs = _polygon_pairs(before, after)
    assert len(pairs) == len(before["annotations"])
    assert diff["annotations"]["added"] == len(after["annotations"]) - len(before["annotations"])
    assert diff["annotations"]["removed"] == 0
    # "correcting bbox y coord": the boxes of the old annotations changed, their polygons did not.
    box_changed = sum(a["bbox"] != b["bbox"] for a, b in pairs)
    assert box_changed >= len(before["annotations"]) - 2
    assert diff["annotations"]["moved"] == box_changed
    # Two categories renamed: their annotations are relabelled from the old name to the new one.
    renamed_from = set(_names(before).values()) - set(_names(after).values())
    renamed_to = set(_names(after).values()) - set(_names(before).values())
    assert len(renamed_from) == len(renamed_to) == 2
    assert {r["from"] for r in diff["class_changes"]["renamed"]} == renamed_from
    assert {r["to"] for r in diff["class_changes"]["renamed"]} == renamed_to
    expected = _transitions(before, after, pairs)
    assert {(t["from"], t["to"]): t["count"] for t in diff["transitions"]} == dict(expected)
    assert {f for f, _t in expected} == renamed_from


def test_diff_of_two_revisions_equals_the_log_block(taco, log_blocks) -> None:
    repo, _documents, shas = taco
    result = run_cli("diff", shas[1], shas[2], "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    block = log_blocks[VERSIONS[2][1]]["diff"]
    for key in ("items", "annotations", "transitions", "classes"):
        assert document[key] == block[key]
    assert set(document) >= {"schema_version", "base", "head", "items", "annotations", "transitions", "classes", "spec"}


def test_mass_relabel_fires_on_the_renames_when_the_threshold_is_low(taco) -> None:
    repo, _documents, shas = taco
    result = run_cli("diff", shas[2], shas[3], "--max-relabel", "0.1", cwd=repo)
    assert result.exit_code == 1
    assert "LL505" in result.stdout and "Plastic drink bottle -> Clear plastic bottle" in result.stdout
    assert run_cli("diff", shas[2], shas[3], cwd=repo).exit_code == 0  # 14% < the default 20%
    assert run_cli("diff", shas[2], shas[3], "--max-relabel", "0.1", "--exit-zero", cwd=repo).exit_code == 0


def test_markdown_counts_each_changed_annotation_once(taco) -> None:
    # v3 -> v4 moves nearly every box and relabels some of those same boxes (two renames).
    repo, documents, shas = taco
    result = run_cli("diff", shas[2], shas[3], "--format", "markdown", cwd=repo)
    assert result.exit_code in (0, 1), result.output
    row = next(line for line in result.stdout.splitlines() if line.startswith("| annotations |"))
    added, removed, changed, unchanged = (int(cell) for cell in row.strip("|").split("|")[1:])
    base = len(documents[2]["annotations"])
    assert added == len(documents[3]["annotations"]) - base + removed
    assert changed + unchanged + removed == base
    document = json.loads(run_cli("diff", shas[2], shas[3], "--format", "json", cwd=repo).stdout)
    counts = document["annotations"]
    assert counts["relabeled"] + counts["moved"] > changed  # some annotations were both
