"""The README's first code block, run verbatim in a fresh clone with no ../shared beside it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

# Set in the clone's own test run, so that run does not clone and test itself again.
NESTED = "LABELLINT_README_CLONE"


def readme_commands() -> list[str]:
    """The lines of the README's first fenced code block."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^```[^\n]*\n(.*?)^```", text, re.S | re.M)
    assert block, "README.md has no code block"
    return block.group(1).splitlines()


def test_the_first_code_block_is_two_one_line_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert all(line.strip() and not line.rstrip().endswith("\\") for line in commands)
    assert "labellint" in commands[0] and "examples/" in commands[0]
    assert commands[1].rstrip().endswith("pytest")


def test_ci_runs_the_readme_commands_it_reads() -> None:
    done = subprocess.run(
        ["bash", ".ci/run", "--print-readme-commands"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == readme_commands()
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert 'eval "$TEST_COMMAND"' in script and "sed -n 2p" in script


def test_no_test_imports_the_tests_package() -> None:
    # A plain `pytest` puts tests/ (not the repository root) on sys.path: `from tests.x` fails there.
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "tests").rglob("*.py")
        if re.search(r"^\s*(from|import) tests\b", path.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def clone_work_tree(target: Path) -> None:
    """A clone of this repository carrying the work tree's uncommitted edits and new files too."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO_ROOT), str(target)], check=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--modified", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source, copy = REPO_ROOT / name, target / name
        if source.is_file():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
        elif copy.exists():
            copy.unlink()  # deleted in the work tree


@pytest.mark.skipif(bool(os.environ.get(NESTED)), reason="already inside the README clone's own test run")
def test_readme_commands_work_in_a_fresh_clone_without_shared(tmp_path: Path) -> None:
    clone = tmp_path / "labellint"
    clone_work_tree(clone)
    assert not (clone.parent / "shared").exists()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PYTEST", "VIRTUAL_ENV"))}
    env |= {"VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", NESTED: "1"}
    try_it, test_it = readme_commands()

    done = subprocess.run(["bash", "-c", try_it], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "examples/street-detection/labels/train.json:" in done.stdout
    assert "LL201" in done.stdout

    done = subprocess.run(["bash", "-c", test_it], cwd=clone, env=env, capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
    closing = done.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", closing) and "failed" not in closing and "error" not in closing, closing
    # Tests that need ../shared skip there, with the reason saying so.
    assert "skipped" in closing, closing
