"""Plugins: a third-party rule package installed into a fresh venv, local rule modules named in the
config, and broken plugins that are reported by name without stopping the built-ins."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_PLUGIN = ROOT / "examples" / "plugin"
IMAGE = {"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}


def _install(python: Path, project: Path) -> None:
    """`pip install --no-deps --no-build-isolation` offline; where the venv's setuptools cannot
    build wheels (no `wheel`, setuptools < 70.1), the setuptools develop install instead: both
    register the entry points through real package metadata."""
    pip = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(project)],
        capture_output=True,
        text=True,
    )
    if pip.returncode == 0:
        return
    develop = subprocess.run(
        [python, "setup.py", "-q", "develop", "--no-deps"], cwd=project, capture_output=True, text=True
    )
    assert develop.returncode == 0, pip.stderr + develop.stderr


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv that sees this labellint (and its dependencies) but nothing installed by tests."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(folder / "env")], check=True)
    python = folder / "env" / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The outer environment's packages (labellint editable, click, pydantic, ...) as a site dir.
    (Path(purelib) / "_outer_env.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n"
    )
    return python


def _labellint(python: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([python, "-m", "labellint", *args], cwd=cwd, capture_output=True, text=True)


def test_installed_plugin_rule_runs_is_listed_and_configurable(venv: Path, tmp_path: Path) -> None:
    project = tmp_path / "plugin"
    shutil.copytree(EXAMPLE_PLUGIN, project)
    before = _labellint(venv, "rules", "--format", "json", cwd=tmp_path)
    assert "ACME001" not in {r["code"] for r in json.loads(before.stdout)}
    _install(venv, project)

    listed = json.loads(_labellint(venv, "rules", "--format", "json", cwd=tmp_path).stdout)
    acme = next(r for r in listed if r["code"] == "ACME001")
    assert acme["name"] == "whole-image-box" and acme["origin"] == "labellint_acme.whole_image_box"
    assert acme["options"][0]["name"] == "max-fraction" and acme["options"][0]["default"] == 0.95
    assert "max-fraction" in _labellint(venv, "rule", "whole-image-box", cwd=tmp_path).stdout

    data = tmp_path / "data"
    (data / ".git").mkdir(parents=True)
    (data / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(
        data / "l.json",
        [IMAGE],
        [
            {"id": 1, "image_id": 1, "category_id": 3, "bbox": [0, 0, 100, 97]},
            {"id": 2, "image_id": 1, "category_id": 3, "bbox": [0, 0, 100, 60]},
        ],
    )
    result = _labellint(venv, "check", "l.json", "--format", "json", "--select", "ACME,LL2", cwd=data)
    assert [(p["code"], p["annotation"]) for p in json.loads(result.stdout)["problems"]] == [("ACME001", "1")]
    # Configured and selected like a built-in, by name.
    (data / "labellint.toml").write_text("[rules.whole-image-box]\nmax-fraction = 0.55\n")
    result = _labellint(venv, "check", "l.json", "--format", "json", "--select", "ACME,LL2", cwd=data)
    assert [p["annotation"] for p in json.loads(result.stdout)["problems"]] == ["1", "2"]
    assert _labellint(venv, "check", "l.json", "--select", "ACME,LL2", "--ignore", "ACME", cwd=data).returncode == 0
    # The plugin's own tests pass with labellint.testing.
    tests = subprocess.run([venv, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=project)
    assert tests.returncode == 0

    # A broken plugin is reported by name; the built-ins and the good plugin still run.
    broken = tmp_path / "broken"
    (broken / "src" / "broken_rules").mkdir(parents=True)
    (broken / "src" / "broken_rules" / "__init__.py").write_text("raise RuntimeError('boom at import')\n")
    (broken / "setup.py").write_text("from setuptools import setup\n\nsetup()\n")
    (broken / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=61"]
            build-backend = "setuptools.build_meta"
            [project]
            name = "broken-rules"
            version = "0.0.1"
            [project.entry-points."labellint.rules"]
            BRK001 = "broken_rules:Rule"
            [tool.setuptools.packages.find]
            where = ["src"]
            """
        )
    )
    _install(venv, broken)
    result = _labellint(venv, "check", "l.json", "--format", "json", "--select", "ACME,LL2", cwd=data)
    assert "'BRK001' failed to load: RuntimeError: boom at import" in result.stderr
    assert [p["code"] for p in json.loads(result.stdout)["problems"]] == ["ACME001", "ACME001"]
    assert "Traceback" not in result.stderr


LOCAL_RULE = '''\
"""A team's own rule, kept in the dataset repository."""

from labellint.problem import Severity
from labellint.rules import Finding, Rule, RuleOptions, Scope


class Options(RuleOptions):
    word: str = "tmp"


class NoTempNames(Rule):
    """An item whose file name contains a scratch word."""

    code = "TEAM001"
    name = "no-temp-names"
    scope = Scope.ITEM
    severity = Severity.WARNING
    Options = Options

    def check_item(self, item, context):
        name = context.dataset.item_names[item] or ""
        if self.options.word in name:
            yield Finding(f"file name {name!r} contains {self.options.word!r}")
'''


@pytest.fixture
def dataset_repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "lint_rules.py").write_text(LOCAL_RULE)
    images = [IMAGE, {**IMAGE, "id": 2, "file_name": "tmp_b.jpg"}, {**IMAGE, "id": 3, "file_name": "c_old.jpg"}]
    write_coco(tmp_path / "l.json", images, [])
    return tmp_path


def test_local_rule_module_runs_only_when_the_config_names_it(dataset_repo: Path) -> None:
    assert problems_of(run_cli("check", "l.json", "--format", "json", "--select", "LL2", cwd=dataset_repo)) == []
    (dataset_repo / "labellint.toml").write_text('plugins = ["tools/lint_rules.py"]\nselect = ["LL2", "TEAM"]\n')
    found = problems_of(run_cli("check", "l.json", "--format", "json", cwd=dataset_repo))
    assert [(p["code"], p["item"], p["severity"]) for p in found] == [("TEAM001", "2", "warning")]

    listed = run_cli("rules", cwd=dataset_repo).stdout
    assert "TEAM001  no-temp-names" in listed
    assert "An item whose file name contains a scratch word." in run_cli("rule", "TEAM001", cwd=dataset_repo).stdout

    (dataset_repo / "labellint.toml").write_text(
        'plugins = ["tools/lint_rules.py"]\nselect = ["LL2", "no-temp-names"]\n'
        '[rules.TEAM001]\nword = "old"\nseverity = "error"\n'
    )
    result = run_cli("check", "l.json", "--format", "json", cwd=dataset_repo)
    assert [(p["item"], p["severity"]) for p in problems_of(result)] == [("3", "error")]
    assert result.exit_code == 1


def test_broken_local_module_is_reported_and_the_built_ins_run(dataset_repo: Path) -> None:
    (dataset_repo / "tools" / "bad_rules.py").write_text("import no_such_module_xyz\n")
    (dataset_repo / "labellint.toml").write_text(
        'plugins = ["tools/bad_rules.py", "tools/missing.py"]\nselect = ["LL2"]\n'
    )
    write_coco(dataset_repo / "e.json", [IMAGE], [{"id": 1, "image_id": 1, "category_id": 3, "bbox": [90, 0, 50, 9]}])
    result = run_cli("check", "e.json", "--format", "json", cwd=dataset_repo)
    assert "tools/bad_rules.py" in result.stderr and "No module named 'no_such_module_xyz'" in result.stderr
    assert "tools/missing.py" in result.stderr
    assert [p["code"] for p in problems_of(result)] == ["LL201"]
    assert result.exit_code == 1


def test_one_registration_found_twice_is_not_a_clash(tmp_path: Path) -> None:
    # A clone installed before the distribution was renamed labellint-git keeps a stale
    # labellint.egg-info in its root; `python -m labellint` there sees the rules twice.
    from importlib.metadata import distribution

    installed = distribution("labellint-git").read_text("entry_points.txt")
    stale = tmp_path / "labellint.egg-info"
    stale.mkdir()
    (stale / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: labellint\nVersion: 0.0.1\n")
    (stale / "entry_points.txt").write_text(installed)
    assert "labellint.rules" in installed
    done = subprocess.run(
        [sys.executable, "-m", "labellint", "rules", "--format", "json"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "failed to load" not in done.stderr
    codes = [rule["code"] for rule in json.loads(done.stdout)]
    assert "LL201" in codes and len(codes) == len(set(codes))
