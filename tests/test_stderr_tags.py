"""Every stderr line is `labellint: error: …`, `labellint: warning: …` or a note, written by one helper."""

from __future__ import annotations

import ast
import csv
from pathlib import Path

from helpers import run_cli

PACKAGE = Path(__file__).resolve().parent.parent / "labellint"
HELPER = PACKAGE / "support" / "stderr.py"


def test_only_the_helper_writes_messages_to_stderr() -> None:
    """No `click.echo(..., err=True)` or `print(..., file=sys.stderr)` outside support/stderr.py
    (progress bars that redraw one line in place, `nl=False`, are not messages)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path == HELPER:
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            to_err = isinstance(keywords.get("err"), ast.Constant) and keywords["err"].value is True
            to_file = "file" in keywords and ast.unparse(keywords["file"]) == "sys.stderr"
            in_place = isinstance(keywords.get("nl"), ast.Constant) and keywords["nl"].value is False
            is_print = isinstance(node.func, ast.Name) and node.func.id == "print"
            if (to_err and not in_place) or (to_file and is_print):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_a_fatal_error_is_tagged(tmp_path: Path) -> None:
    result = run_cli("check", "missing.json", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "labellint: error: no such file or folder: missing.json\n"


def test_dropped_ratings_and_bad_rows_are_warnings(tmp_path: Path) -> None:
    rows = [["item", "annotator", "label"], ["1", "a", "x"], ["1", "a", "y"], ["1", "b", "x"], ["2", "a", "x"]]
    rows += [["2", "b", "x"], ["3", "a"]]
    with (tmp_path / "r.csv").open("w", newline="") as stream:
        csv.writer(stream).writerows(rows)
    result = run_cli("agree", "r.csv", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.startswith("labellint: warning: r.csv:7: ") for line in lines), lines
    assert "labellint: warning: 1 repeated ratings of the same item by the same annotator dropped" in result.stderr
    assert all(line.startswith(("labellint: warning: ", "labellint: error: ", "labellint: ")) for line in lines)


def test_an_invalid_spec_is_one_located_line_per_problem(tmp_path: Path) -> None:
    """Located problems keep the `PATH:LINE:COL:` form, as `check` prints label problems."""
    (tmp_path / "labelspec.yaml").write_text("spec: 1\nname: x\nversion: one\nclasses: {}\n")
    result = run_cli("spec", "validate", "labelspec.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("labelspec.yaml:") for line in lines), lines
