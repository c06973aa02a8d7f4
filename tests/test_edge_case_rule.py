"""LL405 class-few-edge-cases on the bundled street example: off by default, counts as a hand count says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from conftest import REPO_ROOT
from helpers import run_cli


def _codes(folder: Path, *args: str) -> list[dict]:
    result = run_cli("check", *args, "--format", "json", cwd=folder)
    return [p for p in json.loads(result.stdout)["problems"] if p["code"] == "LL405"]


def test_ll405_is_off_by_default_and_counts_each_class_edge_cases(tmp_path: Path) -> None:
    folder = tmp_path / "street"
    shutil.copytree(REPO_ROOT / "examples" / "street-detection", folder)
    spec = yaml.safe_load((folder / "labelspec.yaml").read_text())
    # Hand count with plain YAML: edge cases whose `classes` list names each class.
    counts = {name: sum(name in case.get("classes", []) for case in spec["edge_cases"]) for name in spec["classes"]}
    assert _codes(folder) == []
    found = _codes(folder, "--extend-select", "LL405")
    assert {p["message"].split("'")[1] for p in found} == {n for n, k in counts.items() if k < 5}
    for problem in found:
        name = problem["message"].split("'")[1]
        assert f"has {counts[name]} edge case" in problem["message"] and problem["severity"] == "warning"
    with (folder / "labellint.toml").open("a") as config:
        config.write("\n[rules.class-few-edge-cases]\nmin-per-class = 1\n")
    found = _codes(folder, "--extend-select", "LL405")
    assert {p["message"].split("'")[1] for p in found} == {n for n, k in counts.items() if k < 1}
