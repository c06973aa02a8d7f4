"""`labellint golden`: Wilson intervals, per-worker accuracy on real crowd data, history over commits."""

from __future__ import annotations

import csv
import json
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import REFERENCE, shared_path
from helpers import run_cli

from labellint.quality.golden import wilson_interval

GAL = ("data", "agreement", "get_another_label")
GAL_OPTIONS = ("--columns", "worker,item,label", "--no-header")


def golden_json(*args: str, cwd: Path | None = None) -> dict:
    result = run_cli("golden", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def test_wilson_matches_the_reference_fixture() -> None:
    cases = json.loads((REFERENCE / "label_quality_cases.json").read_text()) if REFERENCE.exists() else None
    if cases is None:
        pytest.skip("reference folder absent")
    assert wilson_interval(5, 10) == pytest.approx(cases["wilson_5_of_10_95"], abs=1e-4)
    assert wilson_interval(0, 20) == pytest.approx(cases["wilson_0_of_20_95"], abs=1e-4)
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(20, 20)
    assert high == 1.0 and low < 1.0


def _independent_accuracy(labels: Path, gold: Path) -> dict[str, tuple[int, int]]:
    """Per worker (correct, rated) on gold items, by plain dictionaries (last repeat wins)."""
    truth = {}
    for row in csv.reader(gold.open(), delimiter="\t"):
        if len(row) >= 2 and row[0].strip():
            truth[row[0].strip()] = row[1].strip()
    given: dict[tuple[str, str], str] = {}
    for row in csv.reader(labels.open(), delimiter="\t"):
        if len(row) >= 3:
            given[(row[0].strip(), row[1].strip())] = row[2].strip()
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (worker, item), label in given.items():
        if item in truth:
            tally[worker][0] += label == truth[item]
            tally[worker][1] += 1
    return {worker: (c, n) for worker, (c, n) in tally.items()}


@pytest.mark.parametrize(
    ("folder", "gold_name"), [("BarzanMozafari", "gold-30items.txt"), ("CopyrightInfringement", "gold.txt")]
)
def test_per_worker_golden_accuracy_on_get_another_label(folder: str, gold_name: str) -> None:
    labels = shared_path(*GAL, folder, "labels.txt")
    gold = shared_path(*GAL, folder, gold_name)
    expected = _independent_accuracy(labels, gold)
    report = golden_json(str(labels), "--gold", str(gold), *GAL_OPTIONS)
    assert set(report["annotators"]) == set(expected)
    for worker, (correct, rated) in expected.items():
        entry = report["annotators"][worker]
        assert (entry["correct"], entry["items"]) == (correct, rated)
        assert entry["accuracy"] == pytest.approx(correct / rated)
        assert entry["wilson_95"][0] <= entry["accuracy"] <= entry["wilson_95"][1]
        assert sum(c["items"] for c in entry["per_class"].values()) == rated
    total_correct = sum(c for c, _ in expected.values())
    total_rated = sum(n for _, n in expected.values())
    assert report["overall"]["accuracy"] == pytest.approx(total_correct / total_rated)
    mean = sum(c / n for c, n in expected.values()) / len(expected)
    assert report["overall"]["mean_annotator_accuracy"] == pytest.approx(mean)


def test_per_class_accuracy_and_unknown_gold_class(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("item,annotator,label\n1,a,cat\n2,a,dog\n3,a,cat\n1,b,dog\n2,b,dog\n4,b,cat\n")
    gold = tmp_path / "gold.csv"
    gold.write_text("item,label\n1,cat\n2,dog\n3,bird\n9,cat\n")
    report = golden_json(str(labels), "--gold", str(gold), cwd=tmp_path)
    a, b = report["annotators"]["a"], report["annotators"]["b"]
    assert (a["correct"], a["items"]) == (2, 3)
    assert a["per_class"]["bird"] == {
        "accuracy": 0.0,
        "correct": 0,
        "items": 1,
        "wilson_95": [0.0, pytest.approx(0.7935, abs=1e-4)],
    }
    assert (b["correct"], b["items"]) == (1, 2)  # item 4 has no gold
    assert report["gold_items"] == 4 and report["gold_items_rated"] == 3
    assert {"gold": "bird", "given": "cat", "count": 1} in report["confusions"]
    text = run_cli("golden", str(labels), "--gold", str(gold), cwd=tmp_path).stdout
    assert "overall accuracy: 0.600" in text


def test_missing_gold_file_is_a_usage_error(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text("item,annotator,label\n1,a,cat\n")
    result = run_cli("golden", str(labels), "--gold", str(tmp_path / "nope.csv"), cwd=tmp_path)
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.stderr


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_history_gives_one_figure_per_commit(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "T")
    gold = repo / "gold.csv"
    gold.write_text("item,label\n1,cat\n2,dog\n3,cat\n4,dog\n")
    labels = repo / "labels.csv"
    versions = [
        "item,annotator,label\n1,a,dog\n2,a,cat\n3,a,dog\n4,a,dog\n",  # 1/4
        "item,annotator,label\n1,a,cat\n2,a,cat\n3,a,dog\n4,a,dog\n",  # 2/4
        "item,annotator,label\n1,a,cat\n2,a,dog\n3,a,cat\n4,a,dog\n",  # 4/4
    ]
    for number, text in enumerate(versions):
        labels.write_text(text)
        _git(repo, "add", ".")
        _git(repo, "commit", "-q", "-m", f"version {number}")
    (repo / "other.txt").write_text("unrelated\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "unrelated")
    report = golden_json("labels.csv", "--gold", "gold.csv", "--since", "HEAD~3", cwd=repo)
    history = report["history"]
    assert [point["message"] for point in history] == ["version 0", "version 1", "version 2"]
    assert [point["overall"]["accuracy"] for point in history] == [0.25, 0.5, 1.0]
    assert history[-1]["annotators"] == {"a": 1.0}
    result = run_cli("golden", "labels.csv", "--gold", "gold.csv", "--since", "nope", cwd=repo)
    assert result.exit_code == 2 and "unknown revision" in result.stderr
