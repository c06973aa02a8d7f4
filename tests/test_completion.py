"""`labellint completion bash|zsh|fish`: the scripts work in the real shell."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli


def _env() -> dict[str, str]:
    """PATH with this venv's `labellint` first (the script calls the command by name)."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("words", "expected"), [("labellint ch", {"check"}), ("labellint spec bu", {"bump"})])
def test_bash_script_completes_commands_in_a_real_bash(tmp_path: Path, words: str, expected: set[str]) -> None:
    if shutil.which("labellint", path=_env()["PATH"]) is None:
        pytest.skip("the labellint command is not installed in this environment")
    script = tmp_path / "labellint.bash"
    script.write_text(run_cli("completion", "bash").stdout)
    driver = (
        f'source "{script}"; COMP_WORDS=({words}); COMP_CWORD={len(words.split()) - 1}; '
        'COMPREPLY=(); _labellint_completion labellint; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", driver], capture_output=True, text=True, env=_env(), timeout=60)
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == expected


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_name_the_command(shell: str) -> None:
    result = run_cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert "labellint" in result.stdout and "_LABELLINT_COMPLETE" in result.stdout
    assert f"{shell}_complete" in result.stdout  # what the script asks click for


def test_unknown_shell_lists_the_choices() -> None:
    result = run_cli("completion", "tcsh")
    assert result.exit_code == 2
    assert "bash" in result.stderr and "fish" in result.stderr
