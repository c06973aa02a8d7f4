"""`gate`'s coverage failures point at the class's or edge case's line in labelspec.yaml (text, json, sarif)."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
from conftest import REPO_ROOT, SARIF_SCHEMA
from helpers import run_cli
from ruamel.yaml import YAML

EXAMPLE = REPO_ROOT / "examples" / "street-detection"
# A second edge case, written as a flow mapping, that no annotation of the example is tagged with.
NIGHT = "  - {id: night, rule: Box lit road users only., classes: [car], tag: night}\n"


def _labels() -> tuple[Counter, int]:
    """Annotations per spec class and occluded annotations of the example, read with plain json
    (the file's `truck` category is no class of the spec: coverage does not count it)."""
    document = json.loads((EXAMPLE / "labels" / "train.json").read_text())
    spec_classes = YAML(typ="safe").load((EXAMPLE / "labelspec.yaml").read_text())["classes"]
    names = {c["id"]: c["name"] for c in document["categories"]}
    classes = Counter(names[a["category_id"]] for a in document["annotations"])
    classes = Counter({name: classes[name] for name in spec_classes})
    occluded = sum(a.get("attributes", {}).get("occluded") in (True, "yes") for a in document["annotations"])
    return classes, occluded


def _project(tmp_path: Path, coverage: str) -> tuple[Path, list[str]]:
    """The example copied, its occlusion edge case marked by attribute, the night case and a gate added."""
    folder = tmp_path / "street"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "labelspec.yaml"
    text = spec.read_text()
    marked = "    classes: [pedestrian, cyclist]\n    attribute: {occluded: true}\n"
    text = text.replace("    classes: [pedestrian, cyclist]\n", marked + NIGHT, 1)
    assert NIGHT in text
    spec.write_text(f"{text}\nquality:\n  coverage: {coverage}\n")
    return folder, spec.read_text().splitlines()


def _line(lines: list[str], pattern: str) -> int:
    """The 1-based line of the spec that matches, counted on the YAML text."""
    (found,) = [number for number, line in enumerate(lines, 1) if re.fullmatch(pattern, line)]
    return found


def test_coverage_failures_name_the_line_of_the_class_and_of_each_edge_case(tmp_path: Path) -> None:
    classes, occluded = _labels()
    rare = min(classes, key=classes.get)
    assert occluded >= 2 and classes[rare] >= 2  # counts in words: "2 marked examples"
    assert "night" not in (EXAMPLE / "labels" / "train.json").read_text()
    coverage = f"{{min_per_class: {classes[rare] + 1}, min_per_edge_case: {occluded + 1}}}"
    folder, lines = _project(tmp_path, coverage)
    occlusion, night = _line(lines, r"  - id: occlusion"), _line(lines, re.escape(NIGHT.rstrip("\n")))
    expected = {  # (line, column, JSON pointer); a list entry's column is where its mapping starts
        f"coverage[{rare}]": (_line(lines, rf"  {rare}:"), 3, f"/classes/{rare}"),
        "coverage[edge_case:occlusion]": (occlusion, lines[occlusion - 1].index("- ") + 3, "/edge_cases/0"),
        "coverage[edge_case:night]": (night, lines[night - 1].index("- ") + 3, "/edge_cases/1"),
    }

    result = run_cli("gate", "--format", "json", cwd=folder)
    assert result.exit_code == 1, result.stderr
    (entry,) = json.loads(result.stdout)["gates"]
    failed = {d["name"]: d for d in entry["details"] if not d["ok"]}
    assert set(failed) == set(expected)
    for name, (line, column, pointer) in expected.items():
        where = {"path": "labelspec.yaml", "line": line, "column": column, "pointer": pointer}
        assert failed[name]["location"] == where
    assert failed["coverage[edge_case:occlusion]"]["value"] == occluded
    assert failed["coverage[edge_case:night]"]["value"] == 0
    assert failed[f"coverage[{rare}]"]["reason"] == (
        f"class {rare!r} has {classes[rare]} annotations, fewer than min_per_class {classes[rare] + 1}"
    )

    text = run_cli("gate", cwd=folder).stdout
    for name, (line, column, _) in expected.items():
        (shown,) = [row for row in text.splitlines() if row.strip().startswith(f"labelspec.yaml:{line}:")]
        assert shown.strip() == f"labelspec.yaml:{line}:{column}: {failed[name]['reason']}"
    assert f"edge case 'occlusion' has {occluded} marked examples, fewer than min_per_edge_case" in text

    sarif = run_cli("gate", "--format", "sarif", cwd=folder)
    assert sarif.exit_code == 1
    log = json.loads(sarif.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    regions = {
        r["locations"][0]["physicalLocation"]["region"]["startLine"]: r["message"]["text"]
        for r in log["runs"][0]["results"]
    }
    # The gate at its key under `quality:`, and each class / edge case short of its minimum at its line.
    assert set(regions) == {_line(lines, r"  coverage: .*"), *(line for line, _, _ in expected.values())}
    for name, (line, _, _) in expected.items():
        assert regions[line].endswith(failed[name]["reason"])

    markdown = run_cli("gate", "--format", "markdown", cwd=folder).stdout
    for name, (line, _, _) in expected.items():
        assert f"- `labelspec.yaml:{line}`: {failed[name]['reason']}" in markdown


def test_passing_classes_and_edge_cases_add_no_line_results(tmp_path: Path) -> None:
    classes, occluded = _labels()
    coverage = f"{{min_per_class: {min(classes.values())}, min_per_edge_case: {occluded}}}"
    folder, lines = _project(tmp_path, coverage)
    folder.joinpath("labelspec.yaml").write_text("\n".join(lines).replace(NIGHT.rstrip("\n") + "\n", "") + "\n")
    result = run_cli("gate", "--format", "json", cwd=folder)
    assert result.exit_code == 0, result.stdout
    (entry,) = json.loads(result.stdout)["gates"]
    assert entry["ok"] and all(d["ok"] and d["location"]["line"] for d in entry["details"])
    log = json.loads(run_cli("gate", "--format", "sarif", cwd=folder).stdout)
    assert log["runs"][0]["results"] == []
    assert "labelspec.yaml:" not in run_cli("gate", cwd=folder).stdout


def test_an_edge_case_coverage_cannot_count_is_named_at_its_line_not_left_out_silently(tmp_path: Path) -> None:
    # The example's own occlusion case names no attribute or tag: its examples cannot be counted.
    folder = tmp_path / "street"
    shutil.copytree(EXAMPLE, folder)
    spec = folder / "labelspec.yaml"
    spec.write_text(spec.read_text() + "\nquality:\n  coverage: {min_per_edge_case: 1}\n")
    lines = spec.read_text().splitlines()
    occlusion = _line(lines, r"  - id: occlusion")
    assert "attribute:" not in lines[occlusion] and "tag:" not in lines[occlusion + 1]

    result = run_cli("gate", "--format", "json", cwd=folder)
    (entry,) = json.loads(result.stdout)["gates"]
    assert (result.exit_code, entry["ok"], entry["reason"]) == (1, False, "no marked edge cases")  # never a pass
    # The user is told which edge case was not counted, and where it is written.
    assert (
        f"labelspec.yaml:{occlusion}: edge case 'occlusion' names no `attribute` or `tag` marking its examples, "
        "so the coverage gate does not count it"
    ) in result.stderr

    folder2, _ = _project(tmp_path / "marked", "{min_per_edge_case: 1}")
    assert "does not count it" not in run_cli("gate", "--format", "json", cwd=folder2).stderr
