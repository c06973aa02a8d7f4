"""Commands that compute figures name the files they could not read ("figures leave out N unread files")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import shared_path
from helpers import run_cli
from test_quality_datasets import LABELS, _export


def test_agree_per_annotator_names_the_file_it_could_not_read(tmp_path: Path) -> None:
    """Three annotators' VOC files (real raccoon labels); the third is cut short mid-file."""
    real = shared_path("data", "voc", "raccoon", "annotations", "raccoon-1.xml")
    for name in ("ann", "bob", "cat"):
        (tmp_path / name).mkdir()
        shutil.copy(real, tmp_path / name / "raccoon-1.xml")
    cut = tmp_path / "cat" / "raccoon-1.xml"
    cut.write_bytes(cut.read_bytes()[: len(cut.read_bytes()) // 2 + 40])
    given = ["ann/raccoon-1.xml", "bob/raccoon-1.xml", "cat/raccoon-1.xml"]
    result = run_cli("agree", "--per-annotator", "--format", "json", *given, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "figures leave out" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("labellint: warning: figures leave out 1 unread file: cat/raccoon-1.xml: ")
    assert json.loads(result.stdout)["notes"] == [lines[0].removeprefix("labellint: warning: ")]


def test_golden_names_the_dataset_file_it_could_not_read(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "good.json").write_text(json.dumps(_export()))
    (tmp_path / "exports" / "broken.json").write_text(json.dumps(_export())[:300])
    (tmp_path / "labellint.toml").write_text('[[datasets]]\npath = "exports"\nreader = "labelstudio"\n')
    (tmp_path / "gold.csv").write_text("item,label\n" + "".join(f"{k + 1},{v}\n" for k, v in enumerate(LABELS)))
    result = run_cli("golden", "--gold", "gold.csv", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "labellint: warning: figures leave out 1 unread file: exports/broken.json: " in result.stderr
    assert json.loads(result.stdout)["overall"]["items"] == 2 * len(LABELS)  # the good file's two annotators


def test_suspects_names_the_file_it_could_not_read(tmp_path: Path) -> None:
    from test_cli_suspects import write_labels, write_probs_csv

    labels = [k % 3 for k in range(60)]
    names = ["cat", "dog", "owl"]
    ids = [f"x{k}" for k in range(60)]
    write_labels(tmp_path / "labels.csv", ids, labels, names)
    probs = [[0.9 if c == label else 0.05 for c in range(3)] for label in labels]
    write_probs_csv(tmp_path / "p.csv", ids, probs, names)
    (tmp_path / "more.csv").write_bytes(b"")
    result = run_cli("suspects", "labels.csv", "more.csv", "--predictions", "p.csv", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "labellint: warning: figures leave out 1 unread file: more.csv: the file is empty" in result.stderr
    assert json.loads(result.stdout)["items"] == len(ids)
