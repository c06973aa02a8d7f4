"""A `names` reader option (a `[[datasets]]` entry's class names list) that gives one name to two
indexes is LL003 at its line in the config, as the same list in a names file is; the labels are
still read and checked."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import problems_of, run_cli

ROWS = "0 0.5 0.5 0.2 0.2\n2 0.3 0.3 0.1 0.1\n"


def _yolo(root: Path) -> None:
    (root / "labels").mkdir(parents=True)
    (root / "labels" / "street.txt").write_text(ROWS)


def _check(root: Path) -> tuple[int, list[dict]]:
    result = run_cli("check", "--format", "json", cwd=root)
    assert "Traceback" not in result.output
    return result.exit_code, problems_of(result)


def _position(text: str, needle: str, occurrence: int) -> tuple[int, int]:
    """(line, column) of the occurrence-th `needle` in text, counted here by plain search."""
    at = -1
    for _ in range(occurrence):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def test_a_name_given_twice_in_the_option_is_ll003_at_its_config_line(tmp_path):
    _yolo(tmp_path)
    config = (
        '[[datasets]]\npath = "labels/*.txt"\nreader = "yolo"\n'
        '[datasets.options]\nnames = [\n  "car",\n  "truck",\n  "car",\n]\n'
        '\n[[datasets]]\npath = "other/*.txt"\nreader = "yolo"\noptions = { names = ["car", "van"] }\n'
    )
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "b.txt").write_text("1 0.5 0.5 0.2 0.2\n")
    (tmp_path / "labellint.toml").write_text(config)
    code, problems = _check(tmp_path)
    [repeat] = [p for p in problems if p["code"] == "LL003"]
    assert code == 1 and repeat["path"] == "labellint.toml"
    assert (repeat["line"], repeat["column"]) == _position(config, '"car"', 2)  # the second "car"
    assert repeat["message"] == (
        "reader option `names`: class name 'car' is given to index 2 again (first to index 0): "
        "two classes under one name"
    )
    # The labels are still read: both files, all three rows (nothing dropped for the config).
    result = run_cli("check", "--format", "json", cwd=tmp_path)
    assert problems_of(result) == problems
    assert json.loads(result.stdout)["summary"]["annotations"] == ROWS.count("\n") + 1  # street.txt's rows, b.txt's one


def test_the_same_list_in_a_names_file_says_the_same(tmp_path):
    _yolo(tmp_path)
    (tmp_path / "labels" / "classes.txt").write_text("car\ntruck\ncar\n")
    (tmp_path / "labellint.toml").write_text('[[datasets]]\npath = "labels/street.txt"\nreader = "yolo"\n')
    _, problems = _check(tmp_path)
    [repeat] = [p for p in problems if p["code"] == "LL003"]
    assert repeat["path"] == "labels/classes.txt" and repeat["line"] == 3
    assert (
        repeat["message"] == "class name 'car' is given to index 2 again (first to index 0): two classes under one name"
    )


def test_inline_option_in_pyproject_and_no_repeat_no_problem(tmp_path):
    _yolo(tmp_path)
    pyproject = (
        '[project]\nname = "x"\n\n[[tool.labellint.datasets]]\npath = "labels/*.txt"\n'
        "options = {names = ['a', 'b', 'a', 'a']}\n"
    )
    (tmp_path / "pyproject.toml").write_text(pyproject)
    _, problems = _check(tmp_path)
    repeats = [(p["path"], p["line"], p["column"], p["message"]) for p in problems if p["code"] == "LL003"]
    assert [r[:3] for r in repeats] == [
        ("pyproject.toml", *_position(pyproject, "'a'", 2)),
        ("pyproject.toml", *_position(pyproject, "'a'", 3)),
    ]
    assert "index 3 again (first to index 0)" in repeats[1][3]
    (tmp_path / "pyproject.toml").write_text(pyproject.replace("'a', 'a']", "'c', 'd']"))
    assert [p for p in _check(tmp_path)[1] if p["code"] == "LL003"] == []
