"""Selecting, ignoring, re-levelling and configuring rules by code, prefix and name, in the
config file and on the command line; per-file-ignores, exclude, --show-settings; bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}
# One problem each of: LL201 (error, box past the right edge), LL203 (warning, tiny pedestrian).
ANNOTATIONS = [
    {"id": 1, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]},
    {"id": 2, "image_id": 1, "category_id": 1, "bbox": [10, 10, 3, 12]},
]
# The spec's car has only one include example: LL402 (warning) on the spec.
THIN_SPEC = SPEC_TEXT.replace("include: [sedan, van, taxi]", "include: [sedan]")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "labelspec.yaml").write_text(THIN_SPEC)
    write_coco(tmp_path / "labels" / "a.json", [IMAGE], ANNOTATIONS)
    return tmp_path


def codes(repo: Path, *args: str, config: str | None = None) -> dict[str, str]:
    """code -> severity of every LL2xx/LL4xx problem a JSON run reports (the rules this data exercises;
    other rules' problems, e.g. unused classes, are not what these tests are about)."""
    if config is not None:
        (repo / "labellint.toml").write_text(config)
    result = run_cli("check", "labels", "--format", "json", *args, cwd=repo)
    assert result.exit_code in (0, 1), result.output
    return {p["code"]: p["severity"] for p in problems_of(result) if p["code"][:3] in ("LL2", "LL4")}


def test_defaults_report_all_three(repo: Path) -> None:
    assert codes(repo) == {"LL201": "error", "LL203": "warning", "LL402": "warning"}


@pytest.mark.parametrize("selector", ["LL201", "LL20", "bbox-out-of-bounds"])
def test_select_by_code_prefix_or_name(repo: Path, selector: str) -> None:
    expected = {"LL201"} if selector != "LL20" else {"LL201", "LL203"}
    assert set(codes(repo, "--select", selector)) == expected
    assert set(codes(repo, config=f'select = ["{selector}"]\n')) == expected


@pytest.mark.parametrize("selector", ["LL402", "LL4", "class-few-examples"])
def test_ignore_and_extend_select(repo: Path, selector: str) -> None:
    assert set(codes(repo, "--ignore", selector)) == {"LL201", "LL203"}
    assert set(codes(repo, config=f'ignore = ["{selector}"]\n')) == {"LL201", "LL203"}
    # extend-select adds to the file's selection instead of replacing it.
    # The prefix LL4 also names LL405 (off by default, so only an explicit selection runs it).
    extended = {"LL201", "LL402"} | ({"LL405"} if selector == "LL4" else set())
    assert set(codes(repo, "--extend-select", selector, config='select = ["LL201"]\n')) == extended


def test_command_line_select_replaces_the_files(repo: Path) -> None:
    assert set(codes(repo, "--select", "LL203", config='select = ["LL201"]\n')) == {"LL203"}


@pytest.mark.parametrize("selector", ["LL201", "LL2", "bbox-out-of-bounds"])
def test_relevel_by_code_prefix_or_name(repo: Path, selector: str) -> None:
    expected_203 = "info" if selector == "LL2" else "warning"
    in_file = codes(repo, config=f'[rules.{selector}]\nseverity = "info"\n')
    assert in_file == {"LL201": "info", "LL203": expected_203, "LL402": "warning"}
    (repo / "labellint.toml").unlink()
    assert codes(repo, "--severity", f"{selector}=info") == in_file


def test_relevel_changes_the_exit_code(repo: Path) -> None:
    assert run_cli("check", "labels", cwd=repo).exit_code == 1
    assert run_cli("check", "labels", "--severity", "LL201=warning", cwd=repo).exit_code == 0
    # The more specific setting wins whatever the order in the file.
    (repo / "labellint.toml").write_text('[rules.LL201]\nseverity = "error"\n[rules.LL2]\nseverity = "info"\n')
    assert codes(repo)["LL201"] == "error"


def test_the_command_line_wins_over_the_file(repo: Path) -> None:
    assert codes(repo, "--severity", "LL201=warning", config='[rules.LL201]\nseverity = "info"\n')["LL201"] == "warning"


@pytest.mark.parametrize("selector", ["LL402", "class-few-examples"])
def test_rule_options_in_the_file_and_on_the_command_line(repo: Path, selector: str) -> None:
    # The spec's car has 1 include example; with a minimum of 1 nothing is reported, with 4 every class is.
    assert "LL402" not in codes(repo, config=f"[rules.{selector}]\nmin-include = 1\n")
    (repo / "labellint.toml").unlink()
    assert "LL402" not in codes(repo, "--rule-option", f"{selector}.min-include=1")
    result = run_cli("check", "labels", "--format", "json", "--rule-option", f"{selector}.min_include=4", cwd=repo)
    messages = [p["message"] for p in problems_of(result) if p["code"] == "LL402"]
    assert sorted(messages) == sorted(
        f"class {name!r} has {count} include example{'s' if count != 1 else ''}, fewer than 4"
        for name, count in [("pedestrian", 3), ("cyclist", 3), ("car", 1)]
    )


def test_options_through_pyproject(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.labellint.rules.class-few-examples]\nmin-include = 1\n")
    assert "LL402" not in codes(repo)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("[rules.LL402]\nmin-includ = 2\n", "rules.LL402: unknown option 'min-includ' (did you mean 'min-include'?)"),
        ('[rules.LL402]\nmin-include = "two"\n', "rules.LL402.min-include: Input should be a valid integer"),
        ("[rules.LL402]\nmin-include = -1\n", "rules.LL402.min-include: Input should be greater than or equal to 0"),
        (
            '[rules.LL201]\nseverity = "warn"\n',
            "rules.LL201.severity: 'warn' is not a severity (did you mean 'warning'?)",
        ),
        ('[rules.LL42]\nseverity = "info"\n', "rules.LL42: unknown rule selector 'LL42'"),
        ("[rules.LL4]\nmin-include = 1\n", "options apply to one rule, but 'LL4' selects LL401, LL402, LL403, LL404"),
        ("[rules.LL201]\nlimit = 1\n", "rules.LL201: unknown option 'limit' (LL201 has no options)"),
        ('select = ["LL2O1"]\n', "unknown rule selector 'LL2O1' (did you mean 'LL201'?)"),
        ('[per-file-ignores]\n"x/*" = ["bbox-out-of-bound"]\n', "did you mean 'bbox-out-of-bounds'?"),
        ('exclud = ["x"]\n', "unknown key 'exclud' (did you mean 'exclude'?)"),
    ],
)
def test_bad_config_values_give_one_clear_line(repo: Path, config: str, message: str) -> None:
    (repo / "labellint.toml").write_text(config)
    result = run_cli("check", "labels", cwd=repo)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [("--severity", "LL201"), ("--severity", "LL201=fatal"), ("--rule-option", "LL402=2"), ("--per-file-ignores", "x")],
)
def test_bad_command_line_values_give_one_clear_line(repo: Path, args: tuple[str, ...]) -> None:
    result = run_cli("check", "labels", *args, cwd=repo)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_per_file_ignores_and_exclude(repo: Path) -> None:
    write_coco(repo / "labels" / "legacy" / "old.json", [IMAGE], ANNOTATIONS)
    everything = run_cli("check", "labels", "--format", "json", cwd=repo)
    paths = {(p["path"], p["code"]) for p in problems_of(everything)}
    assert ("labels/legacy/old.json", "LL201") in paths and ("labels/a.json", "LL201") in paths

    (repo / "labellint.toml").write_text('[per-file-ignores]\n"labels/legacy/*" = ["LL2"]\n')
    result = run_cli("check", "labels", "--format", "json", cwd=repo)
    left = {(p["path"], p["code"]) for p in problems_of(result)}
    assert left == paths - {("labels/legacy/old.json", "LL201"), ("labels/legacy/old.json", "LL203")}
    # A pattern without a slash matches a folder or file name anywhere; CLI equivalent.
    (repo / "labellint.toml").unlink()
    result = run_cli("check", "labels", "--format", "json", "--per-file-ignores", "legacy:bbox-too-small", cwd=repo)
    assert {(p["path"], p["code"]) for p in problems_of(result)} == paths - {("labels/legacy/old.json", "LL203")}

    # exclude: the file is not even read.
    (repo / "labellint.toml").write_text('exclude = ["labels/legacy"]\n')
    result = run_cli("check", "labels", "--format", "json", cwd=repo)
    assert json.loads(result.stdout)["summary"]["files"] == 1
    (repo / "labellint.toml").unlink()
    result = run_cli("check", "labels", "--format", "json", "--exclude", "old.json", cwd=repo)
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_show_settings_says_where_each_came_from(repo: Path) -> None:
    (repo / "labellint.toml").write_text('ignore = ["LL203"]\n[rules.LL402]\nmin-include = 2\nseverity = "error"\n')
    result = run_cli("check", "labels", "--show-settings", "--severity", "LL201=info", cwd=repo)
    assert result.exit_code == 0, result.output
    settings = json.loads(result.stdout)
    assert settings["config"].endswith("labellint.toml")
    assert settings["spec"] == "labelspec.yaml"
    assert "LL203" not in settings["rules"]
    assert settings["rules"]["LL402"]["options"] == {"min_include": 2, "min_exclude": 3}
    assert settings["rules"]["LL402"]["severity"] == "error"
    assert "options from" in settings["rules"]["LL402"]["origin"]
    assert settings["rules"]["LL201"]["severity"] == "info"
    assert "severity from command line" in settings["rules"]["LL201"]["origin"]
    assert settings["rules"]["LL001"]["origin"].startswith("selected by")


def test_bad_rule_settings_name_the_line(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.labellint.rules.LL201]\nseverity = "info"\n\n'
        "[tool.labellint.rules.class-few-examples]\n# the minimum\nmin-exclude = 2\nmin-includ = 2\n"
    )
    result = run_cli("check", "labels", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(
        "pyproject.toml:10: rules.class-few-examples: unknown option 'min-includ' (did you mean 'min-include'?)"
    )
