"""No PATHS and no config: every command reads the label files under `.`, as ruff checks `.`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco
from test_git_changes import git

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}


def boxes(n: int, first: int = 1, category: int = 3) -> list[dict]:
    """n boxes that each reach past the right edge (one LL201 each)."""
    return [
        {"id": first + i, "image_id": 1, "category_id": category, "bbox": [600, 10 + 9 * i, 100, 5]} for i in range(n)
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with labels/annotations.json and no config; label-like files where no one
    wants them read (a venv of any name, node_modules, .git, a git-ignored folder) and the
    usual non-label files a project holds."""
    root = tmp_path / "ds"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(root / "labels" / "annotations.json", [IMAGE], boxes(2))
    for hidden in ["env/lib/site.json", "node_modules/pkg/coco.json", "out/ignored.json"]:
        write_coco(root / hidden, [IMAGE], boxes(5))
    (root / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (root / ".gitignore").write_text("out/\n")
    (root / "requirements.txt").write_text("numpy>=1.26\n")
    (root / "package.json").write_text('{"name": "x"}\n')
    (root / "tsconfig.json").write_text('{"compilerOptions": {}}\n')
    git(root, "add", "labels", "labelspec.yaml", ".gitignore", "requirements.txt", "package.json", "tsconfig.json")
    git(root, "commit", "-qm", "first labels")
    write_coco(root / "labels" / "annotations.json", [IMAGE], [*boxes(2), *boxes(1, first=3, category=1)])
    git(root, "commit", "-qam", "one more pedestrian")
    return root


def files_of(problems: list[dict]) -> set[str]:
    return {p["path"] for p in problems if p["path"] and not p["path"].endswith("labelspec.yaml")}


def test_check_with_no_paths_reads_the_label_files_under_the_working_folder(repo: Path) -> None:
    bare = run_cli("check", "--format", "json", cwd=repo)
    assert bare.exit_code == 1, bare.stderr
    assert files_of(problems_of(bare)) == {"labels/annotations.json"}
    assert json.loads(bare.stdout)["summary"]["files"] == 1
    given = run_cli("check", "--format", "json", "labels", cwd=repo)
    assert problems_of(given) == problems_of(bare)  # as if `labels` had been given
    # From a subfolder, `.` is that folder.
    assert files_of(problems_of(run_cli("check", "--format", "json", cwd=repo / "labels"))) == {"annotations.json"}


def test_check_with_no_label_files_anywhere_says_so(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("click\n")
    result = run_cli("check", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no label files found under .: pass PATHS, or list `datasets` in the config" in result.stderr


def test_diff_and_log_with_no_paths(repo: Path) -> None:
    bare = json.loads(run_cli("diff", "HEAD~1", "--format", "json", cwd=repo).stdout)
    given = json.loads(run_cli("diff", "HEAD~1", "--path", "labels", "--format", "json", cwd=repo).stdout)
    assert bare == given
    assert (bare["annotations"]["added"], bare["annotations"]["unchanged"]) == (1, 2)
    log = run_cli("log", "--format", "json", cwd=repo)
    assert log.exit_code == 0, log.stderr
    assert [e["diff"]["annotations"]["added"] for e in json.loads(log.stdout)] == [1, 2]


def test_stats_and_sample_with_no_paths(repo: Path) -> None:
    stats = run_cli("stats", "--format", "json", cwd=repo)
    assert stats.exit_code == 0, stats.stderr
    document = json.loads(stats.stdout)
    assert (document["files"], document["annotations"]) == (1, 3)
    named = json.loads(run_cli("stats", "labels", "--format", "json", cwd=repo).stdout)
    # The same figures; only the note naming the skipped non-label files under `.` differs.
    assert {k: v for k, v in document.items() if k != "notes"} == {k: v for k, v in named.items() if k != "notes"}
    assert any("skipped" in note for note in document["notes"])
    sample = run_cli("sample", "--rate", "1", "--format", "jsonl", cwd=repo)
    assert sample.exit_code == 0, sample.stderr
    rows = [json.loads(line) for line in sample.stdout.splitlines()]
    assert {r["path"] for r in rows} == {"labels/annotations.json"} and len(rows) == 3


def test_stats_and_sample_read_the_configured_datasets_with_their_reader(repo: Path) -> None:
    (repo / "labellint.toml").write_text('[[datasets]]\npath = "labels/*.json"\nreader = "coco"\n')
    document = json.loads(run_cli("stats", "--format", "json", cwd=repo).stdout)
    assert (document["files"], document["annotations"]) == (1, 3)
    sample = run_cli("sample", "--rate", "1", "--format", "jsonl", cwd=repo)
    assert len(sample.stdout.splitlines()) == 3, sample.stderr


def test_hook_skips_changed_files_no_reader_claims(repo: Path) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}\n')
    (repo / "notes.csv").write_text("when,who\n2024-01-01,me\n")
    unrelated = ["requirements.txt", "tsconfig.json", ".vscode/settings.json", "notes.csv", "package.json"]
    alone = run_cli("check", "--changed-paths", "--format", "json", *unrelated, cwd=repo)
    assert alone.exit_code == 0, alone.stdout + alone.stderr
    assert [p["code"] for p in problems_of(alone) if p["code"] == "LL001"] == []
    with_labels = run_cli(
        "check", "--changed-paths", "--format", "json", *unrelated, "labels/annotations.json", cwd=repo
    )
    assert with_labels.exit_code == 1
    assert files_of(problems_of(with_labels)) == {"labels/annotations.json"}
    # Named outside the hook, a file no reader claims is still reported.
    named = run_cli("check", "--format", "json", "requirements.txt", cwd=repo)
    assert [p["code"] for p in problems_of(named)] == ["LL001"]
