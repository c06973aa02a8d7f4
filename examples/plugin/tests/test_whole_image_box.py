"""The plugin's rulebook, tested the way labellint tests its own rules."""

from pathlib import Path

from labellint_acme.whole_image_box import WholeImageBox

from labellint.testing import check_rulebook_folder, readme_missing_sections

FOLDER = Path(__file__).resolve().parents[1] / "rules" / "ACME001-whole-image-box"


def test_rulebook_folder() -> None:
    result = check_rulebook_folder(FOLDER, WholeImageBox)
    assert result.expected, "bad.expected is empty"
    assert result.ok, result.diff()


def test_readme_sections() -> None:
    assert readme_missing_sections(FOLDER) == []
