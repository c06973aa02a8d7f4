"""`migrate` per format on real data in real git repositories: YOLO, VOC, Label Studio, JSON Lines."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import yaml
from conftest import shared_path
from helpers import run_cli


def _repo(path: Path, spec: str, datasets: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for args in (["init", "-q"], ["config", "user.email", "t@example.invalid"], ["config", "user.name", "T"]):
        subprocess.run(["git", *args], cwd=path, check=True)
    (path / "pyproject.toml").write_text(f'[tool.labellint]\ndatasets = [{{path = "{datasets}"}}]\n')
    (path / "labelspec.yaml").write_text(spec)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "v1"], cwd=path, check=True)
    return path


def _spec(version: str, classes: dict[str, dict], task: str = "detection", note: str = "") -> str:
    text = f"spec: 1\nversion: {version}\ntask: {task}\nclasses:\n"
    for name, body in classes.items():
        text += f"  {json.dumps(name)}: {json.dumps(body)}\n"
    if note:
        text += f"changelog:\n  - {{version: {version}, changes: {json.dumps(note)}}}\n"
    return text


def _migrate(repo: Path, *args: str) -> dict:
    result = run_cli("migrate", "--format", "json", *args, cwd=repo)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def _class_problems(repo: Path) -> list[str]:
    problems = json.loads(run_cli("check", "--format", "json", cwd=repo).stdout)["problems"]
    return [p["code"] for p in problems if p["code"].startswith("LL1") or p["code"] == "LL004"]


def test_yolo_merge_rewrites_names_and_closes_the_gap(tmp_path: Path) -> None:
    source = shared_path("data", "yolo", "coco128_lightly", "object_detection")
    names = yaml.safe_load((source / "config.yaml").read_text())["names"]
    v1 = {n: {"id": i, "definition": f"COCO {n}."} for i, n in sorted(names.items())}
    repo = tmp_path / "yolo"
    repo.mkdir()
    shutil.copy(source / "config.yaml", repo / "config.yaml")
    shutil.copytree(source / "labels", repo / "labels")
    _repo(repo, _spec("1.0.0", v1), "labels")
    # bus (5) and truck (7) merge into a new class; every later class moves down one index.
    kept = [n for _, n in sorted(names.items()) if n != "bus"]
    v2 = {}
    for i, n in enumerate(kept):
        v2["motor vehicle" if n == "truck" else n] = {"id": i, "definition": f"COCO {n}."}
    v2["motor vehicle"]["aliases"] = ["bus", "truck"]
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="bus and truck merged into motor vehicle"))
    before = {p.relative_to(repo): p.read_text() for p in (repo / "labels").rglob("*.txt")}
    _migrate(repo)
    new_names = yaml.safe_load((repo / "config.yaml").read_text())["names"]
    assert new_names == {i: ("motor vehicle" if n == "truck" else n) for i, n in enumerate(kept)}
    # Each line's class index now names the same class (or the merged one); the coordinates are the same text.
    index_of = {n: i for i, n in new_names.items()}
    counts = Counter()
    for relative, old_text in before.items():
        new_lines = (repo / relative).read_text().splitlines()
        for old, new in zip(old_text.splitlines(), new_lines, strict=True):
            old_class, _, rest = old.partition(" ")
            name = names[int(old_class)]
            counts[name] += 1
            expected = index_of["motor vehicle" if name in ("bus", "truck") else name]
            assert new == f"{expected} {rest}"
    assert _class_problems(repo) == []
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == counts["bus"] + counts["truck"] > 0
    assert {t["to"] for t in diff["transitions"]} == {"motor vehicle"}


def test_voc_rename_lists_removed_then_drops_them(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "voc"
    (repo / "ann").mkdir(parents=True)
    for path in sorted(source.glob("*.xml"))[:30]:
        shutil.copy(path, repo / "ann" / path.name)
    definitions = {"RBC": "A red blood cell.", "WBC": "A white blood cell.", "Platelets": "A platelet."}
    _repo(repo, _spec("1.0.0", {n: {"definition": d} for n, d in definitions.items()}), "ann")
    v2 = {"red blood cell": {"definition": "A red blood cell.", "aliases": ["RBC"]}, "WBC": {"definition": "A WBC."}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="RBC renamed; platelets no longer labelled"))
    originals = {p.name: p.read_text() for p in (repo / "ann").glob("*.xml")}
    platelets = sum(text.count("<name>Platelets</name>") for text in originals.values())
    rbc = sum(text.count("<name>RBC</name>") for text in originals.values())
    report = _migrate(repo)
    assert sum(f["relabelled"] for f in report["files"]) == rbc
    assert sum(len(f["listed"]) for f in report["files"]) == platelets > 0
    for name, text in originals.items():
        # Only the names changed: everything else is the same text.
        assert (repo / "ann" / name).read_text() == text.replace("<name>RBC</name>", "<name>red blood cell</name>")
    subprocess.run(["git", "checkout", "-q", "--", "ann"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    for name, text in originals.items():
        new = (repo / "ann" / name).read_text()
        assert new.count("<object>") == text.count("<object>") - text.count("<name>Platelets</name>")
        assert "Platelets" not in new
    assert _class_problems(repo) == []


def test_label_studio_merge_changes_only_the_merged_labels(tmp_path: Path) -> None:
    source = shared_path("data", "labelstudio", "leoka_ml", "LEOKA_team_6.pseudonymized.json")
    tasks = json.loads(source.read_text())
    spans = Counter(
        label
        for task in tasks
        for annotation in task["annotations"]
        for result in annotation["result"]
        if result["type"] == "labels"
        for label in result["value"]["labels"]
    )
    repo = tmp_path / "ls"
    repo.mkdir()
    shutil.copy(source, repo / "tasks.json")
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in spans}, "ner"), "tasks.json")
    v2 = {n: {"definition": f"A {n}."} for n in spans if n not in ("Firearm", "Other_weapon")}
    v2["Weapon"] = {"definition": "A weapon.", "aliases": ["Firearm", "Other_weapon"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "ner", "Firearm and Other_weapon merged into Weapon"))
    _migrate(repo)
    text = (repo / "tasks.json").read_text()
    # Byte for byte the export, with the two merged labels written as the new class.
    assert text == re.sub(r'"(Firearm|Other_weapon)"', '"Weapon"', source.read_text())
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == spans["Firearm"] + spans["Other_weapon"]
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


def test_jsonl_rename_dry_run_then_apply(tmp_path: Path) -> None:
    source = shared_path("data", "ner_textcat", "explosion_projects", "ner_fashion_brands_eval.prodigy.jsonl")
    repo = tmp_path / "jsonl"
    repo.mkdir()
    shutil.copy(source, repo / "brands.jsonl")
    _repo(repo, _spec("1.0.0", {"FASHION_BRAND": {"definition": "A brand."}}, "ner"), "brands.jsonl")
    v2 = {"BRAND": {"definition": "A brand.", "aliases": ["FASHION_BRAND"]}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "ner", "FASHION_BRAND renamed BRAND"))
    spans = sum(len(json.loads(line).get("spans") or []) for line in source.read_text().splitlines())
    dry = _migrate(repo, "--dry-run")
    assert (
        dry["diff"]["annotations"]["relabeled"] == spans and (repo / "brands.jsonl").read_bytes() == source.read_bytes()
    )
    _migrate(repo)
    assert (repo / "brands.jsonl").read_text() == source.read_text().replace(
        '"label":"FASHION_BRAND"', '"label":"BRAND"'
    ).replace('"label": "FASHION_BRAND"', '"label": "BRAND"')
    # The spec declares the rename, so relabelling every span is no mass relabel (LL505).
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


def test_a_split_is_queued_for_review_and_left_as_written(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "split"
    (repo / "ann").mkdir(parents=True)
    for path in sorted(source.glob("*.xml"))[:10]:
        shutil.copy(path, repo / "ann" / path.name)
    v1 = {"RBC": {"definition": "A red blood cell."}, "WBC": {"definition": "A white cell."}}
    v1["Platelets"] = {"definition": "A platelet."}
    _repo(repo, _spec("1.0.0", v1), "ann")
    v2 = {"RBC": v1["RBC"], "Platelets": v1["Platelets"]}
    v2["neutrophil"] = {"definition": "A WBC with a lobed nucleus.", "aliases": ["WBC"]}
    v2["lymphocyte"] = {"definition": "A WBC with a round nucleus.", "aliases": ["WBC"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="WBC split into neutrophil and lymphocyte"))
    originals = {p.name: p.read_bytes() for p in (repo / "ann").glob("*.xml")}
    wbc = sum(text.count(b"<name>WBC</name>") for text in originals.values())
    report = _migrate(repo, "--queue", "review.csv")
    assert {p.name: p.read_bytes() for p in (repo / "ann").glob("*.xml")} == originals
    with open(repo / "review.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(report["review"]) == wbc > 0
    assert {row["class"] for row in rows} == {"WBC"} and all("split" in row["reason"] for row in rows)
    _migrate(repo, "--queue", "review.json")
    tasks = json.loads((repo / "review.json").read_text())
    regions = [r for task in tasks for r in task["predictions"][0]["result"]]
    assert len(regions) == wbc and {r["value"]["rectanglelabels"][0] for r in regions} == {"WBC"}
