"""Trust: a cloned repository's config cannot run code outside it, every plugin import is said
on stderr, --isolated and --no-plugins turn configs and plugins off, and stray configs in shared
folders do not apply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import problems_of, run_cli, write_coco

RULE_MODULE = """\
from pathlib import Path

from labellint.rules.base import Rule

Path(__file__).with_name("IMPORTED").write_text("yes")


class Local(Rule):
    code = "LL990"
    name = "local-rule"

    def check(self, context):
        return []
"""


def _repo(root: Path, config: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / "labellint.toml").write_text(config)
    write_coco(
        root / "labels.json",
        [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, -3, 3]}],
    )
    return root


def _child(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "labellint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_a_plugin_path_outside_the_repository_is_refused_and_never_run(tmp_path: Path) -> None:
    (tmp_path / "outside.py").write_text(RULE_MODULE)
    for plugin in ["../outside.py", str(tmp_path / "outside.py")]:
        repo = _repo(tmp_path / "repo", f"plugins = [{json.dumps(plugin)}]\n")
        result = run_cli("check", "labels.json", cwd=repo)
        assert result.exit_code == 2
        assert f"plugins: {plugin!r} is outside the config's folder and repository" in result.stderr
        assert not (tmp_path / "IMPORTED").exists()


def test_every_local_plugin_import_is_said_on_stderr(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", 'plugins = ["checks/local.py"]\n')
    (repo / "checks").mkdir()
    (repo / "checks" / "local.py").write_text(RULE_MODULE)
    for command in (["check", "labels.json"], ["rules"]):
        result = _child(*command, cwd=repo)
        assert result.returncode in (0, 1), result.stderr
        said = [line for line in result.stderr.splitlines() if "loading local plugin" in line]
        assert said == [f"labellint: loading local plugin checks/local.py (from {repo / 'labellint.toml'})"]
    assert "LL990" in _child("rules", cwd=repo).stdout


def test_no_plugins_imports_nothing_and_says_so(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", 'plugins = ["checks/local.py"]\n')
    (repo / "checks").mkdir()
    (repo / "checks" / "local.py").write_text(RULE_MODULE)
    by_flag = run_cli("--no-plugins", "check", "labels.json", cwd=repo)
    by_env = _child("check", "labels.json", cwd=repo, env={"LABELLINT_NO_PLUGINS": "1"})
    for stderr in (by_flag.stderr, by_env.stderr):
        assert "labellint: not loading local plugins (--no-plugins): checks/local.py" in stderr
    assert by_flag.exit_code == by_env.returncode == 1  # the broken box is still found
    assert not (repo / "checks" / "IMPORTED").exists()


def test_isolated_ignores_every_config(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo", 'ignore = ["LL202"]\n')
    assert run_cli("check", "labels.json", cwd=repo).exit_code == 0
    isolated = run_cli("--isolated", "check", "labels.json", "--format", "json", cwd=repo)
    assert [p["code"] for p in problems_of(isolated)] == ["LL202"]
    both = run_cli("--isolated", "check", "labels.json", "--config", "labellint.toml", cwd=repo)
    assert both.exit_code == 2 and "--isolated ignores every config file" in both.stderr


def _outside_a_repository(root: Path) -> Path:
    project = root / "project"
    project.mkdir(parents=True)
    (root / "labellint.toml").write_text('ignore = ["LL202"]\n')
    write_coco(
        project / "labels.json",
        [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],
        [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, -3, 3]}],
    )
    return project


def test_a_config_in_a_folder_anyone_may_write_does_not_apply_below_it(tmp_path: Path) -> None:
    private = _outside_a_repository(tmp_path / "private")
    assert run_cli("check", "labels.json", cwd=private).exit_code == 0  # an ordinary parent applies
    shared = _outside_a_repository(tmp_path / "shared")
    (tmp_path / "shared").chmod(0o1777)  # like /tmp
    assert run_cli("check", "labels.json", cwd=shared).exit_code == 1
    # A file in the shared folder itself is checked with that folder's config.
    (shared / "labels.json").rename(tmp_path / "shared" / "labels.json")
    assert run_cli("check", "labels.json", cwd=tmp_path / "shared").exit_code == 0


def test_a_config_in_the_home_folder_does_not_apply_below_it(tmp_path: Path) -> None:
    project = _outside_a_repository(tmp_path / "home")
    result = _child("check", "labels.json", cwd=project, env={"HOME": str(tmp_path / "home")})
    assert result.returncode == 1
    assert "LL202" in result.stdout


def test_python_m_does_not_load_entry_points_from_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "evil_rules.py").write_text(RULE_MODULE.replace("LL990", "LL991"))
    dist = tmp_path / "evil-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[labellint.rules]\nLL991 = evil_rules:Local\n")
    result = _child("rules", cwd=tmp_path)
    assert result.returncode == 0
    assert "LL991" not in result.stdout
    assert not (tmp_path / "IMPORTED").exists()
    # The same files on an explicit PYTHONPATH are the user's choice, and are loaded.
    chosen = _child("rules", cwd=tmp_path, env={"PYTHONPATH": str(tmp_path)})
    assert "LL991" in chosen.stdout


def _installed_plugin(site: Path) -> Path:
    """A real installed distribution in a site folder: its metadata registers a rule (whose module
    leaves IMPORTED beside it when it runs) and a reader, as `pip install` would write them."""
    site.mkdir()
    (site / "acme_rules.py").write_text(RULE_MODULE.replace("LL990", "LL991"))
    dist = site / "acme_labellint-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-labellint\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[labellint.rules]\nLL991 = acme_rules:Local\n\n[labellint.readers]\nacme = acme_rules:Local\n"
    )
    return site


def test_no_plugins_skips_installed_entry_point_plugins_and_names_them(tmp_path: Path) -> None:
    site = _installed_plugin(tmp_path / "site")
    repo = _repo(tmp_path / "repo", "")
    env = {"PYTHONPATH": str(site)}
    trusted = _child("rules", "--format", "json", cwd=repo, env=env)
    assert "LL991" in [rule["code"] for rule in json.loads(trusted.stdout)]  # installed, and loaded
    assert (site / "IMPORTED").exists()
    (site / "IMPORTED").unlink()
    for how, extra in (("--no-plugins", {}), ("env", {"LABELLINT_NO_PLUGINS": "1"})):
        args = ["--no-plugins"] if how == "--no-plugins" else []
        listed = _child(*args, "rules", "--format", "json", cwd=repo, env={**env, **extra})
        assert listed.returncode == 0, listed.stderr
        codes = [rule["code"] for rule in json.loads(listed.stdout)]
        assert "LL991" not in codes and "LL201" in codes  # the built-ins are still there
        assert (
            "labellint: not loading installed plugins (--no-plugins): labellint.rules: "
            "LL991 = acme_rules:Local (from acme-labellint)"
        ) in listed.stderr.splitlines()
        checked = _child(*args, "check", "labels.json", cwd=repo, env={**env, **extra})
        assert checked.returncode == 1 and "LL202" in checked.stdout  # the built-in rules ran
        assert "labellint.readers: acme = acme_rules:Local (from acme-labellint)" in checked.stderr
        assert not (site / "IMPORTED").exists()  # no third-party code ran
