"""Spec versioning end to end in real git repositories: every change kind's bump, `spec check`,
`spec bump` (byte for byte), `spec diff` wording, LL503 stale labels, LL504 golden set, `spec affected`."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_cli, write_coco

BASE_SPEC = """\
# Street scenes: what every label MEANS.
spec: 1
name: street
version: 1.2.0   # bump on any change of meaning
task: detection
decision: Box every road user the planner must yield to.
classes:
  pedestrian:
    id: 1
    definition: A person on foot.
    include: [walker, jogger, person pushing a stroller]
    exclude: [cyclist on a bike, statue, poster]
    aliases: [person]
    geometry: {min_width: 4, min_height: 8, aspect_ratio: [0.1, 2.0]}
  cyclist:
    id: 2
    definition: A person riding a bicycle.
    include: [rider, child in a bike seat, e-scooter rider]
    exclude: [parked bike, pedestrian, motorcyclist]
  car:
    id: 3
    definition: A passenger vehicle.
    include: [sedan, taxi, hatchback]
    exclude: [toy car, poster, trailer]
  van:
    id: 4
    definition: A boxy goods vehicle.
    include: [delivery van, panel van, camper]
    exclude: [minibus, truck, ambulance]
  traffic_light:
    id: 5
    include: [red light, green light, arrow light]
    exclude: [street lamp, brake light, neon sign]
attributes:
  occluded: {type: boolean}
  weather: {enum: [dry, wet]}
edge_cases:
  - id: occlusion
    rule: Box only if at least 30% is visible.
    classes: [pedestrian, cyclist]
  - id: reflections
    rule: Do not box reflections in windows or puddles.
    examples: [pedestrian reflected in a shop window]
priority:
  - [cyclist, pedestrian]   # a person on a bike is a cyclist
unsure:
  attribute: unsure
  criteria: [heavy motion blur]
geometry:
  min_width: 2
  min_height: 2
  duplicate_iou: 0.9
golden: golden/
changelog:
  # newest first
  - {version: 1.2.0, changes: Added the camper include example to van.}
  - {version: 1.0.0, changes: First release.}
"""

VAN_BLOCK = """\
  van:
    id: 4
    definition: A boxy goods vehicle.
    include: [delivery van, panel van, camper]
    exclude: [minibus, truck, ambulance]
"""
UNSURE_BLOCK = "unsure:\n  attribute: unsure\n  criteria: [heavy motion blur]\n"
PRIORITY_LINE = "  - [cyclist, pedestrian]   # a person on a bike is a cyclist\n"


def edit(old: str, new: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert text.count(old) == 1, f"the edit's anchor must occur once: {old!r}"
        return text.replace(old, new)

    return apply


def same(text: str) -> str:
    return text


# (kind, edit applied to BASE before the base commit, edit of the work tree, the bump DESIGN §3 asks)
CASES: list[tuple[str, str, Callable, Callable, str]] = [
    ("task-changed", "", same, edit("task: detection", "task: segmentation"), "major"),
    (
        "decision-changed",
        "",
        same,
        edit("the planner must yield to.", "the planner must yield to, and parked vehicles."),
        "major",
    ),
    ("decision-reworded", "", same, edit("Box every road user", "box every road-user"), "patch"),
    ("description-changed", "", same, edit("name: street\n", "name: street\ndescription: Dashcam frames.\n"), "patch"),
    ("name-changed", "", same, edit("name: street\n", "name: street-scenes\n"), "patch"),
    (
        "class-added",
        "",
        same,
        edit("attributes:\n", "  bus:\n    id: 6\n    definition: A vehicle for many passengers.\nattributes:\n"),
        "minor",
    ),
    ("class-removed", "", same, edit(VAN_BLOCK, ""), "major"),
    ("class-renamed", "", same, edit("  car:\n    id: 3", "  automobile:\n    id: 3"), "major"),
    (
        "class-merged",
        "",
        same,
        lambda t: edit(VAN_BLOCK, "")(
            edit("[sedan, taxi, hatchback]", "[sedan, taxi, hatchback]\n    aliases: [van]")(t)
        ),
        "major",
    ),
    (
        "class-split",
        "",
        same,
        edit(
            "  car:\n    id: 3\n",
            "  passenger_car:\n    aliases: [car]\n    id: 3\n  taxi_cab:\n    id: 9\n    aliases: [car]\n",
        ),
        "major",
    ),
    ("class-id-changed", "", same, edit("id: 4", "id: 7"), "major"),
    ("definition-changed", "", same, edit("A person on foot.", "A person on foot or on roller skates."), "major"),
    ("definition-reworded", "", same, edit("A passenger vehicle.", "A pasenger vehicle."), "patch"),
    (
        "definition-added",
        "",
        same,
        edit("    id: 5\n", "    id: 5\n    definition: A signal that controls traffic.\n"),
        "patch",
    ),
    ("example-added", "", same, edit("[walker, jogger,", "[walker, jogger, skateboarder,"), "patch"),
    ("example-removed", "", same, edit("[cyclist on a bike, statue, poster]", "[cyclist on a bike, poster]"), "major"),
    ("example-reworded", "", same, edit("[sedan, taxi, hatchback]", "[sedan, taxi, hatchbak]"), "patch"),
    ("alias-added", "", same, edit("aliases: [person]", "aliases: [person, human]"), "patch"),
    ("alias-removed", "", same, edit("aliases: [person]", "aliases: []"), "minor"),
    (
        "edge-case-added",
        "",
        same,
        edit("priority:\n", "  - id: night\n    rule: At night, box only what the headlights show.\npriority:\n"),
        "major",
    ),
    (
        "edge-case-removed",
        "",
        same,
        edit(
            "  - id: occlusion\n    rule: Box only if at least 30% is visible.\n    classes: [pedestrian, cyclist]\n",
            "",
        ),
        "major",
    ),
    ("edge-case-changed", "", same, edit("at least 30% is visible.", "at least half is visible."), "major"),
    (
        "edge-case-reworded",
        "",
        same,
        edit("Box only if at least 30% is visible.", "box only if at least 30% is visible"),
        "patch",
    ),
    ("edge-case-classes-changed", "", same, edit("classes: [pedestrian, cyclist]", "classes: [pedestrian]"), "major"),
    (
        "edge-case-example-added",
        "",
        same,
        edit("[pedestrian reflected in a shop window]", "[pedestrian reflected in a shop window, car in a puddle]"),
        "patch",
    ),
    ("edge-case-example-removed", "", same, edit("[pedestrian reflected in a shop window]", "[]"), "major"),
    ("priority-added", "", same, edit(PRIORITY_LINE, PRIORITY_LINE + "  - [van, car]\n"), "major"),
    ("priority-removed", "", same, edit("priority:\n" + PRIORITY_LINE, "priority: []\n"), "major"),
    ("priority-reversed", "", same, edit("[cyclist, pedestrian]   #", "[pedestrian, cyclist]   #"), "major"),
    ("unsure-added", "no-unsure", edit(UNSURE_BLOCK, ""), same, "minor"),
    ("unsure-removed", "", same, edit(UNSURE_BLOCK, ""), "major"),
    ("unsure-path-changed", "", same, edit("  attribute: unsure\n", "  class: unsure\n"), "major"),
    (
        "unsure-criteria-added",
        "",
        same,
        edit("[heavy motion blur]", "[heavy motion blur, smaller than the minimum size]"),
        "major",
    ),
    ("unsure-criteria-removed", "", same, edit("criteria: [heavy motion blur]", "criteria: []"), "major"),
    ("unsure-criteria-reworded", "", same, edit("[heavy motion blur]", "[heavy motion-blur]"), "patch"),
    (
        "attribute-added-optional",
        "",
        same,
        edit("attributes:\n", "attributes:\n  truncated: {type: boolean}\n"),
        "minor",
    ),
    (
        "attribute-added-required",
        "",
        same,
        edit("attributes:\n", "attributes:\n  truncated: {type: boolean, required: true}\n"),
        "major",
    ),
    ("attribute-removed", "", same, edit("  occluded: {type: boolean}\n", ""), "major"),
    (
        "attribute-made-required",
        "",
        same,
        edit("occluded: {type: boolean}", "occluded: {type: boolean, required: true}"),
        "major",
    ),
    (
        "attribute-made-optional",
        "required-occluded",
        edit("occluded: {type: boolean}", "occluded: {type: boolean, required: true}"),
        same,
        "minor",
    ),
    ("attribute-values-added", "", same, edit("enum: [dry, wet]", "enum: [dry, wet, snow]"), "minor"),
    ("attribute-schema-changed", "", same, edit("enum: [dry, wet]", "enum: [dry]"), "major"),
    (
        "attribute-description-changed",
        "",
        same,
        edit("occluded: {type: boolean}", "occluded: {type: boolean, description: More than half hidden.}"),
        "patch",
    ),
    ("geometry-tightened", "dataset-wide", same, edit("  min_width: 2\n", "  min_width: 3\n"), "major"),
    (
        "geometry-tightened",
        "per-class",
        same,
        edit("min_width: 4, min_height: 8", "min_width: 6, min_height: 8"),
        "major",
    ),
    (
        "geometry-tightened",
        "added",
        same,
        edit("  duplicate_iou: 0.9\n", "  duplicate_iou: 0.9\n  min_area: 16\n"),
        "major",
    ),
    ("geometry-loosened", "dataset-wide", same, edit("duplicate_iou: 0.9", "duplicate_iou: 0.95"), "minor"),
    ("geometry-loosened", "per-class", same, edit("aspect_ratio: [0.1, 2.0]", "aspect_ratio: [0.05, 2.0]"), "minor"),
    ("golden-changed", "", same, edit("golden: golden/", "golden: gold/"), "patch"),
]


# ----------------------------------------------------------------------------- git helpers
def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
    }
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def make_repo(root: Path, spec_text: str, files: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    (root / "labelspec.yaml").write_text(spec_text, encoding="utf-8")
    for name, text in (files or {}).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    commit(root, "base")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def spec_check_json(repo: Path, *extra: str):
    result = run_cli("spec", "check", "--base", "HEAD", "--format", "json", *extra, cwd=repo)
    return result, json.loads(result.stdout)


# ----------------------------------------------------------------------------- every change kind
@pytest.mark.parametrize(
    ("kind", "variant", "before", "after", "bump"), CASES, ids=[f"{c[0]}{'-' + c[1] if c[1] else ''}" for c in CASES]
)
def test_each_change_kind_needs_its_bump_and_spec_bump_satisfies_it(tmp_path, kind, variant, before, after, bump):
    base_text = before(BASE_SPEC)
    repo = make_repo(tmp_path / "repo", base_text)
    # `before` prepares the committed BASE (for kinds seen from the other side: unsure-added);
    # `after` edits the original text into the work tree.
    (repo / "labelspec.yaml").write_text(after(BASE_SPEC), encoding="utf-8")

    result, document = spec_check_json(repo)
    found = [c for c in document["changes"] if c["kind"] == kind]
    assert found, f"no {kind} change in {document['changes']}"
    assert {c["bump"] for c in found} == {bump}
    assert document["required"] == bump
    assert document["actual"] == "none"
    assert document["ok"] is False and result.exit_code == 1
    assert any(p["code"] == "LL501" for p in document["problems"])

    # The bump `spec bump` makes is the one required, with a changelog entry: now it passes.
    assert run_cli("spec", "bump", cwd=repo).exit_code == 0
    result, document = spec_check_json(repo)
    expected = {"major": "2.0.0", "minor": "1.3.0", "patch": "1.2.1"}[bump]
    assert document["head_version"] == expected
    assert (document["ok"], document["actual"], result.exit_code) == (True, bump, 0), document["problems"]


def test_no_change_of_meaning_needs_no_bump(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    # Comments, quoting and flow-vs-block style are text, not meaning.
    text = BASE_SPEC.replace("# newest first", "# newest entries first").replace(
        "include: [walker, jogger, person pushing a stroller]",
        "include:\n      - walker\n      - 'jogger'\n      - person pushing a stroller",
    )
    (repo / "labelspec.yaml").write_text(text, encoding="utf-8")
    result, document = spec_check_json(repo)
    assert (document["required"], document["changes"], document["ok"], result.exit_code) == ("none", [], True, 0)


# ----------------------------------------------------------------------------- under- and right bumps
def _bumped(text: str, version: str, entry: str | None) -> str:
    text = text.replace("version: 1.2.0   #", f"version: {version}   #")
    if entry:
        text = text.replace("  # newest first\n", f"  # newest first\n  - {{version: {version}, changes: {entry}}}\n")
    return text


@pytest.mark.parametrize(
    ("version", "entry", "exit_code", "codes"),
    [
        ("1.3.0", "Renamed car to automobile.", 1, ["LL501"]),  # minor for a rename: too small
        ("1.2.1", "Renamed car to automobile.", 1, ["LL501"]),
        ("2.0.0", None, 1, ["LL502"]),  # right bump, no changelog entry
        ("2.0.0", "TODO", 1, ["LL502"]),  # a placeholder is no entry
        ("1.1.0", "Renamed car to automobile.", 1, ["LL501"]),  # backwards
        ("2.0.0", "Renamed car to automobile.", 0, []),
        ("3.0.0", "Renamed car to automobile.", 0, []),  # more than needed is fine
    ],
)
def test_under_bumps_fail_and_a_right_bump_with_changelog_passes(tmp_path, version, entry, exit_code, codes):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    head = BASE_SPEC.replace("  car:\n    id: 3", "  automobile:\n    id: 3")
    (repo / "labelspec.yaml").write_text(_bumped(head, version, entry), encoding="utf-8")
    result, document = spec_check_json(repo)
    assert result.exit_code == exit_code
    assert [p["code"] for p in document["problems"]] == codes
    assert document["required"] == "major"
    text = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert text.exit_code == exit_code
    if codes:
        lines = (repo / "labelspec.yaml").read_text().splitlines()
        anchor = {"LL501": "version:", "LL502": "  - {version: 2.0.0" if entry else "changelog:"}[codes[0]]
        line = next(n for n, text in enumerate(lines, 1) if text.startswith(anchor))
        assert f"labelspec.yaml:{line}:" in text.stdout and f" {codes[0]} " in text.stdout


def test_zero_major_allows_breaking_changes_in_a_minor_bump(tmp_path):
    base = BASE_SPEC.replace("version: 1.2.0", "version: 0.4.0").replace("version: 1.2.0,", "version: 0.4.0,")
    repo = make_repo(tmp_path / "repo", base)
    head = base.replace("  car:\n    id: 3", "  automobile:\n    id: 3")
    (repo / "labelspec.yaml").write_text(
        head.replace("version: 0.4.0   #", "version: 0.5.0   #").replace(
            "  # newest first\n", "  # newest first\n  - {version: 0.5.0, changes: Renamed car.}\n"
        )
    )
    result, document = spec_check_json(repo)
    assert (document["required"], document["actual"], result.exit_code) == ("major", "minor", 0)


def test_policy_is_configurable_per_kind(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC, {"labellint.toml": '[spec-policy]\n"example-added" = "minor"\n'})
    (repo / "labelspec.yaml").write_text(edit("[walker, jogger,", "[walker, jogger, skater,")(BASE_SPEC))
    _, document = spec_check_json(repo)
    assert document["required"] == "minor"
    assert document["changes"] == [
        {
            "kind": "example-added",
            "where": "classes.pedestrian.include",
            "bump": "minor",
            "detail": "include example 'skater' was added to 'pedestrian'",
        }
    ]


def test_unknown_policy_kind_is_a_config_error(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC, {"labellint.toml": '[spec-policy]\n"example-add" = "minor"\n'})
    result = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert result.exit_code == 2
    assert "unknown spec change kind 'example-add' (did you mean 'example-added'?)" in result.stderr


def test_first_commit_has_nothing_to_compare(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "labelspec.yaml").write_text(BASE_SPEC)
    result = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "nothing to compare" in result.stderr


def test_unknown_base_revision_is_a_git_error(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    result = run_cli("spec", "check", "--base", "no-such-branch", cwd=repo)
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr


# ----------------------------------------------------------------------------- spec bump keeps bytes
def test_spec_bump_keeps_every_untouched_line_byte_for_byte(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    head = BASE_SPEC.replace("  car:\n    id: 3", "  automobile:\n    id: 3")
    (repo / "labelspec.yaml").write_bytes(head.encode())
    dry = run_cli("spec", "bump", "--dry-run", cwd=repo)
    assert dry.exit_code == 0 and "+version: 2.0.0   # bump on any change of meaning" in dry.stdout
    assert (repo / "labelspec.yaml").read_bytes() == head.encode()  # --dry-run writes nothing

    assert run_cli("spec", "bump", cwd=repo).exit_code == 0
    after = (repo / "labelspec.yaml").read_bytes().decode()
    old_lines, new_lines = head.splitlines(keepends=True), after.splitlines(keepends=True)
    operations = [op for op in difflib.SequenceMatcher(a=old_lines, b=new_lines).get_opcodes() if op[0] != "equal"]
    # Exactly two edits: the version line (its comment kept), and lines inserted above the first entry.
    assert [op[0] for op in operations] == ["replace", "insert"]
    _, i1, i2, j1, j2 = operations[0]
    assert old_lines[i1:i2] == ["version: 1.2.0   # bump on any change of meaning\n"]
    assert new_lines[j1:j2] == ["version: 2.0.0   # bump on any change of meaning\n"]
    _, i1, _, j1, j2 = operations[1]
    assert old_lines[i1] == "  - {version: 1.2.0, changes: Added the camper include example to van.}\n"
    inserted = "".join(new_lines[j1:j2])
    assert inserted.startswith("  - version: 2.0.0\n")
    assert "class 'car' was renamed to 'automobile' (same id 3)" in inserted
    untouched = [line for k, line in enumerate(old_lines) if k != operations[0][1]]
    assert [
        line for line in new_lines if line not in new_lines[j1:j2] and "version: 2.0.0   #" not in line
    ] == untouched
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


def test_spec_bump_keeps_crlf_and_quotes_and_adds_a_missing_changelog(tmp_path):
    text = 'spec: 1\r\nversion: "1.0.0"  # quoted\r\nclasses:\r\n  cat: {id: 1, definition: A cat.}\r\n'
    repo = make_repo(tmp_path / "repo", "")
    (repo / "labelspec.yaml").write_bytes(text.encode())
    commit(repo, "spec")
    (repo / "labelspec.yaml").write_bytes(text.replace("  cat:", "  dog: {id: 2}\r\n  cat:").encode())
    assert run_cli("spec", "bump", cwd=repo).exit_code == 0
    data = (repo / "labelspec.yaml").read_bytes()
    assert data.startswith(b'spec: 1\r\nversion: "1.1.0"  # quoted\r\nclasses:\r\n  dog: {id: 2}\r\n  cat:')
    assert b"\r\nchangelog:\r\n  - version: 1.1.0\r\n" in data
    assert b"\n" not in data.replace(b"\r\n", b"")


def test_spec_bump_with_nothing_to_do(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    result = run_cli("spec", "bump", cwd=repo)
    assert result.exit_code == 0 and "nothing to bump" in result.stdout
    assert (repo / "labelspec.yaml").read_text() == BASE_SPEC


def test_spec_bump_explicit_level(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    assert run_cli("spec", "bump", "--level", "minor", cwd=repo).exit_code == 0
    assert "version: 1.3.0   # bump on any change of meaning" in (repo / "labelspec.yaml").read_text()


# ----------------------------------------------------------------------------- spec diff wording
def test_spec_diff_explains_rename_merge_and_split_in_plain_words(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    head = BASE_SPEC.replace(
        "  car:\n    id: 3\n", "  passenger_car:\n    id: 3\n    aliases: [car]\n  cab:\n    id: 8\n"
    )
    head = head.replace(VAN_BLOCK, "")
    head = head.replace(
        "  traffic_light:\n", "  truck:\n    id: 4\n    definition: A goods vehicle, vans included.\n  traffic_light:\n"
    )
    head = head.replace(
        "  - {version: 1.2.0,",
        "  - {version: 2.0.0, changes: Split car into passenger_car and cab.}\n  - {version: 1.2.0,",
    )
    head = head.replace("  pedestrian:\n    id: 1\n", "  person:\n    id: 1\n")
    head = head.replace("[cyclist, pedestrian]", "[cyclist, person]").replace(
        "[pedestrian, cyclist]", "[person, cyclist]"
    )
    (repo / "labelspec.yaml").write_text(head)
    result = run_cli("spec", "diff", "HEAD", cwd=repo)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert (
        "class 'pedestrian' was renamed to 'person' (same id 1); label files that say 'pedestrian' must say 'person'"
        in out
    )
    assert (
        "class 'car' was split into 'passenger_car' and 'cab' (same id 3; the changelog says: Split car into "
        "passenger_car and cab.); every 'car' label must be relabelled as one of them" in out
    )
    assert "'van' was merged into the new class 'truck' (same id 4); their labels become 'truck'" not in out
    assert "class 'van' was renamed to 'truck' (same id 4)" in out
    # The rename is followed through: priority and edge cases naming the old name are not changes.
    assert "priority" not in out and "edge_cases" not in out


def test_merge_into_a_new_class_and_json_output(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    head = BASE_SPEC.replace(VAN_BLOCK, "").replace(
        "  car:\n    id: 3\n", "  vehicle:\n    id: 30\n    aliases: [car, van]\n"
    )
    (repo / "labelspec.yaml").write_text(head)
    text = run_cli("spec", "diff", "HEAD", cwd=repo).stdout
    assert (
        "'car' and 'van' were merged into the new class 'vehicle' ('vehicle' lists 'car' as an alias; 'vehicle' "
        "lists 'van' as an alias); their labels become 'vehicle'" in text
    )
    document = json.loads(run_cli("spec", "diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert document["required"] == "major" and document["base_version"] == "1.2.0"
    assert [c["kind"] for c in document["changes"]] == ["class-merged"]


def test_spec_diff_between_two_files_and_two_revisions(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    (repo / "labelspec.yaml").write_text(edit("task: detection", "task: segmentation")(BASE_SPEC))
    commit(repo, "segmentation")
    by_rev = json.loads(run_cli("spec", "diff", "HEAD~1", "HEAD", "--format", "json", cwd=repo).stdout)
    assert [c["kind"] for c in by_rev["changes"]] == ["task-changed"]
    (tmp_path / "a.yaml").write_text(BASE_SPEC)
    by_file = json.loads(
        run_cli("spec", "diff", "a.yaml", "repo/labelspec.yaml", "--format", "json", cwd=tmp_path).stdout
    )
    assert by_file["changes"] == by_rev["changes"]


# ----------------------------------------------------------------------------- LL503 and spec affected
def _images(n: int) -> list[dict]:
    return [{"id": i, "file_name": f"f{i}.jpg", "width": 640, "height": 480} for i in range(1, n + 1)]


def _annotations(pairs: list[tuple[int, int]]) -> list[dict]:
    return [
        {"id": k, "image_id": image, "category_id": cls, "bbox": [10, 10, 50, 80]}
        for k, (image, cls) in enumerate(pairs, 1)
    ]


CATEGORIES = [
    {"id": 1, "name": "pedestrian"},
    {"id": 2, "name": "cyclist"},
    {"id": 3, "name": "car"},
    {"id": 4, "name": "van"},
]


def test_stale_labels_from_config_and_coco_info(tmp_path):
    spec = BASE_SPEC.replace("version: 1.2.0   #", "version: 2.0.0   #").replace(
        "  # newest first\n", "  # newest first\n  - {version: 2.0.0, changes: Raised the minimum sizes.}\n"
    )
    (tmp_path / "labelspec.yaml").write_text(spec)
    (tmp_path / "labellint.toml").write_text(
        'spec = "labelspec.yaml"\n[[datasets]]\npath = "old/*.json"\nspec-version = "1.2.0"\n'
        '[[datasets]]\npath = "new/*.json"\nspec-version = "2.0.0"\n[[datasets]]\npath = "coco/*.json"\n'
    )
    pairs = [(1, 1), (2, 3)]
    write_coco(tmp_path / "old" / "a.json", _images(2), _annotations(pairs), CATEGORIES)
    write_coco(tmp_path / "new" / "b.json", _images(2), _annotations(pairs), CATEGORIES)
    document = {"info": {"spec_version": "1.0.0"}, "images": _images(2), "annotations": _annotations(pairs * 2)}
    document["categories"] = CATEGORIES
    (tmp_path / "coco").mkdir()
    (tmp_path / "coco" / "c.json").write_text(json.dumps(document, indent=1))
    result = run_cli("check", "--select", "LL503", "--format", "json", cwd=tmp_path)
    problems = json.loads(result.stdout)["problems"]
    assert result.exit_code == 1
    assert [(p["path"], p["line"]) for p in problems] == [("coco/c.json", 3), ("old/a.json", None)]
    assert problems[0]["message"].startswith("4 annotations were labelled under spec 1.0.0, but the spec is now 2.0.0")
    assert "(2.0.0: Raised the minimum sizes)" in problems[1]["message"]


def test_spec_affected_lists_only_items_with_touched_classes(tmp_path):
    pairs = [(1, 1), (1, 2), (2, 3), (3, 4), (4, 2), (5, 3), (5, 1)]  # (image, class)
    files = {"labellint.toml": 'spec = "labelspec.yaml"\n[[datasets]]\npath = "labels/*.json"\n'}
    repo = make_repo(tmp_path / "repo", BASE_SPEC, files)
    write_coco(repo / "labels" / "train.json", _images(5), _annotations(pairs), CATEGORIES)
    commit(repo, "labels")
    # A major change to car (definition) and a patch to pedestrian (an example): only car items are affected.
    head = edit("A passenger vehicle.", "A passenger vehicle, vans included.")(BASE_SPEC)
    (repo / "labelspec.yaml").write_text(edit("[walker, jogger,", "[walker, jogger, skater,")(head))
    document = json.loads(run_cli("spec", "affected", "--base", "HEAD", "--format", "json", cwd=repo).stdout)
    expected_items = sorted({str(image) for image, cls in pairs if cls == 3})
    assert sorted(i["item"] for i in document["items"]) == expected_items
    assert document["classes"] == ["car"] and document["total_items"] == 5
    text = run_cli("spec", "affected", "--base", "HEAD", cwd=repo).stdout
    assert text.strip().endswith("2 of 5 items to relabel since HEAD (1.2.0); classes: car")
    # A dataset-wide major change touches every annotated item.
    (repo / "labelspec.yaml").write_text(edit("task: detection", "task: segmentation")(BASE_SPEC))
    document = json.loads(run_cli("spec", "affected", "--base", "HEAD", "--format", "json", cwd=repo).stdout)
    assert len(document["items"]) == 5 and document["classes"] is None


# ----------------------------------------------------------------------------- LL504 golden set
def test_golden_set_change_needs_a_spec_change(tmp_path):
    golden = {"images": _images(2), "annotations": _annotations([(1, 1), (2, 3)]), "categories": CATEGORIES}
    files = {"golden/val.json": json.dumps(golden, indent=1)}
    repo = make_repo(tmp_path / "repo", BASE_SPEC, files)
    # Reformatting the golden file changes no label.
    (repo / "golden" / "val.json").write_text(json.dumps(golden, indent=4))
    assert spec_check_json(repo)[0].exit_code == 0
    golden["annotations"][1]["category_id"] = 4
    (repo / "golden" / "val.json").write_text(json.dumps(golden, indent=1))
    result, document = spec_check_json(repo)
    assert result.exit_code == 1
    assert [(p["code"], p["path"]) for p in document["problems"]] == [("LL504", "golden/val.json")]
    assert "1 annotation differs from HEAD" in document["problems"][0]["message"]
    # With a spec change that explains it (a patch bump and its changelog entry) it passes.
    (repo / "labelspec.yaml").write_text(_bumped(BASE_SPEC, "1.2.1", "Corrected golden image 2 (a van and not a car)."))
    assert spec_check_json(repo)[0].exit_code == 0


def test_check_against_a_branch_compares_with_the_merge_base(tmp_path):
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "labelspec.yaml").write_text(
        _bumped(edit("[walker, jogger,", "[walker, jogger, skater,")(BASE_SPEC), "1.2.1", "Added skater.")
    )
    commit(repo, "feature: an example")
    git(repo, "checkout", "-q", "main")
    # main moves on by itself (a minor release) after the branch point.
    (repo / "labelspec.yaml").write_text(_bumped(BASE_SPEC, "1.3.0", "Something else."))
    commit(repo, "main: 1.3.0")
    git(repo, "checkout", "-q", "feature")
    result = run_cli("spec", "check", "--base", "main", "--format", "json", cwd=repo)
    document = json.loads(result.stdout)
    assert (document["base_version"], document["required"], document["ok"]) == ("1.2.0", "patch", True)


def test_change_rules_find_nothing_in_a_plain_check(tmp_path):
    (tmp_path / "labelspec.yaml").write_text(BASE_SPEC)
    write_coco(tmp_path / "labels" / "a.json", _images(1), _annotations([(1, 1)]), CATEGORIES)
    result = run_cli("check", "labels", "--select", "LL501,LL502,LL504", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["problems"] == []


def test_auto_bump_under_major_zero_is_minor(tmp_path):
    base = BASE_SPEC.replace("version: 1.2.0   #", "version: 0.4.0   #")
    repo = make_repo(tmp_path / "repo", base)
    (repo / "labelspec.yaml").write_text(base.replace("  car:\n    id: 3", "  automobile:\n    id: 3"))
    assert run_cli("spec", "bump", cwd=repo).exit_code == 0
    assert "version: 0.5.0   #" in (repo / "labelspec.yaml").read_text()
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


# The command the `labellint-spec-version` pre-commit hook runs, through the real pre-commit.
HOOK_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: labellint-spec-version
        name: labellint spec version
        entry: labellint spec check --base HEAD
        language: system
        pass_filenames: false
        always_run: true
"""


def test_pre_commit_hook_checks_the_staged_spec_against_the_last_commit(tmp_path):
    import shutil
    import sys

    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists() and shutil.which("pre-commit") is None:
        pytest.skip("pre-commit is not installed")
    repo = make_repo(tmp_path / "repo", BASE_SPEC, {".pre-commit-config.yaml": HOOK_CONFIG})
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def hook() -> subprocess.CompletedProcess:
        command = [str(pre_commit) if pre_commit.exists() else "pre-commit", "run", "labellint-spec-version"]
        return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)

    (repo / "labelspec.yaml").write_text(BASE_SPEC.replace("  car:\n    id: 3", "  automobile:\n    id: 3"))
    git(repo, "add", "labelspec.yaml")
    failed = hook()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "LL501" in failed.stdout and "class 'car' was renamed to 'automobile'" in failed.stdout
    # A bump left unstaged is not what gets committed: pre-commit hides it and the hook still fails.
    assert run_cli("spec", "bump", cwd=repo).exit_code == 0
    assert hook().returncode == 1
    assert "version: 2.0.0" in (repo / "labelspec.yaml").read_text()  # restored after the hook ran
    git(repo, "add", "labelspec.yaml")
    passed = hook()
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_a_changelog_entry_telling_several_changes_is_read_clause_by_clause(tmp_path):
    # One entry tells a rename, a merge and a removal: each clause pairs only the classes it names
    # (read whole, every head class it names would claim every removed class: all "split").
    repo = make_repo(tmp_path / "repo", BASE_SPEC)
    head = BASE_SPEC.replace("  car:\n    id: 3\n", "  vehicle:\n    id: 9\n")
    head = head.replace(VAN_BLOCK, "  truck:\n    id: 7\n")
    head = head.replace("  traffic_light:\n    id: 5\n", "  road_sign:\n    id: 6\n")
    head = head.replace(
        "  - {version: 1.2.0,",
        "  - {version: 2.0.0, changes: 'car renamed vehicle; van merged into truck. traffic_light removed'}\n"
        "  - {version: 1.2.0,",
    )
    (repo / "labelspec.yaml").write_text(head)
    result = run_cli("spec", "diff", "HEAD", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.output
    kinds = {(c["kind"], tuple(c.get("classes") or ())) for c in json.loads(result.stdout)["changes"]}
    assert not [kind for kind, _ in kinds if kind == "class-split"], kinds
    text = run_cli("spec", "diff", "HEAD", cwd=repo).stdout
    assert "the changelog says: car renamed vehicle" in text
    assert "the changelog says: van merged into truck." in text
    assert "class 'traffic_light' was removed" in text
