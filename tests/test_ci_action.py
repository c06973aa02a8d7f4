"""The composite GitHub Action (action.yml): its run step executed with bash as the runner would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
from conftest import REPO_ROOT, SARIF_SCHEMA
from helpers import SPEC_TEXT, write_coco
from ruamel.yaml import YAML

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}


def _action() -> dict:
    return YAML(typ="safe").load((REPO_ROOT / "action.yml").read_text())


def test_action_is_composite_and_uploads_sarif() -> None:
    action = _action()
    assert action["runs"]["using"] == "composite"
    uses = [step.get("uses", "") for step in action["runs"]["steps"]]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(
        s for s in action["runs"]["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    artifact = next(s for s in action["runs"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert artifact["with"]["path"] == "${{ inputs.html-file }}"
    assert action["inputs"]["html-file"]["default"] == "labellint-report.html"
    for step in action["runs"]["steps"]:  # composite `run` steps must name their shell
        assert "run" not in step or step["shell"] == "bash"


def _run_step(tmp_path: Path, workdir: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict]:
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "check")
    runner = {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_ACTIONS": "true",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    step_env = {
        "PATHS": inputs.get("paths", ""),
        "ARGS": inputs.get("args", ""),
        "CHANGED_SINCE": inputs.get("changed-since", ""),
        "SARIF_FILE": inputs.get("sarif-file", "labellint.sarif"),
        "HTML_FILE": inputs.get("html-file", "labellint-report.html"),
    }
    assert set(step["env"]) == set(step_env)
    (tmp_path / "summary.md").write_text("# earlier step\n")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workdir,
        env={**os.environ, **runner, **step_env},
        capture_output=True,
        text=True,
    )
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    return done, outputs


def test_run_step_writes_annotations_sarif_and_summary(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    (work / ".git").mkdir(parents=True)
    (work / "labelspec.yaml").write_text(SPEC_TEXT)
    bad = [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]}]
    write_coco(work / "labels" / "train.json", [IMAGE], bad)
    done, outputs = _run_step(tmp_path, work, paths="labels", args="--select LL2 --statistics")
    assert done.returncode == 0, done.stderr  # the step records the exit code; a later step fails the job
    assert outputs == {"exit-code": "1"}
    assert done.stdout.startswith("::error file=labels/train.json,line=")
    log = json.loads((work / "labellint.sarif").read_text())
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["LL201"]
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("# earlier step\n## labellint: ❌ 1 error\n")  # appended, never replaced
    page = (work / "labellint-report.html").read_text()  # the artifact the next step uploads
    assert "px past the right edge" in page and 'class="card"' in page
    assert "`labellint-report.html` (the HTML report" in summary

    write_coco(work / "labels" / "train.json", [IMAGE], [{**bad[0], "bbox": [10, 10, 100, 50]}])
    done, outputs = _run_step(tmp_path, work, paths="labels", args="--select LL2", **{"html-file": ""})
    assert outputs == {"exit-code": "0"} and "all checks passed" in (tmp_path / "summary.md").read_text()


OCCLUSION = "  - {id: occlusion, rule: Box the visible part., classes: [car], attribute: {occluded: true}}\n"


def _run_gate_step(tmp_path: Path, workdir: Path, **inputs: str) -> tuple[subprocess.CompletedProcess, dict]:
    """The action's gate step run with bash as the runner would, GITHUB_STEP_SUMMARY a temp file."""
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "gate")
    assert step["if"] == "${{ inputs.gate == 'true' }}" and step["shell"] == "bash"
    runner = {
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RUNNER_TEMP": str(tmp_path),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    step_env = {"PATHS": inputs.get("paths", ""), "GATE_ARGS": inputs.get("gate-args", "")}
    assert set(step["env"]) == set(step_env)
    (tmp_path / "summary.md").write_text("## labellint: ✅ all checks passed\n")  # the check step's summary
    (tmp_path / "output").write_text("")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=workdir,
        env={**os.environ, **runner, **step_env},
        capture_output=True,
        text=True,
    )
    outputs = dict(line.split("=", 1) for line in (tmp_path / "output").read_text().splitlines())
    return done, outputs


def _table(summary: str) -> list[list[str]]:
    """The rows of the markdown table in the summary, cells stripped (header and rule left out)."""
    rows = [line for line in summary.splitlines() if line.startswith("|")]
    assert rows[0] == "| gate | metric | value | threshold | n | result |" and rows[1].startswith("|---")
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in rows[2:]]


def test_gate_step_appends_the_gate_table_to_the_step_summary(tmp_path: Path) -> None:
    work = tmp_path / "repo"
    (work / ".git").mkdir(parents=True)
    spec = SPEC_TEXT + f"edge_cases:\n{OCCLUSION}quality:\n  coverage: {{min_per_edge_case: 2}}\n"
    (work / "labelspec.yaml").write_text(spec)
    cars = [
        {"id": n, "image_id": 1, "category_id": 3, "bbox": [10 * n, 10, 50, 40], "attributes": {"occluded": n < 3}}
        for n in (1, 2, 3)
    ]
    write_coco(work / "labels" / "train.json", [IMAGE], cars)
    occluded = sum(a["attributes"]["occluded"] for a in cars)
    done, outputs = _run_gate_step(tmp_path, work, paths="labels")
    assert done.returncode == 0, done.stderr  # the step records the exit code; a later step fails the job
    assert outputs == {"exit-code": "0"}
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## labellint: ✅ all checks passed\n### labellint quality gates: passed\n")
    metric = "min_count (coverage[edge_case:occlusion])"
    assert _table(summary) == [["coverage", metric, str(occluded), "2", str(len(cars)), "PASS"]]
    assert "### labellint quality gates: passed" in done.stdout  # the table in the log as well

    done, outputs = _run_gate_step(tmp_path, work, paths="labels", **{"gate-args": "--format text"})
    assert outputs == {"exit-code": "0"}  # the step's own --format markdown comes last and wins
    spec_file = work / "labelspec.yaml"
    spec_file.write_text(spec.replace("min_per_edge_case: 2", "min_per_edge_case: 3"))
    done, outputs = _run_gate_step(tmp_path, work, paths="labels")
    assert done.returncode == 0 and outputs == {"exit-code": "1"}, done.stderr
    summary = (tmp_path / "summary.md").read_text()
    (row,) = _table(summary)
    assert row[:5] == ["coverage", metric, str(occluded), "3", str(len(cars))]
    assert row[5] == f"FAILED: {occluded} is not >= 3"
    line = spec.splitlines().index(OCCLUSION.rstrip("\n")) + 1
    assert f"- `labelspec.yaml:{line}`: edge case 'occlusion' has {occluded} marked examples" in summary

    action = _action()
    failing = next(s for s in action["runs"]["steps"] if s.get("name") == "Fail on a quality gate")
    assert "steps.gate.outputs.exit-code != '0'" in failing["if"] and failing["run"].rstrip().endswith("exit 1")
    assert action["outputs"]["gate-exit-code"]["value"] == "${{ steps.gate.outputs.exit-code }}"
