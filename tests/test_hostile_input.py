"""Hostile input: budgets instead of hangs, LL001 at the line instead of crashes, nothing dropped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import problems_of, run_cli, write_coco

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}
# A box with a negative width: LL202 in a file that must still be checked beside the bad one.
BROKEN_BOX = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, -5, 5]}


def _good_and_broken(folder: Path) -> None:
    write_coco(folder / "broken_box.json", [IMAGE], [BROKEN_BOX])


def _labellint(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """The installed command in a child process: a hang fails the test at `timeout`."""
    return subprocess.run(
        [sys.executable, "-m", "labellint", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def _codes_by_path(json_output: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in json.loads(json_output)["problems"]:
        found.setdefault(problem["path"], []).append(problem["code"])
    return found


# --- YAML budgets ---------------------------------------------------------------------------


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["spec: 1", "version: 1.0.0", "a0: &a0 [" + ", ".join(["x"] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join([*lines, "classes: {}", ""])


def test_a_yaml_alias_bomb_in_the_spec_is_an_error_not_a_hang(tmp_path: Path) -> None:
    (tmp_path / "labelspec.yaml").write_text(_alias_bomb())
    result = _labellint("spec", "validate", "labelspec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert "labelspec.yaml: invalid YAML: alias expansion too large" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_large_anchor_referenced_many_times_is_over_the_budget(tmp_path: Path) -> None:
    items = ", ".join(str(i) for i in range(20_000))
    text = f"spec: 1\nversion: 1.0.0\nbig: &big [{items}]\nrefs: [{', '.join(['*big'] * 60)}]\nclasses: {{}}\n"
    (tmp_path / "labelspec.yaml").write_text(text)
    result = run_cli("spec", "validate", "labelspec.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert "alias expansion too large" in result.stderr


def test_anchors_within_the_budget_still_validate(tmp_path: Path) -> None:
    text = (
        "spec: 1\nversion: 1.0.0\nclasses:\n"
        "  car: {id: 1, definition: A car., include: &vehicles [sedan, van]}\n"
        "  truck: {id: 2, definition: A truck., include: *vehicles}\n"
    )
    (tmp_path / "labelspec.yaml").write_text(text)
    assert run_cli("spec", "validate", "labelspec.yaml", cwd=tmp_path).exit_code == 0


def test_deep_flow_nesting_in_the_spec_names_the_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "labelspec.yaml").write_text("spec: 1\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    result = _labellint("spec", "validate", "labelspec.yaml", cwd=tmp_path)
    assert result.returncode == 2
    # The 201st `[` is at column 4 + 200 of line 2.
    assert result.stderr.strip().endswith(
        "labelspec.yaml:2:204: invalid YAML: too deeply nested (more than 200 levels)"
    )


def test_an_alias_bomb_in_data_yaml_is_ll001_and_the_labels_are_still_checked(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "data.yaml").write_text(_alias_bomb().replace("classes: {}", "names: [a, b]"))
    (tmp_path / "labels" / "img.txt").write_text("0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 0.2\n")
    result = _labellint("check", ".", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    found = _codes_by_path(result.stdout)
    assert found["data.yaml"] == ["LL001"]
    assert "LL205" in found["labels/img.txt"]  # the duplicate box is still found


# --- TOML and pyproject ---------------------------------------------------------------------


def test_deep_nesting_in_labellint_toml_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "labellint.toml").write_text("exclude = " + "[" * 5000 + "]" * 5000 + "\n")
    _good_and_broken(tmp_path)
    result = run_cli("check", "broken_box.json", cwd=tmp_path)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("labellint: error: ") and line.endswith("labellint.toml: invalid TOML: too deeply nested")


def test_a_broken_pyproject_with_a_labellint_section_is_an_error_not_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.labellint]\nignore = ["LL202"\n')
    _good_and_broken(tmp_path)
    result = run_cli("check", "broken_box.json", cwd=tmp_path)
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and "invalid TOML" in result.stderr


def test_a_broken_pyproject_without_the_section_is_not_ours(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\nname = 'x'\n")
    _good_and_broken(tmp_path)
    result = run_cli("check", "broken_box.json", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    assert [p["code"] for p in problems_of(result)] == ["LL202"]


# --- JSON limits ----------------------------------------------------------------------------


def test_integers_past_int64_are_ll001_at_their_position_and_the_file_counts(tmp_path: Path) -> None:
    (tmp_path / "coco.json").write_text(
        '{"images": [{"id": 9223372036854775808, "file_name": "a.jpg", "width": 5, "height": 5}],'
        ' "annotations": [], "categories": []}'
    )
    (tmp_path / "spans.jsonl").write_text(
        '{"text": "abc", "spans": [{"start": 0, "end": 100000000000000000000000, "label": "X"}]}\n'
    )
    _good_and_broken(tmp_path)
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    problems = {p["path"]: p for p in problems_of(result)}
    assert problems["coco.json"]["code"] == "LL001"
    assert (problems["coco.json"]["line"], problems["coco.json"]["column"]) == (1, 20)
    assert "9223372036854775808" in problems["coco.json"]["message"]
    assert problems["spans.jsonl"]["code"] == "LL001"
    assert problems["broken_box.json"]["code"] == "LL202"
    assert json.loads(result.stdout)["summary"]["files"] == 3


def test_deep_json_nesting_is_ll001_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "coco.json").write_text('{"images": ' + "[" * 5000 + "]" * 5000 + ', "annotations": []}')
    (tmp_path / "deep.jsonl").write_text('{"text": "a", "meta": ' + "[" * 5000 + "]" * 5000 + "}\n")
    _good_and_broken(tmp_path)
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    found = _codes_by_path(result.stdout)
    assert found == {"coco.json": ["LL001"], "deep.jsonl": ["LL001"], "broken_box.json": ["LL202"]}
    assert "internal error" not in result.stderr


def test_a_csv_cell_longer_than_the_csv_module_default_is_read(tmp_path: Path) -> None:
    document = "word " * 40_000  # 200,000 characters: over the csv module's 131,072 default
    rows = [("text", "label"), (document, "long"), ("short text", "short")]
    (tmp_path / "docs.csv").write_text("\n".join(f'"{text}",{label}' for text, label in rows) + "\n")
    result = run_cli("check", "docs.csv", "--format", "json", cwd=tmp_path)
    assert "internal error" not in result.stderr
    assert json.loads(result.stdout)["summary"]["items"] == len(rows) - 1


# --- YOLO names files -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_yaml", "message"),
    [
        ("names: 5\n", "`names` must be a list of class names or a mapping"),
        ("names: person\n", "`names` must be a list of class names or a mapping"),
        ("names: {-1: a, 1.5: b}\n", "`names` keys must be class indexes"),
        ("", "not a YOLO dataset file: an empty file"),
        ("- a\n- b\n", "not a YOLO dataset file: a list"),
        ("path: ../datasets\n", "not a YOLO dataset file: a mapping without `names` or `nc`"),
    ],
)
def test_a_broken_data_yaml_is_ll001_and_the_label_files_are_still_checked(
    tmp_path: Path, data_yaml: str, message: str
) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "data.yaml").write_text(data_yaml)
    # The second box sits outside the image: LL201 must still be found.
    (tmp_path / "labels" / "img.txt").write_text("0 0.5 0.5 0.2 0.2\n0 1.5 0.5 0.2 0.2\n")
    result = run_cli("check", ".", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    problems = problems_of(result)
    names_problems = [p for p in problems if p["path"] == "data.yaml"]
    assert [p["code"] for p in names_problems] == ["LL001"]
    assert message in names_problems[0]["message"]
    assert names_problems[0]["line"] == 1
    assert any(p["path"] == "labels/img.txt" and p["code"] == "LL201" for p in problems)
    assert not any(p["code"] == "LL004" for p in problems)  # no flood of unknown classes


# --- the file system ------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_a_scanned_folder_does_not_block_and_is_named(tmp_path: Path) -> None:
    _good_and_broken(tmp_path / "labels")
    os.mkfifo(tmp_path / "labels" / "pipe.json")
    result = _labellint("check", "labels", "--format", "json", cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    pipe = [p for p in problems if p["path"] == "labels/pipe.json"]
    assert [p["code"] for p in pipe] == ["LL001"] and "a FIFO" in pipe[0]["message"]
    assert any(p["code"] == "LL202" for p in problems)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_named_fifo_is_not_a_regular_file_rather_than_missing(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")
    _good_and_broken(tmp_path)
    result = _labellint("check", "pipe.json", "broken_box.json", "--format", "json", cwd=tmp_path, timeout=60)
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert {(p["path"], p["code"]) for p in problems} == {("pipe.json", "LL001"), ("broken_box.json", "LL202")}
    assert "not a regular file (a FIFO)" in next(p["message"] for p in problems if p["path"] == "pipe.json")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_in_place_of_the_image_hash_cache_is_not_opened(tmp_path: Path) -> None:
    from labellint.rules._media import _load_cache

    os.mkfifo(tmp_path / "image-hashes.json")
    assert _load_cache(tmp_path / "image-hashes.json") == {}


def test_a_symlink_loop_in_a_scanned_folder_is_reported_per_entry(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    _good_and_broken(labels)
    (labels / "loop_a.json").symlink_to("loop_b.json")
    (labels / "loop_b.json").symlink_to("loop_a.json")
    result = run_cli("check", "labels", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 1
    found = _codes_by_path(result.stdout)
    assert found == {
        "labels/loop_a.json": ["LL001"],
        "labels/loop_b.json": ["LL001"],
        "labels/broken_box.json": ["LL202"],
    }


def test_undecodable_and_newline_file_names_are_printed_escaped(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    name = os.fsdecode(b"bad\xff\xfe\nname.json")
    write_coco(labels / name, [IMAGE], [BROKEN_BOX])
    write_coco(labels / "plain.json", [IMAGE], [BROKEN_BOX])
    text = _labellint("check", "labels", cwd=tmp_path)
    assert text.returncode == 1
    escaped = [line for line in text.stdout.splitlines() if line.startswith("labels/bad")]
    assert escaped == [escaped[0]] and escaped[0].startswith("labels/bad\\xff\\xfe\\nname.json:")
    as_json = _labellint("check", "labels", "--format", "json", cwd=tmp_path)
    paths = sorted(p["path"] for p in json.loads(as_json.stdout)["problems"])
    assert paths == ["labels/bad\\xff\\xfe\\nname.json", "labels/plain.json"]


# --- git --------------------------------------------------------------------------------------


def test_a_reflog_entry_past_the_end_is_an_unknown_revision(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t"}
    env["GIT_COMMITTER_EMAIL"] = "t@e"
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    _good_and_broken(tmp_path)
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    subprocess.run(["git", "commit", "-qm", "labels"], cwd=tmp_path, check=True, env=env)
    result = run_cli("diff", "HEAD@{999}", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "labellint: error: unknown revision 'HEAD@{999}'"


# --- nothing read, or fewer files than given ----------------------------------------------------


def test_a_folder_with_no_label_files_is_not_all_checks_passed(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("# notes\n")
    for folder, why in (("empty", "it holds no files"), ("docs", "skipped 1 file no reader claims")):
        result = run_cli("check", folder, "--format", "json", cwd=tmp_path)
        assert result.exit_code == 1
        [problem] = problems_of(result)
        assert (problem["code"], problem["path"]) == ("LL001", folder)
        assert why in problem["message"]


def test_stats_and_sample_name_the_files_they_could_not_read(tmp_path: Path) -> None:
    _good_and_broken(tmp_path / "labels")
    (tmp_path / "labels" / "huge.json").write_text(
        '{"images": [{"id": 9223372036854775808, "file_name": "a.jpg", "width": 5, "height": 5}],'
        ' "annotations": [], "categories": []}'
    )
    stats = run_cli("stats", "labels", "--format", "json", cwd=tmp_path)
    document = json.loads(stats.stdout)
    assert document["files"] == 2
    [note] = [n for n in document["notes"] if "unread" in n]
    assert note.startswith("figures leave out 1 unread file: labels/huge.json: integer 9223372036854775808")
    assert f"labellint: warning: {note}" in stats.stderr
    sample = run_cli("sample", "labels", "--rate", "1", cwd=tmp_path)
    assert f"labellint: warning: {note}" in sample.stderr


def test_a_control_character_in_the_spec_is_one_line_with_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "labelspec.yaml").write_text("spec: 1\nversion: 1.0.0\nclasses: {}\nnote: a\x01b\n")
    result = run_cli("spec", "validate", "labelspec.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert "labelspec.yaml:4:8: invalid YAML: unacceptable character #x0001" in line
