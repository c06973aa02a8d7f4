"""What a ruff user expects: NO_COLOR/FORCE_COLOR, -q, --output-format, did-you-mean, quiet pipes,
plurals, readable report files, honest baseline and config messages."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco
from test_git_changes import git
from test_spec_versioning import BASE_SPEC, CATEGORIES, _annotations, _images, commit, edit, make_repo

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}
ESC = "\x1b["


def boxes(n: int) -> list[dict]:
    """n boxes that each reach past the right edge (one LL201 error each)."""
    return [{"id": 1 + i, "image_id": 1, "category_id": 3, "bbox": [600, i % 400, 100, 5]} for i in range(n)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(tmp_path / "labels" / "one.json", [IMAGE], boxes(1))
    return tmp_path


def test_no_color_and_force_color(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ESC not in run_cli("check", cwd=repo).stdout  # not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC in run_cli("check", cwd=repo).stdout
    assert ESC not in run_cli("check", "--no-color", cwd=repo).stdout
    monkeypatch.setenv("NO_COLOR", "1")
    assert ESC not in run_cli("check", cwd=repo).stdout
    assert ESC in run_cli("check", "--color", cwd=repo).stdout  # the flag wins over both
    monkeypatch.setenv("FORCE_COLOR", "0")
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set
    assert ESC not in run_cli("check", cwd=repo).stdout


def test_quiet_prints_the_problems_only(repo: Path) -> None:
    loud = run_cli("check", cwd=repo)
    quiet = run_cli("check", "-q", cwd=repo)
    assert quiet.exit_code == loud.exit_code == 1
    assert loud.stdout.splitlines()[-1].startswith("Found 1 problem ")
    assert quiet.stdout.splitlines() == loud.stdout.splitlines()[:-1]
    write_coco(repo / "labels" / "one.json", [IMAGE], [])
    assert run_cli("check", "--quiet", cwd=repo).stdout == ""


def test_output_format_is_an_alias_of_format(repo: Path) -> None:
    for command in [["check"], ["stats"], ["rules"]]:
        by_format = run_cli(*command, "--format", "json", cwd=repo).stdout
        assert json.loads(by_format) and run_cli(*command, "--output-format", "json", cwd=repo).stdout == by_format


@pytest.mark.parametrize(
    ("command", "typo", "known", "meant"),
    [
        (["check"], "sarf", "github, gitlab, html, json, junit, markdown, sarif, text, auto", "sarif"),
        (["stats"], "jsn", "text, json", "json"),
        (["rules"], "markdwn", "text, json, markdown", "markdown"),
        (["diff", "HEAD"], "txt", "text, json, markdown, html", "text"),
    ],
)
def test_an_unknown_format_lists_every_choice_and_the_nearest(repo, command, typo, known, meant) -> None:
    result = run_cli(*command, "--format", typo, cwd=repo)
    assert result.exit_code == 2
    assert f"{typo!r} is not one of {known} (did you mean {meant!r}?)" in result.stderr


def test_spec_check_compares_with_head_by_default(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "spec")
    result = run_cli("spec", "check", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == run_cli("spec", "check", "--base", "HEAD", cwd=tmp_path).stdout


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    # `labellint spec affected ... | head -1`: one line per item, far more than the pipe takes.
    files = {"labellint.toml": 'spec = "labelspec.yaml"\n[[datasets]]\npath = "labels/*.json"\n'}
    repo = make_repo(tmp_path / "repo", BASE_SPEC, files)
    pairs = [(image, 3) for image in range(1, 4001)]
    write_coco(repo / "labels" / "train.json", _images(4000), _annotations(pairs), CATEGORIES)
    commit(repo, "labels")
    (repo / "labelspec.yaml").write_text(edit("A passenger vehicle.", "A passenger vehicle, vans included.")(BASE_SPEC))
    process = subprocess.Popen(
        [sys.executable, "-m", "labellint", "spec", "affected", "--base", "HEAD"],
        cwd=repo,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = process.stdout.readline()
    process.stdout.close()  # as `| head -1` does
    stderr = process.stderr.read().decode()
    assert first.strip(), first
    assert process.wait(timeout=300) == 141, stderr
    assert stderr == ""


def test_counts_are_in_words(repo: Path) -> None:
    assert run_cli("check", cwd=repo).stdout.splitlines()[-1] == (
        "Found 1 problem (1 error) in 1 file, 1 item, 1 annotation."
    )
    write_coco(repo / "labels" / "two.json", [IMAGE, {**IMAGE, "id": 2, "file_name": "b.jpg"}], boxes(2))
    assert run_cli("check", cwd=repo).stdout.splitlines()[-1] == (
        "Found 3 problems (3 errors) in 2 files, 3 items, 3 annotations."
    )


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_report_files_follow_the_umask(repo: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        run_cli("check", "--output", "sarif:report.sarif", "-o", "json:report.json", cwd=repo)
        written = [repo / "report.sarif", repo / "report.json"]
        run_cli("check", "--baseline", "baseline.json", "--update-baseline", cwd=repo)
        written.append(repo / "baseline.json")
    finally:
        os.umask(previous)
    assert [stat.S_IMODE(p.stat().st_mode) for p in written] == [mode] * 3
    (repo / "report.sarif").chmod(0o640)  # a mode the user chose is kept on rewrite
    run_cli("check", "--output", "sarif:report.sarif", cwd=repo)
    assert stat.S_IMODE((repo / "report.sarif").stat().st_mode) == 0o640


def test_update_baseline_says_what_it_recorded(repo: Path) -> None:
    write_coco(repo / "labels" / "two.json", [IMAGE], boxes(2))
    result = run_cli("check", "--baseline", "baseline.json", "--update-baseline", cwd=repo)
    assert result.exit_code == 0
    assert "All checks passed" not in result.stdout
    assert "labellint: wrote 3 problems to the baseline baseline.json" in result.stderr
    assert len(json.loads((repo / "baseline.json").read_text())["problems"]) == 3
    again = run_cli("check", "--baseline", "baseline.json", "--format", "json", cwd=repo)
    assert problems_of(again) == []


def test_a_toml_error_names_the_file_as_given_and_the_line(repo: Path) -> None:
    (repo / "labellint.toml").write_text('spec = "labelspec.yaml"\nselect = ["LL2",\nignore = x\n')
    result = run_cli("check", cwd=repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("labellint: error: labellint.toml:3:")
    assert "invalid TOML" in result.stderr and str(repo) not in result.stderr


def test_project_urls_have_one_home(repo: Path) -> None:
    import tomllib

    from conftest import REPO_ROOT

    repository = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
    sarif = json.loads(run_cli("check", "--format", "sarif", cwd=repo).stdout)
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == repository
    rules = {rule["id"]: rule["helpUri"] for rule in driver["rules"]}
    assert rules["LL201"] == f"{repository}/tree/main/rules/LL201-bbox-out-of-bounds"
    assert all(uri.startswith(f"{repository}/tree/main/rules/LL") for uri in rules.values())
    # Every link to the project elsewhere (hooks, action, examples) starts with that same URL.
    owner = "/".join(repository.split("/")[:-1])
    names = [".pre-commit-hooks.yaml", "action.yml", "README.md", "examples/ci/github-workflow.yml"]
    for name in names:
        for url in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", (REPO_ROOT / name).read_text()):
            if url.startswith(owner) or "labellint" in url.rsplit("/", 1)[-1]:
                assert url == repository, (name, url)


def test_the_distribution_name_differs_from_the_taken_one() -> None:
    from importlib.metadata import distribution, packages_distributions

    from conftest import REPO_ROOT

    assert '\nname = "labellint-git"\n' in (REPO_ROOT / "pyproject.toml").read_text()
    assert "labellint-git" in packages_distributions()["labellint"]
    assert distribution("labellint-git").entry_points.select(group="console_scripts")["labellint"]


@pytest.mark.parametrize(
    ("words", "cword", "expected"), [("labellint che", 1, "check"), ("labellint check --format sa", 3, "sarif")]
)
def test_shell_completion_as_the_readme_says(words: str, cword: int, expected: str) -> None:
    import shutil

    from conftest import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text()
    assert 'eval "$(labellint completion bash)"' in readme
    command = shutil.which("labellint", path=str(Path(sys.executable).parent))
    assert command, "the labellint script is not installed beside this Python"
    env = dict(os.environ)
    source = subprocess.run([command, "completion", "bash"], env=env, capture_output=True, text=True, check=True)
    assert "complete -o nosort -F _labellint_completion labellint" in source.stdout
    env |= {"_LABELLINT_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    done = subprocess.run([command], env=env, capture_output=True, text=True, check=True)
    assert f"plain,{expected}" in done.stdout.splitlines()


def test_messages_under_zero_major_agree_with_what_bump_writes(tmp_path: Path) -> None:
    base = BASE_SPEC.replace("version: 1.2.0   #", "version: 0.4.0   #")
    repo = make_repo(tmp_path / "repo", base)
    (repo / "labelspec.yaml").write_text(base.replace("  car:\n    id: 3", "  automobile:\n    id: 3"))
    before = run_cli("spec", "check", cwd=repo)
    assert before.exit_code == 1
    assert "needs a major bump (to 0.5.0, a minor bump under 0.x)" in before.stdout
    assert "1.0.0" not in before.stdout
    bumped = run_cli("spec", "bump", cwd=repo)
    assert bumped.exit_code == 0, bumped.output
    assert "0.4.0 -> 0.5.0 (minor: a major change under 0.x)" in bumped.stdout
    assert "version: 0.5.0   #" in (repo / "labelspec.yaml").read_text()
    after = run_cli("spec", "check", cwd=repo)
    assert after.exit_code == 0, after.output
    first, last = after.stdout.splitlines()[0], after.stdout.splitlines()[-1]
    assert first.endswith("the changes need major, the version made minor (enough under 0.x)")
    assert last.startswith("spec check ok")


@pytest.mark.parametrize("order", ["missing-head", "missing-base"])
def test_diff_names_the_missing_file(tmp_path: Path, order: str) -> None:
    write_coco(tmp_path / "v2.json", [IMAGE], boxes(1))
    args = ["v2.json", "nosuch.json"] if order == "missing-head" else ["nosuch.json", "v2.json"]
    result = run_cli("diff", *args, cwd=tmp_path)  # not a git repository either
    assert result.exit_code == 2
    assert result.stderr == "labellint: error: nosuch.json: no such file or folder (to compare with v2.json)\n"


def test_spec_todos_after_init_are_one_line_per_rule(tmp_path: Path) -> None:
    from conftest import shared_path

    source = shared_path("data", "coco", "taco", "annotations_v4_508da01.json")
    (tmp_path / ".git").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "annotations.json").write_bytes(source.read_bytes())
    classes = len({c["name"] for c in json.loads(source.read_text())["categories"]})
    assert run_cli("init", "--from", "labels/", cwd=tmp_path).exit_code == 0
    listed = run_cli("check", "--show-todos", cwd=tmp_path).stdout.splitlines()
    todo_lines = [line for line in listed if re.search(r": LL40[123] ", line)]
    # init leaves every class without a definition, include and exclude examples, and no unsure path.
    assert len(todo_lines) == classes + 2 * classes + 1
    shown = run_cli("check", cwd=tmp_path)
    assert shown.exit_code == 1
    lines = shown.stdout.splitlines()
    assert [line for line in lines if re.search(r": LL40[123] ", line)] == []
    assert lines[-4:-1] == [
        f"LL401 class-missing-definition: {classes} spec TODO warnings; list them: labellint check --select LL401",
        f"LL402 class-few-examples: {2 * classes} spec TODO warnings; list them: labellint check --select LL402",
        "LL403 spec-no-unsure-path: 1 spec TODO warning; list them: labellint check --select LL403",
    ]
    assert len(lines) == len(listed) - len(todo_lines) + 3
    assert lines[-1] == listed[-1]  # the summary still counts them
    # Every other problem is there, in the same order.
    assert lines[:-4] == [line for line in listed[:-1] if line not in todo_lines]
    # Asking for them lists them: by the hint's command, by prefix, or in machine formats.
    assert len(run_cli("check", "--select", "LL402", cwd=tmp_path).stdout.splitlines()) == 2 * classes + 1
    # The prefix also selects LL405 (off by default): init writes no edge cases, so one per class.
    by_prefix = run_cli("check", "--select", "LL4", cwd=tmp_path).stdout.splitlines()
    assert len(by_prefix) == len(todo_lines) + classes + 1
    assert sum(": LL405 " in line for line in by_prefix) == classes
    document = json.loads(run_cli("check", "--format", "json", cwd=tmp_path).stdout)
    assert sum(p["code"].startswith("LL40") for p in document["problems"]) == len(todo_lines)


def test_init_from_a_table_without_classes_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "labels.csv").write_text("filename,label\na.jpg,cat\nb.jpg,dog\n")
    result = run_cli("init", "--from", "labels/", "--reader", "csv", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("labellint: error: labels/: no classes found in 1 label file (labels/labels.csv:1:")
    assert "nothing written" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["labels"]


def test_unknown_class_names_the_spec_class_with_the_same_id(repo: Path) -> None:
    categories = [{"id": 1, "name": "pedestrian"}, {"id": 2, "name": "cyclist"}, {"id": 3, "name": "cyclists"}]
    write_coco(repo / "labels" / "one.json", [IMAGE], [{**boxes(1)[0], "bbox": [1, 1, 50, 50]}], categories)
    message = problems_of(run_cli("check", "--format", "json", cwd=repo))[0]["message"]
    # 'cyclists' looks like 'cyclist', but id 3 says it is the spec's 'car', renamed.
    assert message == (
        "class 'cyclists' is not defined in the spec; the spec's class with id 3 is 'car' "
        "(renamed? relabel, or add 'cyclists' to its aliases)"
    )


def test_renames_between_taco_releases_are_named(tmp_path: Path) -> None:
    from conftest import shared_path

    newer = json.loads(shared_path("data", "coco", "taco", "annotations_v4_508da01.json").read_text())
    older = shared_path("data", "coco", "taco", "annotations_v3_1e4d24a.json")
    (tmp_path / ".git").mkdir()
    write_coco(tmp_path / "new" / "annotations.json", [], [], newer["categories"])
    assert run_cli("init", "--from", "new/", cwd=tmp_path).exit_code == 0
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "annotations.json").write_bytes(older.read_bytes())
    new_by_id = {c["id"]: c["name"] for c in newer["categories"]}
    renamed = {
        c["name"]: new_by_id[c["id"]]
        for c in json.loads(older.read_text())["categories"]
        if c["name"] not in new_by_id.values() and c["id"] in new_by_id
    }
    assert renamed  # TACO renamed classes between these releases
    result = run_cli("check", "labels", "--select", "LL101", "--format", "json", cwd=tmp_path)
    found = {re.match(r"class '(.+?)'", p["message"]).group(1): p["message"] for p in problems_of(result)}
    used = {name for name in renamed if name in found}
    assert used and set(found) <= set(renamed)
    for old in used:  # the hint names the class the id says it became, never another look-alike
        hint = found[old].split("; ", 1)[1]
        assert repr(renamed[old]) in hint, found[old]
        assert hint.startswith(("did you mean", "the spec's class with id ")), found[old]
    # 'Plastic drink bottle' became 'Clear plastic bottle' (id 5): no look-alike name says so.
    assert "the spec's class with id 5 is 'Clear plastic bottle' (renamed?" in found["Plastic drink bottle"]
