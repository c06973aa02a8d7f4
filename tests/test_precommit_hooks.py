"""The hooks in .pre-commit-hooks.yaml through the real `pre-commit try-repo` on a temporary dataset repo.

pre-commit builds the hook's own virtualenv (`language: python`) and pip-installs labellint from a
snapshot of this work tree. To stay offline: no package index, the build backend (setuptools) from
virtualenv's bundled wheels, and labellint's dependencies from this interpreter via PYTHONPATH
(PIP_NO_DEPS keeps pip from looking for them).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from helpers import SPEC_TEXT, write_coco
from test_git_changes import GIT_ENV, IMAGE, git, out_of_bounds

SPEC_WITH_CHANGELOG = SPEC_TEXT + "changelog:\n  - {version: 1.0.0, changes: First version.}\n"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of this work tree (tracked and new files), as pre-commit clones it."""
    snapshot = tmp_path_factory.mktemp("hookrepo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for name in (n.decode() for n in listed if n):
        source = REPO_ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-qm", "snapshot")
    return snapshot


@pytest.fixture(scope="module")
def hook_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    import virtualenv.seed.wheels.embed as embedded

    paths = sysconfig.get_paths()
    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(Path(embedded.__file__).parent),
        "PIP_NO_DEPS": "1",
        "PYTHONPATH": os.pathsep.join(dict.fromkeys([paths["purelib"], paths["platlib"]])),
    }


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    root = tmp_path / "dataset"
    root.mkdir()
    git(root, "init", "-q")
    (root / "labelspec.yaml").write_text(SPEC_WITH_CHANGELOG)
    (root / "labellint.toml").write_text('[[datasets]]\npath = "labels"\nreader = "coco"\n')
    clean = [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [10, 10, 100, 50]}]
    write_coco(root / "labels" / "a.json", [IMAGE], clean)
    write_coco(root / "labels" / "b.json", [IMAGE], clean)
    (root / "README.md").write_text("labels\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "clean labels")
    return root


def pre_commit(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pre_commit", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def test_try_repo_passes_clean_labels_and_fails_bad_ones(hook_repo, hook_env, dataset) -> None:
    # `try-repo` builds a fresh hook environment every time (its store is temporary): two calls only.
    files = ["labels/a.json", "labels/b.json", "README.md"]
    clean = pre_commit(
        hook_env, dataset, "try-repo", str(hook_repo), "labellint", "--color", "never", "--files", *files
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert re.search(r"^labellint\.+Passed$", clean.stdout, re.M), clean.stdout

    write_coco(dataset / "labels" / "b.json", [IMAGE], out_of_bounds(2))
    bad = pre_commit(hook_env, dataset, "try-repo", str(hook_repo), "--color", "never", "--files", *files)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert re.search(r"^labellint\.+Failed$", bad.stdout, re.M), bad.stdout
    assert bad.stdout.count("labels/b.json:") == 2 and "LL201" in bad.stdout
    # The spec hook ran too (both hooks of the repository): labels changed, the spec did not, and
    # nothing a label change alone breaks (golden set, mass relabel) happened.
    assert re.search(r"^labellint spec version\.+Passed$", bad.stdout, re.M), bad.stdout


@pytest.fixture
def installed(hook_repo: Path, hook_env: dict[str, str], dataset: Path) -> Path:
    """The dataset repo with both hooks installed as a user would (config + `pre-commit install`)."""
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    (dataset / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: labellint\n  - id: labellint-spec-version\n"
    )
    git(dataset, "add", ".pre-commit-config.yaml")
    git(dataset, "commit", "-qm", "hooks")
    done = pre_commit(hook_env, dataset, "install")
    assert done.returncode == 0, done.stdout + done.stderr
    return dataset


def commit(env: dict[str, str], repo: Path, message: str) -> subprocess.CompletedProcess:
    # Git hooks write to stderr; merge it into stdout to read one transcript.
    command = ["git", "commit", "-m", message]
    return subprocess.run(command, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_commits_are_checked_by_what_they_stage(hook_env, installed: Path) -> None:
    repo = installed
    write_coco(repo / "labels" / "a.json", [IMAGE], out_of_bounds(1))
    git(repo, "add", "labels/a.json")
    blocked = commit(hook_env, repo, "bad a")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "labels/a.json:" in blocked.stdout and "LL201" in blocked.stdout

    # b.json already has a problem in history; a commit that only touches README is not blocked
    # (no label file staged: the hook is skipped), and one that fixes a.json passes.
    git(repo, "reset", "-q", "--hard")
    write_coco(repo / "labels" / "b.json", [IMAGE], out_of_bounds(1))
    git(repo, "add", "labels/b.json")
    git(repo, "commit", "-qm", "bad b", "--no-verify")
    (repo / "README.md").write_text("labels, described\n")
    git(repo, "add", "README.md")
    readme = commit(hook_env, repo, "docs")
    assert readme.returncode == 0, readme.stdout + readme.stderr
    write_coco(
        repo / "labels" / "a.json", [IMAGE], [{"id": 9, "image_id": 1, "category_id": 1, "bbox": [5, 5, 20, 40]}]
    )
    git(repo, "add", "labels/a.json")
    clean = commit(hook_env, repo, "clean a")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    # A spec change counts as touching every label file: b.json's problem now blocks it.
    text = (repo / "labelspec.yaml").read_text()
    text = text.replace("version: 1.0.0", "version: 1.0.1")
    (repo / "labelspec.yaml").write_text(text + "  - {version: 1.0.1, changes: Typo.}\n")
    git(repo, "add", "labelspec.yaml")
    spec_change = commit(hook_env, repo, "spec")
    assert spec_change.returncode == 1 and "labels/b.json:" in spec_change.stdout, spec_change.stdout


def test_spec_hook_checks_the_version_bump(hook_env, installed: Path) -> None:
    repo = installed
    spec = repo / "labelspec.yaml"
    ok = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "labelspec.yaml")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # A definition changed: the labels' meaning changed, so the version needs a major bump.
    spec.write_text(SPEC_WITH_CHANGELOG.replace("A passenger vehicle.", "Any vehicle with four wheels."))
    unbumped = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "labelspec.yaml")
    assert unbumped.returncode == 1 and "LL501" in unbumped.stdout, unbumped.stdout
    bumped = spec.read_text().replace("version: 1.0.0", "version: 2.0.0")
    spec.write_text(
        bumped.replace("changelog:\n", "changelog:\n  - {version: 2.0.0, changes: Cars are any vehicle.}\n")
    )
    ok = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "labelspec.yaml")
    assert ok.returncode == 0, ok.stdout
    spec.write_text(SPEC_WITH_CHANGELOG.replace("task: detection", "task: detektion"))
    invalid = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "labelspec.yaml")
    assert invalid.returncode != 0 and "labelspec.yaml" in invalid.stdout, invalid.stdout
    # A label-only commit runs the check too (LL504/LL505 need no spec change); README alone skips it.
    labels_only = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "labels/a.json")
    assert "Skipped" not in labels_only.stdout, labels_only.stdout
    skipped = pre_commit(hook_env, repo, "run", "labellint-spec-version", "--files", "README.md")
    assert skipped.returncode == 0 and "Skipped" in skipped.stdout


OCCLUSION = "  - {id: occlusion, rule: Box the visible part., classes: [car], attribute: {occluded: true}}\n"
GATED_SPEC = SPEC_WITH_CHANGELOG + f"edge_cases:\n{OCCLUSION}quality:\n  coverage: {{min_per_edge_case: 2}}\n"


def _occluded_car(box_id: int, occluded: bool) -> list[dict]:
    return [
        {"id": box_id, "image_id": 1, "category_id": 3, "bbox": [10, 10, 100, 50], "attributes": {"occluded": occluded}}
    ]


def test_gate_hook_fails_the_commit_that_breaks_the_definition_of_done(hook_repo, hook_env, dataset: Path) -> None:
    # Two occluded cars, one per file, meet `min_per_edge_case: 2`; unmarking one of them does not.
    repo = dataset
    (repo / "labelspec.yaml").write_text(GATED_SPEC)
    write_coco(repo / "labels" / "a.json", [IMAGE], _occluded_car(1, True))
    write_coco(repo / "labels" / "b.json", [IMAGE], _occluded_car(1, True))
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hook_repo}\n  rev: {rev}\n  hooks:\n  - id: labellint-gate\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "gated spec", "--no-verify")
    done = pre_commit(hook_env, repo, "install")
    assert done.returncode == 0, done.stdout + done.stderr

    # Only b.json is staged, yet the gate counts both files (the config's datasets).
    write_coco(repo / "labels" / "b.json", [IMAGE], _occluded_car(1, True) + _occluded_car(2, False))
    git(repo, "add", "labels/b.json")
    passed = commit(hook_env, repo, "one more car")
    assert passed.returncode == 0, passed.stdout
    assert re.search(r"^labellint quality gates\.+Passed$", passed.stdout, re.M), passed.stdout

    write_coco(repo / "labels" / "b.json", [IMAGE], _occluded_car(1, False))
    git(repo, "add", "labels/b.json")
    blocked = commit(hook_env, repo, "b's car is not occluded after all")
    assert blocked.returncode == 1, blocked.stdout
    assert re.search(r"^labellint quality gates\.+Failed$", blocked.stdout, re.M), blocked.stdout
    line, column = GATED_SPEC.splitlines().index(OCCLUSION.rstrip("\n")) + 1, OCCLUSION.index("{") + 1
    why = "edge case 'occlusion' has 1 marked example, fewer than min_per_edge_case 2"
    assert f"labelspec.yaml:{line}:{column}: {why}" in blocked.stdout
    assert git(repo, "log", "-1", "--format=%s").strip() == "one more car"  # the commit did not happen

    # A commit that touches no label, spec or config file does not run the gate.
    git(repo, "reset", "-q", "--hard")
    (repo / "README.md").write_text("labels, described\n")
    git(repo, "add", "README.md")
    readme = commit(hook_env, repo, "docs")
    assert readme.returncode == 0 and "Skipped" in readme.stdout, readme.stdout
