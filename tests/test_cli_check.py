"""The `check` command end to end: exit codes, output documents, config and spec handling, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # marks the repository root for discovery
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    return tmp_path


def test_clean_dataset_exits_zero(repo: Path) -> None:
    write_coco(repo / "labels.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 100, 50]}])
    result = run_cli("check", "labels.json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "All checks passed (1 file, 1 item, 1 annotation)." in result.stdout


def test_errors_exit_one_warnings_alone_exit_zero(repo: Path) -> None:
    # A tiny pedestrian is only a warning (LL203).
    write_coco(repo / "w.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 3, 12]}])
    assert run_cli("check", "w.json", cwd=repo).exit_code == 0
    write_coco(repo / "e.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]}])
    result = run_cli("check", "e.json", cwd=repo)
    assert result.exit_code == 1
    assert result.stdout.startswith("e.json:")
    assert run_cli("check", "e.json", "--exit-zero", cwd=repo).exit_code == 0


def test_json_document_matches_the_contract(repo: Path) -> None:
    write_coco(repo / "l.json", [IMAGE], [{"id": 7, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]}])
    result = run_cli("check", "l.json", "--format", "json", cwd=repo)
    document = json.loads(result.stdout)
    assert document["schema_version"] == 1
    assert document["tool"]["name"] == "labellint"
    assert document["summary"] == {
        "files": 1,
        "items": 1,
        "annotations": 1,
        "problems": 1,
        "errors": 1,
        "warnings": 0,
    }
    (problem,) = document["problems"]
    assert set(problem) == {
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "pointer",
        "item",
        "annotation",
        "fingerprint",
    }
    assert (problem["code"], problem["name"], problem["item"], problem["annotation"]) == (
        "LL201",
        "bbox-out-of-bounds",
        "1",
        "7",
    )
    assert problem["pointer"] == "/annotations/0" and problem["line"] > 1


def test_output_file_written_and_stdout_empty(repo: Path) -> None:
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", "--format", "json", "--output", "out/report.json", cwd=repo)
    assert result.exit_code == 2 and "folder does not exist" in result.stderr
    (repo / "out").mkdir()
    result = run_cli("check", "l.json", "--format", "json", "--output", "out/report.json", cwd=repo)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads((repo / "out/report.json").read_text())["summary"]["files"] == 1


def test_truncated_file_is_ll001_and_other_files_still_checked(repo: Path) -> None:
    good = write_coco(
        repo / "labels/good.json",
        [IMAGE],
        [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [630, 0, 50, 50]}],
    )
    text = good.read_text()
    (repo / "labels/broken.json").write_text(text[: len(text) // 2])
    result = run_cli("check", "labels", "--format", "json", cwd=repo)
    codes = {(Path(p["path"]).name, p["code"]) for p in problems_of(result)}
    assert codes == {("broken.json", "LL001"), ("good.json", "LL201")}
    broken = next(p for p in problems_of(result) if p["code"] == "LL001")
    assert broken["line"] >= 1 and broken["column"] >= 1
    assert result.exit_code == 1


def test_malformed_records_are_ll002_with_pointer_and_rest_kept(repo: Path) -> None:
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20, 20]},
        {"id": 2, "image_id": 1, "category_id": 3, "bbox": ["x", 10, 20, 20]},
        {"id": 3, "image_id": 1, "bbox": [10, 10, 20, 20]},
        {"id": 4, "image_id": 1, "category_id": 3, "bbox": [10, 10, 20]},
        {"id": 5, "image_id": 1, "category_id": 3, "bbox": [700, 10, 20, 20]},
    ]
    write_coco(repo / "l.json", [IMAGE], annotations)
    result = run_cli("check", "l.json", "--format", "json", cwd=repo)
    found = sorted((p["code"], p["pointer"]) for p in problems_of(result))
    assert found == [
        ("LL002", "/annotations/1/bbox/0"),
        ("LL002", "/annotations/2"),
        ("LL002", "/annotations/3/bbox"),
        ("LL201", "/annotations/4"),
    ]
    assert "missing required field `category_id`" in problems_of(result)[1]["message"]
    assert json.loads(result.stdout)["summary"]["annotations"] == 3  # 1, 4 (no box) and 5 kept


def test_missing_spec_named_on_command_line_is_exit_2_one_line(repo: Path) -> None:
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", "--spec", "nope.yaml", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert "nope.yaml: spec file not found" in result.stderr


def test_invalid_spec_names_line_and_suggests(repo: Path) -> None:
    (repo / "labelspec.yaml").write_text(
        SPEC_TEXT.replace("    definition: A person on foot.", "    defintion: A person on foot.")
    )
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", cwd=repo)
    assert result.exit_code == 2
    assert (
        "labelspec.yaml:8:5: classes.pedestrian.defintion: unknown key 'defintion' (did you mean 'definition'?)"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_invalid_yaml_names_line(repo: Path) -> None:
    (repo / "labelspec.yaml").write_text("spec: 1\nversion: 1.0.0\nclasses: [a, b\n")
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", cwd=repo)
    assert result.exit_code == 2 and "labelspec.yaml:4:1: invalid YAML" in result.stderr


def test_no_spec_anywhere_checks_geometry_and_says_so(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write_coco(tmp_path / "l.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 9, "bbox": [10, 10, 0, 5]}])
    result = run_cli("check", "l.json", "--format", "json", cwd=tmp_path)
    assert "no labelspec.yaml found" in result.stderr
    assert {p["code"] for p in problems_of(result)} == {"LL004", "LL202"}


def test_config_datasets_and_discovery_from_subfolder(repo: Path) -> None:
    (repo / "labellint.toml").write_text(
        'spec = "labelspec.yaml"\nignore = ["LL203"]\n[[datasets]]\npath = "data/*.json"\nreader = "coco"\n'
    )
    write_coco(
        repo / "data/a.json",
        [IMAGE],
        [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 1, 1]},
            {"id": 2, "image_id": 1, "category_id": 3, "bbox": [-5, 10, 10, 10]},
        ],
    )
    sub = repo / "data"
    result = run_cli("check", "--format", "json", cwd=sub)
    assert {p["code"] for p in problems_of(result)} == {"LL201"}  # LL203 ignored by the config
    # The command line wins over the file.
    result = run_cli("check", "--format", "json", "--select", "LL203", cwd=sub)
    assert {p["code"] for p in problems_of(result)} == {"LL203"}


def test_pyproject_tool_section_is_found(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.labellint]\nselect = ["bbox-out-of-bounds"]\n')
    write_coco(repo / "l.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [630, 10, 50, 0]}])
    result = run_cli("check", "l.json", "--format", "json", cwd=repo)
    assert {p["code"] for p in problems_of(result)} == {"LL201"}


def test_bad_config_key_is_one_clear_line(repo: Path) -> None:
    (repo / "labellint.toml").write_text('spec = "labelspec.yaml"\nselekt = ["LL2"]\n')
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", cwd=repo)
    assert result.exit_code == 2
    assert "labellint.toml:2:1: selekt: unknown key 'selekt' (did you mean 'select'?)" in result.stderr


@pytest.mark.parametrize(
    ("option", "selector", "codes"),
    [
        ("--select", "LL201", {"LL201"}),
        ("--select", "LL2", {"LL201", "LL202", "LL205"}),
        ("--select", "duplicate-box", {"LL205"}),
        ("--ignore", "LL20", {"LL003"}),
        ("--ignore", "ALL", set()),
        ("--select", "LL201,LL003", {"LL201", "LL003"}),
    ],
)
def test_selection_by_code_prefix_name(repo: Path, option: str, selector: str, codes: set[str]) -> None:
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": [630, 10, 50, 50]},
        {"id": 2, "image_id": 1, "category_id": 3, "bbox": [10, 10, 0, 50]},
        {"id": 3, "image_id": 1, "category_id": 3, "bbox": [100, 100, 50, 50]},
        {"id": 3, "image_id": 1, "category_id": 3, "bbox": [100, 100, 50, 50]},
    ]
    write_coco(repo / "l.json", [IMAGE], annotations)
    result = run_cli("check", "l.json", "--format", "json", option, selector, cwd=repo)
    assert {p["code"] for p in problems_of(result)} == codes


def test_unknown_selector_and_reader_are_usage_errors(repo: Path) -> None:
    write_coco(repo / "l.json", [IMAGE], [])
    result = run_cli("check", "l.json", "--select", "duplicate-boxes", cwd=repo)
    assert result.exit_code == 2 and "did you mean 'duplicate-box'" in result.stderr
    result = run_cli("check", "l.json", "--reader", "cocoa", cwd=repo)
    assert result.exit_code == 2 and "unknown reader 'cocoa'" in result.stderr
    result = run_cli("check", "missing.json", cwd=repo)
    assert result.exit_code == 2 and "no such file or folder: missing.json" in result.stderr


def test_forced_reader_on_unknown_extension(repo: Path) -> None:
    path = write_coco(repo / "l.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [630, 10, 50, 50]}])
    path.rename(repo / "labels.coco")
    assert run_cli("check", "labels.coco", cwd=repo).exit_code == 1  # sniffing fails: LL001 "name a reader"
    result = run_cli("check", "labels.coco", "--reader", "coco", "--format", "json", cwd=repo)
    assert {p["code"] for p in problems_of(result)} == {"LL201"}


def test_fingerprints_survive_reformatting_and_reordering(repo: Path) -> None:
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": [630, 10, 50, 50]},
        {"id": 2, "image_id": 1, "category_id": 3, "bbox": [10, 10, 0, 50]},
    ]
    write_coco(repo / "l.json", [IMAGE], annotations)
    first = {p["fingerprint"] for p in problems_of(run_cli("check", "l.json", "--format", "json", cwd=repo))}
    document = {"categories": [{"id": 3, "name": "car"}], "annotations": annotations[::-1], "images": [IMAGE]}
    (repo / "l.json").write_text(json.dumps(document))  # one line, records reordered
    second = problems_of(run_cli("check", "l.json", "--format", "json", cwd=repo))
    assert {p["fingerprint"] for p in second} == first and len(first) == 2
    assert all(p["line"] == 1 for p in second)


def test_python_m_and_no_traceback_on_bad_input(repo: Path) -> None:
    (repo / "bad.json").write_bytes(b"\xff\xfe{not json")
    completed = subprocess.run(
        [sys.executable, "-m", "labellint", "check", "bad.json", "--reader", "coco"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "bad.json:1:1: LL001" in completed.stdout
    assert "Traceback" not in completed.stderr


def test_spec_validate_and_schema(repo: Path) -> None:
    result = run_cli("spec", "validate", cwd=repo)
    assert result.exit_code == 0 and "valid spec test-scenes version 1.0.0 (3 classes)" in result.stdout
    (repo / "labelspec.yaml").write_text(
        SPEC_TEXT.replace("version: 1.0.0", "version: one").replace("include: [walker", "includes: [walker")
    )
    result = run_cli("spec", "validate", cwd=repo)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("labelspec.yaml:3:1: version:")
    assert "did you mean 'include'" in lines[1]
    schema = json.loads(run_cli("spec", "schema", cwd=repo).stdout)
    assert "classes" in schema["properties"] and schema["additionalProperties"] is False
