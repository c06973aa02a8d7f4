"""The TACO v1 -> v2 -> v3 history as plain files, in Git LFS and tracked by DVC: same results everywhere."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

VERSIONS = ["annotations_v1_a56f6cb.json", "annotations_v2_a35e944.json", "annotations_v3_1e4d24a.json"]
LABELS = "data/annotations.json"
SPEC = """\
spec: 1
name: taco
version: 1.0.0
task: detection
golden: data/annotations.json
classes:
  Cigarette:
    id: 1
    definition: A cigarette butt.
"""
CONFIG = """\
spec = "labelspec.yaml"

[[datasets]]
path = "data/annotations.json"

[rules.LL505]
max-fraction = 0.001
"""


def _run(repo: Path, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(args, cwd=repo, capture_output=True, text=True, check=False, env=env)
    assert done.returncode == 0, f"{args}: {done.stderr}"
    return done.stdout


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    return _run(repo, "git", *args, env=env)


def _dvc_cli() -> str:
    """The `dvc` command of the running interpreter's environment (installed by the test extra)."""
    pytest.importorskip("dvc", reason="dvc is not installed (pip install 'labellint-git[dvc]')")
    found = Path(sys.executable).with_name("dvc")
    return str(found) if found.exists() else shutil.which("dvc") or pytest.skip("no dvc executable")


def _history(repo: Path, kind: str) -> Path:
    """TACO's first three releases committed one after another, the labels stored as `kind` says."""
    folder = shared_path("data", "coco", "taco")
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    (repo / "data").mkdir()
    (repo / "labellint.toml").write_text(CONFIG)
    if kind == "lfs":
        if shutil.which("git-lfs") is None:
            pytest.skip("git-lfs is not installed (apt-get install git-lfs)")
        _git(repo, "lfs", "install", "--local")
        _git(repo, "lfs", "track", LABELS)
    if kind == "dvc":
        _run(repo, _dvc_cli(), "init", "-q")
    for number, name in enumerate(VERSIONS, start=1):
        shutil.copy(folder / name, repo / LABELS)
        (repo / "labelspec.yaml").write_text(SPEC)
        if kind == "dvc":
            _run(repo, _dvc_cli(), "add", "-q", LABELS)
        _git(repo, "add", "-A")
        # The same dates in the three repositories: only the storage differs.
        date = f"2024-01-0{number}T12:00:00+00:00"
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        _git(repo, "commit", "-q", "-m", f"TACO {name}", env=env)
    return repo


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("histories")
    return {kind: _history(base / kind, kind) for kind in ("plain", "lfs", "dvc")}


def _json(repo: Path, *args: str) -> object:
    result = run_cli(*args, "--format", "json", cwd=repo)
    assert result.exit_code in (0, 1), result.output + result.stderr
    # Commit shas differ between the three repositories; everything else must not.
    return json.loads(re.sub(r"\b[0-9a-f]{40}\b|\b[0-9a-f]{10}\b", "SHA", result.stdout))


def test_the_stored_labels_are_not_plain_blobs(repos) -> None:
    lfs_blob = _git(repos["lfs"], "cat-file", "-p", f"HEAD~1:{LABELS}")
    assert lfs_blob.startswith("version https://git-lfs.github.com/spec/v1\n")
    assert _git(repos["dvc"], "ls-tree", "-r", "--name-only", "HEAD", "data").split() == [
        "data/.gitignore",
        "data/annotations.json.dvc",
    ]


@pytest.mark.parametrize(
    "command",
    [
        ("diff", "HEAD~2", "HEAD~1"),
        ("diff", "HEAD~1"),
        ("log",),
        ("spec", "check", "--base", "HEAD~2"),
        ("check", "--new-since", "HEAD~1"),
        ("stats", LABELS),
    ],
    ids=lambda c: " ".join(c),
)
def test_every_command_sees_the_same_labels(repos, command) -> None:
    plain = _json(repos["plain"], *command)
    assert _json(repos["lfs"], *command) == plain
    assert _json(repos["dvc"], *command) == plain


def test_the_shared_answers_are_the_right_ones(repos) -> None:
    """The answers all three share are not empty ones: counted from the releases themselves."""
    folder = shared_path("data", "coco", "taco")
    counts = [len(json.loads((folder / name).read_text())["annotations"]) for name in VERSIONS]
    dvc = repos["dvc"]
    assert _json(dvc, "diff", "HEAD~2", "HEAD~1")["annotations"]["added"] == counts[1] - counts[0]
    assert [entry["message"] for entry in _json(dvc, "log")] == [f"TACO {name}" for name in reversed(VERSIONS)]
    assert _json(dvc, "stats", LABELS)["rework"]["rate"] > 0
    # The golden set changed without a spec change (LL504); the config's `[rules.LL505] max-fraction
    # = 0.001` holds for `spec check` as for `diff`: the releases relabel more than that (LL505).
    assert [p["code"] for p in _json(dvc, "spec", "check", "--base", "HEAD~2")["problems"]] == ["LL504", "LL505"]
    new_since = _json(dvc, "check", "--new-since", "HEAD~2")["problems"]
    assert new_since and all(p["path"] == LABELS for p in new_since)


def test_an_unfetched_lfs_object_is_one_clear_message(repos, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(repos["lfs"], clone)
    oid = re.search(r"oid sha256:(\w+)", _git(clone, "cat-file", "-p", f"HEAD~2:{LABELS}")).group(1)
    (clone / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid).unlink()
    result = run_cli("diff", "HEAD~2", "HEAD~1", cwd=clone)
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message == (
        f"labellint: error: {LABELS} at HEAD~2 is a Git LFS pointer whose object (sha256:{oid[:12]}…, "
        "1566623 bytes) is not in the local LFS store: run `git lfs fetch --all` (or `git lfs pull` to update "
        "the work tree too)"
    )
    assert "LL001" not in result.output


def test_a_pointer_checked_out_in_the_work_tree_is_read_from_the_store(repos, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(repos["lfs"], clone)
    (clone / LABELS).write_text(_git(clone, "cat-file", "-p", f"HEAD:{LABELS}"))
    assert _json(clone, "check") == _json(repos["plain"], "check")


def test_a_changed_lfs_file_is_a_changed_label_file(repos, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(repos["lfs"], clone)
    document = json.loads((clone / LABELS).read_text())
    document["annotations"][0]["bbox"][2] = 0  # a degenerate box
    (clone / LABELS).write_text(json.dumps(document))
    report = _json(clone, "check", "--changed-since", "HEAD")
    assert "LL202" in {p["code"] for p in report["problems"]}
    untouched = _json(repos["lfs"], "check", "--changed-since", "HEAD")
    assert untouched["problems"] == []


def test_a_missing_dvc_cache_object_is_one_clear_message(repos, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    shutil.copytree(repos["dvc"], clone)
    shutil.rmtree(clone / ".dvc" / "cache")
    result = run_cli("diff", "HEAD~2", "HEAD~1", cwd=clone)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"labellint: error: {LABELS} at HEAD~2 is tracked by DVC (data/annotations.json.dvc)"
    )
    assert result.stderr.strip().endswith(
        "is not in the DVC cache: run `dvc fetch` (or `dvc pull` to update the work tree too)"
    )


def test_without_the_dvc_extra_one_line_names_it(repos, monkeypatch: pytest.MonkeyPatch) -> None:
    from labellint.sources import dvc

    monkeypatch.setitem(sys.modules, "dvc.api", None)  # what an environment without DVC sees
    monkeypatch.setattr(dvc, "_SYSTEMS", {})
    result = run_cli("diff", "HEAD~2", "HEAD~1", cwd=repos["dvc"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"labellint: error: {LABELS} at HEAD~2 is tracked by DVC: to read it, install the extra: "
        "pip install 'labellint-git[dvc]'\n"
    )


def test_a_dvc_tracked_file_not_in_the_work_tree_is_read_from_the_cache(repos, tmp_path: Path) -> None:
    """A clone where `dvc checkout` never ran: the config names data/annotations.json, only its `.dvc` is there."""
    clone = tmp_path / "clone"
    shutil.copytree(repos["dvc"], clone)
    (clone / LABELS).unlink()
    assert _json(clone, "check") == _json(repos["plain"], "check")
    shutil.rmtree(clone / ".dvc" / "cache")
    result = run_cli("check", cwd=clone)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"labellint: error: {LABELS} is tracked by DVC (data/annotations.json.dvc)")
    assert "LL001" not in result.output


def test_the_hook_sees_a_committed_dvc_file_as_its_labels() -> None:
    from labellint.sources.changed import hook_paths

    assert hook_paths(["data/annotations.json.dvc", "labelspec.yaml"], has_datasets=False) == [LABELS]
