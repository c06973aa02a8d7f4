"""`labellint gate` on label files: the unsure, coverage and rework gates (bundled examples, BCCD, TACO)."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO_ROOT, shared_path
from helpers import run_cli

BCCD = ("data", "voc", "bccd", "BCCD", "Annotations")
TACO = ("data", "coco", "taco")
TACO_FIX = ("annotations_v2_a35e944.json", "annotations_v3_1e4d24a.json")


def _gate(folder: Path, *args: str) -> tuple[int, dict]:
    result = run_cli("gate", *args, "--format", "json", cwd=folder)
    assert result.exit_code in (0, 1), result.output + result.stderr
    return result.exit_code, json.loads(result.stdout)


def _by_name(document: dict) -> dict[str, dict]:
    return {entry["name"]: entry for entry in document["gates"]}


def _example(tmp_path: Path, name: str, quality: str) -> Path:
    """A copy of a bundled example with a `quality:` section appended to its spec."""
    folder = tmp_path / name
    shutil.copytree(REPO_ROOT / "examples" / name, folder)
    with (folder / "labelspec.yaml").open("a") as spec:
        spec.write(f"\nquality:\n{quality}")
    return folder


def test_unsure_gate_is_the_rate_stats_prints_on_the_config_datasets(tmp_path: Path) -> None:
    # Independent count: one annotation per positive category of each line; UNSURE is the unsure class.
    lines = (REPO_ROOT / "examples" / "text-classification" / "labels" / "issues.jsonl").read_text().splitlines()
    positive = Counter(name for line in lines if line.strip() for name, v in json.loads(line)["cats"].items() if v)
    total, unsure = sum(positive.values()), positive["UNSURE"]
    assert unsure >= 1
    rate = unsure / total
    for offset, expected in ((0.01, 0), (-0.01, 1)):
        gate = f"  unsure: {{max_rate: {rate + offset:.6f}}}\n"
        folder = _example(tmp_path / str(expected), "text-classification", gate)
        stats = json.loads(run_cli("stats", "--no-history", "--format", "json", cwd=folder).stdout)
        exit_code, document = _gate(folder)
        entry = _by_name(document)["unsure"]
        # Fewer annotations than the default min_items (100): reported, never passed.
        assert exit_code == 1 and entry["status"] == "not_enough_data"
        assert entry["value"] == stats["unsure"]["rate"] == pytest.approx(rate) and entry["n"] == total
        spec = folder / "labelspec.yaml"
        spec.write_text(spec.read_text().replace(gate, gate.replace("}", f", min_items: {total}}}")))
        exit_code, document = _gate(folder)
        assert exit_code == expected and document["ok"] is (expected == 0)
        assert _by_name(document)["unsure"]["status"] == ("passed" if expected == 0 else "failed")


def _bccd_counts() -> tuple[Counter, int]:
    """Objects per class and truncated objects in the BCCD VOC files, read with plain xml."""
    classes, truncated = Counter(), 0
    for path in sorted(shared_path(*BCCD).glob("*.xml")):
        for obj in ET.parse(path).getroot().iter("object"):
            classes[obj.findtext("name").strip()] += 1
            truncated += (obj.findtext("truncated") or "").strip() == "1"
    return classes, truncated


def _bccd_spec(folder: Path, coverage: str) -> Path:
    spec = folder / "labelspec.yaml"
    spec.write_text(
        "version: 1.0.0\ntask: detection\nclasses:\n"
        "  RBC: {definition: red blood cell}\n  WBC: {definition: white blood cell}\n"
        "  Platelets: {definition: platelet}\n"
        "edge_cases:\n  - {id: cut_off, rule: box the visible part of a cell cut by the frame,"
        " attribute: {truncated: true}}\n"
        f"quality:\n  coverage: {coverage}\n"
    )
    return spec


def test_coverage_counts_each_class_and_the_marked_edge_case_exactly_on_bccd(tmp_path: Path) -> None:
    classes, truncated = _bccd_counts()
    rarest = min(classes.values())
    labels = str(shared_path(*BCCD))
    for bump, expected in ((0, 0), (1, 1)):
        coverage = f"{{min_per_class: {rarest + bump}, min_per_edge_case: {truncated}}}"
        spec = _bccd_spec(tmp_path, coverage)
        exit_code, document = _gate(tmp_path, labels, "--spec", str(spec))
        entry = _by_name(document)["coverage"]
        details = {d["name"]: d["value"] for d in entry["details"]}
        assert details == {
            **{f"coverage[{c}]": n for c, n in classes.items()},
            "coverage[edge_case:cut_off]": truncated,
        }
        assert entry["n"] == sum(classes.values()) and entry["value"] == rarest
        assert exit_code == expected and entry["ok"] is (expected == 0)
        rare = min(classes, key=classes.get)
        failed = [d["name"] for d in entry["details"] if not d["ok"]]
        assert failed == ([] if expected == 0 else [f"coverage[{rare}]"])
    spec = _bccd_spec(tmp_path, f"{{min_per_edge_case: {truncated + 1}}}")
    exit_code, document = _gate(tmp_path, labels, "--spec", str(spec))
    entry = _by_name(document)["coverage"]
    assert exit_code == 1 and entry["reason"] == f"{truncated} is not >= {truncated + 1}"
    assert entry["metric"] == "min_count (coverage[edge_case:cut_off])"
    stats = json.loads(run_cli("stats", labels, "--spec", str(spec), "--no-history", "--format", "json").stdout)
    assert stats["edge_cases"] == {"cut_off": truncated}


def test_coverage_counts_edge_cases_marked_by_attribute_or_tag_in_the_street_example(tmp_path: Path) -> None:
    # The example marks occlusion with a boolean attribute; one annotation writes it as "yes".
    annotations = json.loads((REPO_ROOT / "examples/street-detection/labels/train.json").read_text())["annotations"]
    occluded = sum(a.get("attributes", {}).get("occluded") in (True, "yes") for a in annotations)
    folder = _example(tmp_path, "street-detection", "  coverage: {min_per_edge_case: 1}\n")
    spec = folder / "labelspec.yaml"
    text = spec.read_text().replace(
        "    classes: [pedestrian, cyclist]\n", "    classes: [pedestrian, cyclist]\n    attribute: {occluded: true}\n"
    )
    text = text.replace("edge_cases:\n", "edge_cases:\n  - {id: hidden, rule: box what is visible, tag: occluded}\n")
    spec.write_text(text)
    exit_code, document = _gate(folder)
    details = {d["name"]: d["value"] for d in _by_name(document)["coverage"]["details"]}
    assert exit_code == 0
    assert details == {"coverage[edge_case:hidden]": occluded, "coverage[edge_case:occlusion]": occluded}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _taco_repo(repo: Path, rework: str) -> tuple[Path, float]:
    """A git repository with TACO's real box-fix commit (v2 -> v3), and the rework rate counted
    with plain json: annotations whose box or class the fix changed, over all of them."""
    old, new = ({a["id"]: a for a in json.loads(shared_path(*TACO, n).read_text())["annotations"]} for n in TACO_FIX)
    changed = sum(1 for i in old if old[i]["bbox"] != new[i]["bbox"] or old[i]["category_id"] != new[i]["category_id"])
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "T")
    (repo / "labelspec.yaml").write_text(
        f"version: 1.0.0\ntask: detection\nclasses:\n  Bottle: {{}}\nquality:\n{rework}"
    )
    for name in TACO_FIX:
        shutil.copyfile(shared_path(*TACO, name), repo / "annotations.json")
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", name)
    assert old.keys() == new.keys()
    return repo, changed / len(new)


def test_rework_gate_is_the_rate_stats_prints_over_a_real_fix_commit(tmp_path: Path) -> None:
    probe, rate = _taco_repo(tmp_path / "probe", "  unsure: {max_rate: 1}\n")
    stats = json.loads(run_cli("stats", "annotations.json", "--format", "json", cwd=probe).stdout)["rework"]
    assert stats["rate"] == pytest.approx(rate)
    for offset, expected in ((0.01, 0), (-0.01, 1)):
        gate = f"  rework: {{max_rate: {rate + offset:.6f}, min_items: 100}}\n"
        repo, _ = _taco_repo(tmp_path / f"repo{expected}", gate)
        exit_code, document = _gate(repo, "annotations.json")
        entry = _by_name(document)["rework"]
        assert entry["value"] == stats["rate"] and entry["n"] == stats["lineages"]
        assert exit_code == expected and entry["ok"] is (expected == 0)
        # Since the last commit there is one version only: no figure, never a pass.
        exit_code, document = _gate(repo, "annotations.json", "--since", "HEAD")
        entry = _by_name(document)["rework"]
        assert exit_code == 1 and entry["status"] == "undefined" and "rework needs two" in entry["reason"]
    # The gate's own `since` (the revision whose labels rework is measured from); --since over-rides it.
    repo, _ = _taco_repo(tmp_path / "since", "  rework: {max_rate: 1, since: HEAD}\n")
    entry = _by_name(_gate(repo, "annotations.json")[1])["rework"]
    assert entry["status"] == "undefined" and entry["reason"] == "1 commit(s) touch these labels; rework needs two"
    exit_code, document = _gate(repo, "annotations.json", "--since", "HEAD~1")
    assert exit_code == 0 and _by_name(document)["rework"]["value"] == stats["rate"]
