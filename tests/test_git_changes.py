"""`check --changed-since REV` and `--staged` on real temporary git repositories (git is never mocked)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    # An empty global config of our own; never os.devnull, which a git write would replace with a file.
    "GIT_CONFIG_GLOBAL": str(Path(tempfile.mkdtemp(prefix="labellint-git-")) / "config"),
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def out_of_bounds(n: int, first_id: int = 1) -> list[dict]:
    """n boxes that each reach past the right edge (one LL201 problem each)."""
    return [{"id": first_id + i, "image_id": 1, "category_id": 3, "bbox": [600, 10 + 10 * i, 100, 5]} for i in range(n)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A dataset repo: spec, config naming the datasets, three label files with problems, one commit."""
    root = tmp_path / "ds"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "labelspec.yaml").write_text(SPEC_TEXT)
    (root / "labellint.toml").write_text('spec = "labelspec.yaml"\n\n[[datasets]]\npath = "labels"\nreader = "coco"\n')
    for name, n in [("a", 1), ("b", 2), ("c", 3)]:
        write_coco(root / "labels" / f"{name}.json", [IMAGE], out_of_bounds(n))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "labels")
    return root


def files_of(problems: list[dict]) -> dict[str, int]:
    """Problems per label file (problems placed in the spec are looked at separately)."""
    counts: dict[str, int] = {}
    for p in problems:
        if p["path"] and p["path"].rsplit("/", 1)[-1] != "labelspec.yaml":
            counts[p["path"]] = counts.get(p["path"], 0) + 1
    return counts


def dataset_level(problems: list[dict]) -> list[dict]:
    """Problems of dataset-scoped rules placed outside the label files (e.g. in the spec)."""
    from labellint.rules import Scope, all_rules

    scoped = {code for code, rule in all_rules().items() if rule.scope is Scope.DATASET}
    return [p for p in problems if p["code"] in scoped and p["path"] and p["path"].endswith("labelspec.yaml")]


def check_json(repo: Path, *args: str, cwd: Path | None = None):
    result = run_cli("check", "--format", "json", *args, cwd=cwd or repo)
    return result, (problems_of(result) if result.stdout else [])


def test_changed_since_reports_only_changed_label_files(repo: Path) -> None:
    write_coco(repo / "labels" / "b.json", [IMAGE], out_of_bounds(4))  # b: 2 → 4 problems
    write_coco(repo / "labels" / "new.json", [IMAGE], out_of_bounds(1))  # untracked counts as changed
    _, everything = check_json(repo)
    assert files_of(everything) == {"labels/a.json": 1, "labels/b.json": 4, "labels/c.json": 3, "labels/new.json": 1}
    result, changed = check_json(repo, "--changed-since", "HEAD")
    assert result.exit_code == 1
    in_changed = [p for p in everything if p["path"] in {"labels/b.json", "labels/new.json"}]
    assert [p for p in changed if p["path"].startswith("labels/")] == in_changed
    # Dataset-level findings (a spec class no label uses, …) are kept: any label change may cause them.
    assert [p for p in changed if not p["path"].startswith("labels/")] == dataset_level(everything)
    assert "4 problems in unchanged files not shown (since HEAD)" in result.stderr
    # The counts show the whole dataset was read: dataset-level rules saw every file.
    assert json.loads(result.stdout)["summary"]["files"] == 4


def test_changed_since_compares_with_the_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-qb", "feature")
    write_coco(repo / "labels" / "a.json", [IMAGE], out_of_bounds(2))
    git(repo, "commit", "-qam", "feature edits a")
    git(repo, "checkout", "-q", "main")
    write_coco(repo / "labels" / "c.json", [IMAGE], out_of_bounds(5))
    git(repo, "commit", "-qam", "main edits c")
    git(repo, "checkout", "-q", "feature")
    # c.json differs from main's tip, but the feature branch never touched it.
    _, changed = check_json(repo, "--changed-since", "main")
    assert files_of(changed) == {"labels/a.json": 2}


def test_paths_are_matched_from_a_subfolder(repo: Path) -> None:
    write_coco(repo / "labels" / "c.json", [IMAGE], out_of_bounds(2))
    _, changed = check_json(repo, ".", "--changed-since", "HEAD", cwd=repo / "labels")
    assert files_of(changed) == {"c.json": 2}


def test_a_spec_or_config_change_touches_every_file(repo: Path) -> None:
    (repo / "labelspec.yaml").write_text(SPEC_TEXT.replace("version: 1.0.0", "version: 1.1.0"))
    result, changed = check_json(repo, "--changed-since", "HEAD")
    assert files_of(changed) == {"labels/a.json": 1, "labels/b.json": 2, "labels/c.json": 3}
    assert "labelspec.yaml changed (since HEAD): checking every label file" in result.stderr
    git(repo, "checkout", "-q", "--", "labelspec.yaml")
    (repo / "labellint.toml").write_text((repo / "labellint.toml").read_text() + "\n# tweak\n")
    _, changed = check_json(repo, "--changed-since", "HEAD")
    assert sum(files_of(changed).values()) == 6


def test_staged_looks_only_at_the_index(repo: Path) -> None:
    write_coco(repo / "labels" / "a.json", [IMAGE], out_of_bounds(3))
    git(repo, "add", "labels/a.json")
    write_coco(repo / "labels" / "b.json", [IMAGE], out_of_bounds(3))  # changed, not staged
    result, staged = check_json(repo, "--staged")
    assert result.exit_code == 1
    assert files_of(staged) == {"labels/a.json": 3}
    git(repo, "commit", "-qm", "a")
    result, staged = check_json(repo, "--staged")
    assert result.exit_code == 0 and files_of(staged) == {}
    git(repo, "add", "labels/b.json")
    _, staged = check_json(repo, "--staged")
    assert files_of(staged) == {"labels/b.json": 3}


def test_staged_in_a_repository_without_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(tmp_path / "one.json", [IMAGE], out_of_bounds(1))
    write_coco(tmp_path / "two.json", [IMAGE], out_of_bounds(2))
    git(tmp_path, "add", "two.json")
    _, staged = check_json(tmp_path, "one.json", "two.json", "--staged")
    assert files_of(staged) == {"two.json": 2}


def test_shallow_history_gets_a_clear_message(repo: Path, tmp_path: Path) -> None:
    for n in (2, 3):
        write_coco(repo / "labels" / "a.json", [IMAGE], out_of_bounds(n))
        git(repo, "commit", "-qam", f"a {n}")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = run_cli("check", "--changed-since", "HEAD~2", cwd=clone)
    assert result.exit_code == 2
    assert "shallow" in result.stderr and "fetch" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    # The base exists (fetched at depth 1) but the common ancestor does not.
    git(repo, "checkout", "-qb", "feature", "HEAD~1")
    write_coco(repo / "labels" / "b.json", [IMAGE], out_of_bounds(1))
    git(repo, "commit", "-qam", "feature")
    branch = tmp_path / "branch"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(branch))
    result = run_cli("check", "--changed-since", "origin/main", cwd=branch)
    assert result.exit_code == 2
    assert "history too shallow to compare with 'origin/main'" in result.stderr


def test_git_errors_are_one_line(repo: Path, tmp_path: Path) -> None:
    result = run_cli("check", "--changed-since", "no-such-branch", cwd=repo)
    assert result.exit_code == 2 and "unknown revision 'no-such-branch'" in result.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    (outside / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(outside / "l.json", [IMAGE], out_of_bounds(1))
    result = run_cli("check", "l.json", "--staged", cwd=outside)
    assert result.exit_code == 2 and "not inside a git repository" in result.stderr
    both = run_cli("check", "--staged", "--changed-since", "HEAD", cwd=repo)
    assert both.exit_code == 2


def test_changed_paths_as_a_hook_passes_them(repo: Path) -> None:
    # pre-commit passes the files being committed; the config's datasets are read whole.
    _, narrowed = check_json(repo, "--changed-paths", "labels/c.json", "README.md")
    assert files_of(narrowed) == {"labels/c.json": 3}
    _, widened = check_json(repo, "--changed-paths", "labelspec.yaml")
    assert sum(files_of(widened).values()) == 6
