"""The markdown step summary for a real dataset (BCCD) matches the committed sample, examples/ci/summary-sample.md.

Regenerate after an intended change: `LABELLINT_REGENERATE_SAMPLES=1 pytest tests/test_ci_summary_sample.py`.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from conftest import REPO_ROOT, shared_path
from helpers import problems_of, run_cli

SAMPLE = REPO_ROOT / "examples" / "ci" / "summary-sample.md"
SPEC = REPO_ROOT / "examples" / "ci" / "bccd-labelspec.yaml"


def _bccd(tmp_path: Path) -> Path:
    """BCCD's VOC annotations beside the example spec, so every path in the summary is relative."""
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    root = tmp_path / "bccd"
    shutil.copytree(source, root / "BCCD" / "Annotations")
    shutil.copy(SPEC, root / "labelspec.yaml")
    return root


def test_bccd_summary_matches_the_committed_sample(tmp_path: Path) -> None:
    root = _bccd(tmp_path)
    result = run_cli("check", "BCCD/Annotations", "--format", "markdown", cwd=root)
    assert result.exit_code == 1
    if os.environ.get("LABELLINT_REGENERATE_SAMPLES"):
        SAMPLE.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == SAMPLE.read_text(encoding="utf-8"), (
        "the BCCD summary changed; if intended, regenerate with LABELLINT_REGENERATE_SAMPLES=1"
    )


def test_bccd_summary_agrees_with_the_problems(tmp_path: Path) -> None:
    # Independent of the sample: the summary's counts are the JSON report's counts.
    root = _bccd(tmp_path)
    problems = problems_of(run_cli("check", "BCCD/Annotations", "--format", "json", cwd=root))
    text = SAMPLE.read_text(encoding="utf-8")
    errors = sum(p["severity"] == "error" for p in problems)
    assert f"## labellint: ❌ {errors} errors" in text
    assert "Checked 364 files, 364 items, 4,888 annotations" in text  # MANIFEST.md: 364 xml, 4,888 objects
    table = text.split("### Problems by rule")[1].split("###")[0]
    for code in {p["code"] for p in problems}:
        row = re.search(rf"^\| \[{code} [a-z-]+\]\(\S+\) \| \w+ \| (\d+) \|$", table, re.M)
        assert row and int(row[1]) == sum(p["code"] == code for p in problems)
    listed = re.findall(r"^\| `(BCCD/Annotations/[^`:]+):(\d+):\d+` \| (LL\d+)", text, re.M)
    assert listed == [(p["path"], str(p["line"]), p["code"]) for p in problems][: len(listed)]
