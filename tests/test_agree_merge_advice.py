"""`agree`'s merge/split advice on real multi-class crowd labels (Get-Another-Label AdultContent3), by hand count."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

LABELS = ("data", "agreement", "get_another_label", "AdultContent3-HCOMP2010", "labels.txt")
OPTIONS = ("--columns", "worker,item,label", "--no-header")


def _hand_count(path: Path) -> dict[tuple[str, str], tuple[int, int, int]]:
    """Per class pair: (rater pairs mixing the two, rater pairs within the two, items mixing them),
    from the last rating of each (item, worker), as plain csv reads it."""
    last: dict[tuple[str, str], str] = {}
    for worker, item, label in csv.reader(path.open(), delimiter="\t"):
        last[(item, worker)] = label
    per_item: dict[str, Counter] = defaultdict(Counter)
    for (item, _worker), label in last.items():
        per_item[item][label] += 1
    classes = sorted({label for counts in per_item.values() for label in counts})
    found = {}
    for a, b in combinations(classes, 2):
        mixed = sum(c[a] * c[b] for c in per_item.values())
        same = sum(c[x] * (c[x] - 1) // 2 for c in per_item.values() for x in (a, b))
        found[(a, b)] = (mixed, mixed + same, sum(1 for c in per_item.values() if c[a] and c[b]))
    return found


def test_agree_lists_the_class_pairs_a_hand_count_finds_confused(tmp_path: Path) -> None:
    path = shared_path(*LABELS)
    counts = _hand_count(path)
    expected = {pair: v for pair, v in counts.items() if v[0] / v[1] > 0.2}
    assert len(expected) >= 2  # several pairs of this 4-class data are confused
    report = json.loads(run_cli("agree", str(path), *OPTIONS, "--format", "json", cwd=tmp_path).stdout)
    advice = report["merge_advice"]
    got = {(e["a"], e["b"]): (e["mixed_pairs"], e["rater_pairs"], e["items_confused"]) for e in advice}
    assert got == expected
    shares = [e["share"] for e in advice]
    assert shares == sorted(shares, reverse=True)
    for entry in advice:
        assert entry["share"] == pytest.approx(entry["mixed_pairs"] / entry["rater_pairs"])
        assert len(entry["items"]) == 10 and f"consider merging {entry['a']!r} and {entry['b']!r}" in entry["advice"]
    # A higher threshold keeps only the pairs above it.
    strict = json.loads(
        run_cli("agree", str(path), *OPTIONS, "--merge-above", "0.35", "--format", "json", cwd=tmp_path).stdout
    )
    assert {(e["a"], e["b"]) for e in strict["merge_advice"]} == {p for p, v in counts.items() if v[0] / v[1] > 0.35}
    text = run_cli("agree", str(path), *OPTIONS, cwd=tmp_path).stdout
    assert "merge/split advice" in text and advice[0]["advice"] in text


def test_the_advice_names_the_spec_rules_that_mention_both_classes(tmp_path: Path) -> None:
    path = shared_path(*LABELS)
    spec = tmp_path / "labelspec.yaml"
    spec.write_text(
        "version: 1.0.0\ntask: classification\nclasses:\n"
        "  G: {definition: general audience}\n  P: {definition: parental guidance}\n"
        "  R: {definition: restricted}\n  X: {definition: porn}\n  B: {definition: broken page}\n"
        "priority:\n  - [R, P]\n"
        "edge_cases:\n  - {id: swimwear, rule: Swimwear shops are P unless nude (R)., classes: [P, R]}\n"
    )
    report = json.loads(run_cli("agree", str(path), *OPTIONS, "--spec", str(spec), "--format", "json").stdout)
    by_pair = {(e["a"], e["b"]): e for e in report["merge_advice"]}
    assert by_pair[("P", "R")]["priority_rules"] == [0] and by_pair[("P", "R")]["edge_cases"] == ["swimwear"]
    assert "priority rule 0, edge case 'swimwear'" in by_pair[("P", "R")]["advice"]
    assert (
        by_pair[("G", "P")]["priority_rules"] == [] and "no priority rule or edge case" in by_pair[("G", "P")]["advice"]
    )
