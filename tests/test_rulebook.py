"""The rulebook: every rule folder's good/ yields nothing and bad/ yields exactly bad.expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from labellint.rules import installed_rules
from labellint.testing import (
    README_SECTIONS,
    check_rulebook_folder,
    folder_code,
    readme_missing_sections,
    rulebook_folders,
)

RULEBOOK = Path(__file__).resolve().parents[1] / "rules"
FOLDERS = rulebook_folders(RULEBOOK)


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_rule_folder(folder: Path) -> None:
    result = check_rulebook_folder(folder)
    assert result.expected, f"{folder.name}: bad.expected is missing or empty"
    if not result.ok:
        pytest.fail(f"{folder.name}:\n{result.diff()}", pytrace=False)


def test_every_rule_has_a_folder_and_every_folder_a_rule() -> None:
    registered = {code: rule.name for code, rule in installed_rules().items()}
    folders = {folder_code(f): f.name for f in FOLDERS}
    assert sorted(set(registered) - set(folders)) == [], "registered rules without a rulebook folder"
    assert sorted(set(folders) - set(registered)) == [], "rulebook folders without a registered rule"
    misnamed = [name for code, name in folders.items() if name != f"{code}-{registered[code]}"]
    assert misnamed == [], "folders must be named <CODE>-<rule name>"


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_readme_has_every_section(folder: Path) -> None:
    assert readme_missing_sections(folder) == [], f"README.md needs: {', '.join(README_SECTIONS)}"
