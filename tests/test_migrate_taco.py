"""`migrate` on the real TACO history: v1's labels migrated to v2's spec match the real v2 file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

V1, V2 = "annotations_v1_a56f6cb.json", "annotations_v2_a35e944.json"
# The commit "merging subcats under plastic bags": where each v1 subcategory's annotations went in v2.
MERGES = {"Plastic Film": ["Produce bag", "Cereal bag", "Bread bag"], "Other plastic wrapper": ["Retort pouch"]}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _spec(document: dict, version: str, merges: dict[str, list[str]], changelog: list[tuple[str, str]]) -> str:
    """A spec with one class per category (its id, a definition), merged classes as aliases."""
    lines = ["spec: 1", "name: taco", f"version: {version}", "task: segmentation", "classes:"]
    for category in document["categories"]:
        name = category["name"]
        lines += [f"  {json.dumps(name)}:", f"    id: {category['id']}"]
        definition = f"Litter of the TACO category {name} ({category['supercategory']})."
        lines.append(f"    definition: {json.dumps(definition)}")
        if name in merges:
            lines.append(f"    aliases: {json.dumps(merges[name])}")
    lines.append("changelog:")
    lines += [f"  - version: {v}\n    changes: {json.dumps(text)}" for v, text in changelog]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def taco(tmp_path_factory):
    """A repository whose first commit holds v1 with a v1 spec; the work tree has the v2 spec."""
    folder = shared_path("data", "coco", "taco")
    v1, v2 = (json.loads((folder / name).read_text()) for name in (V1, V2))
    repo = tmp_path_factory.mktemp("taco-migrate")
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    (repo / "pyproject.toml").write_text('[tool.labellint]\ndatasets = [{path = "data/annotations.json"}]\n')
    (repo / "data").mkdir()
    shutil.copy(folder / V1, repo / "data" / "annotations.json")
    first = [("1.0.0", "Official release v1")]
    (repo / "labelspec.yaml").write_text(_spec(v1, "1.0.0", {}, first))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "v1")
    second = [*first, ("2.0.0", "Adding cigarette butts and merging subcats under plastic bags")]
    (repo / "labelspec.yaml").write_text(_spec(v2, "2.0.0", MERGES, second))
    return repo, folder, v1, v2


def _masked(text: str) -> str:
    """The text without the categories array and with every `category_id` value blanked."""
    start = text.index('"categories": [')
    end = text.index("]", text.index("}]", start)) + 1
    return re.sub(r'"category_id": -?\d+', '"category_id": #', text[:start] + text[end:])


def _problem_counts(repo: Path) -> Counter:
    result = run_cli("check", "--format", "json", cwd=repo)
    return Counter(p["code"] for p in json.loads(result.stdout)["problems"])


def test_dry_run_shows_the_relabels_and_writes_nothing(taco) -> None:
    repo, folder, _v1, _v2 = taco
    result = run_cli("migrate", "--dry-run", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output + result.stderr
    report = json.loads(result.stdout)
    assert report["written"] is False
    assert (repo / "data" / "annotations.json").read_bytes() == (folder / V1).read_bytes()
    diff = report["diff"]
    assert diff["annotations"]["relabeled"] == 8 and diff["annotations"]["added"] == 0
    assert {(t["from"], t["to"]): t["count"] for t in diff["transitions"]} == {
        ("Produce bag", "Plastic Film"): 4,
        ("Retort pouch", "Other plastic wrapper"): 2,
        ("Bread bag", "Plastic Film"): 1,
        ("Cereal bag", "Plastic Film"): 1,
    }


def test_migrated_v1_is_v2_without_its_additions(taco) -> None:
    repo, folder, v1, v2 = taco
    before_check = _problem_counts(repo)
    result = run_cli("migrate", cwd=repo)
    assert result.exit_code == 0, result.output + result.stderr
    assert "8 relabelled" in result.stdout
    text = (repo / "data" / "annotations.json").read_text()
    migrated = json.loads(text)
    # The categories are v2's, except the class v2 added; ids follow the new spec.
    assert migrated["categories"] == [c for c in v2["categories"] if c["name"] != "Cigarette"]
    # Each annotation keeps its class, or takes the class its class was merged into; nothing else moves.
    into = {source: target for target, sources in MERGES.items() for source in sources}
    names_v1 = {c["id"]: c["name"] for c in v1["categories"]}
    names_new = {c["id"]: c["name"] for c in migrated["categories"]}
    expected = [into.get(names_v1[a["category_id"]], names_v1[a["category_id"]]) for a in v1["annotations"]]
    assert [names_new[a["category_id"]] for a in migrated["annotations"]] == expected
    # Every other byte is the original file's.
    assert _masked(text) == _masked((folder / V1).read_text())
    # The spec change is consistent, and check finds no class problem (the geometry ones were there before).
    spec_check = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert spec_check.exit_code == 0, spec_check.output
    after_check = _problem_counts(repo)
    assert not [code for code in after_check if code.startswith("LL1") or code == "LL004"]
    assert {c: n for c, n in after_check.items() if c.startswith("LL2")} == {
        c: n for c, n in before_check.items() if c.startswith("LL2")
    }
    # Migrating again changes nothing.
    again = run_cli("migrate", "--format", "json", cwd=repo)
    assert [f["changed"] for f in json.loads(again.stdout)["files"]] == [False]


def test_diff_to_the_real_v2_shows_only_what_v2_added(taco) -> None:
    repo, folder, _v1, v2 = taco
    if (repo / "data" / "annotations.json").read_bytes() == (folder / V1).read_bytes():
        assert run_cli("migrate", cwd=repo).exit_code == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "migrate to spec 2.0.0")
    shutil.copy(folder / V2, repo / "data" / "annotations.json")
    try:
        result = run_cli("diff", "HEAD", "--format", "json", cwd=repo)
        diff = json.loads(result.stdout)
        assert diff["annotations"]["relabeled"] == 0
        assert diff["transitions"] == []
        assert diff["annotations"]["removed"] == 0
        cigarettes = sum(1 for a in v2["annotations"] if a["category_id"] == 59)
        assert diff["annotations"]["added"] == cigarettes == 325
        assert diff["class_changes"]["added"] == ["Cigarette"]
    finally:
        _git(repo, "checkout", "-q", "--", "data/annotations.json")
