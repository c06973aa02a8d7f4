"""`labellint gate`: the spec's quality gates on the figures `agree` and `golden` print (real crowd data)."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

RTE = ("data", "agreement", "snow2008", "rte.standardized.tsv")
RTE_COLUMNS = ("--item-col", "orig_id", "--annotator-col", "!amt_worker_ids", "--label-col", "response")


def _rte_gold(tmp_path: Path) -> tuple[Path, Path]:
    """The RTE table and its gold column written as a golden set (item, label), read with plain csv."""
    table = shared_path(*RTE)
    gold = {row["orig_id"]: row["gold"] for row in csv.DictReader(table.open(), delimiter="\t")}
    path = tmp_path / "gold.tsv"
    path.write_text("".join(f"{item}\t{label}\n" for item, label in gold.items()))
    return table, path


def _spec(folder: Path, quality: str) -> None:
    classes = '  "0": {definition: does not follow}\n  "1": {definition: follows}\n'
    (folder / "labelspec.yaml").write_text(f"version: 1.0.0\nclasses:\n{classes}quality:\n{quality}")


def _gate(folder: Path, table: Path, gold: Path, *extra: str):
    result = run_cli("gate", "--ratings", str(table), "--gold", str(gold), *RTE_COLUMNS, *extra, cwd=folder)
    return result.exit_code, json.loads(result.stdout) if "json" in extra else result.stdout


def _figures(folder: Path, table: Path, gold: Path) -> tuple[dict, dict]:
    agree = run_cli("agree", str(table), *RTE_COLUMNS, "--format", "json", cwd=folder)
    golden = run_cli("golden", str(table), "--gold", str(gold), *RTE_COLUMNS, "--format", "json", cwd=folder)
    return json.loads(agree.stdout), json.loads(golden.stdout)


def test_gates_use_the_figures_agree_and_golden_print_and_exit_to_match(tmp_path: Path) -> None:
    table, gold = _rte_gold(tmp_path)
    agree, golden = _figures(tmp_path, table, gold)
    kappa, accuracy = agree["fleiss_kappa"]["value"], golden["overall"]["accuracy"]
    # Independent check of the golden figure: every rating on a gold item, plain csv.
    truth = dict(line.split("\t") for line in gold.read_text().split("\n") if line)
    rows = list(csv.DictReader(table.open(), delimiter="\t"))
    assert accuracy == pytest.approx(sum(r["response"] == truth[r["orig_id"]] for r in rows) / len(rows))
    for offset, expected_exit in ((-0.01, 0), (0.01, 1)):
        quality = (
            f"  agreement: {{metric: fleiss_kappa, min: {kappa + offset}, min_items: 50}}\n"
            f"  golden: {{min_accuracy: {accuracy + offset}, min_items: 20}}\n"
        )
        _spec(tmp_path, quality)
        exit_code, document = _gate(tmp_path, table, gold, "--format", "json")
        assert exit_code == expected_exit
        assert document["ok"] is (expected_exit == 0)
        by_name = {entry["name"]: entry for entry in document["gates"]}
        assert by_name["agreement"]["value"] == kappa and by_name["agreement"]["n"] == agree["items"]
        assert by_name["golden"]["value"] == accuracy and by_name["golden"]["n"] == len(rows)
        assert all(entry["ok"] is (expected_exit == 0) for entry in by_name.values())


def test_not_enough_data_is_reported_and_never_passes(tmp_path: Path) -> None:
    table, gold = _rte_gold(tmp_path)
    items = len({row["orig_id"] for row in csv.DictReader(table.open(), delimiter="\t")})
    _spec(tmp_path, f"  agreement: {{metric: fleiss_kappa, min: -1, min_items: {items + 1}}}\n")
    exit_code, document = _gate(tmp_path, table, gold, "--format", "json")
    entry = document["gates"][0]
    assert exit_code == 1 and document["ok"] is False
    assert entry["status"] == "not_enough_data" and entry["ok"] is False
    assert entry["reason"] == f"not enough data: {items} < min_items {items + 1}"
    _spec(tmp_path, f"  agreement: {{metric: fleiss_kappa, min: -1, min_items: {items + 1}, severity: warning}}\n")
    assert _gate(tmp_path, table, gold, "--format", "json")[0] == 0


def test_per_annotator_failures_are_listed_and_merge_advice_cites_the_pair(tmp_path: Path) -> None:
    table, gold = _rte_gold(tmp_path)
    truth = dict(line.split("\t") for line in gold.read_text().split("\n") if line)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_item: dict[str, Counter] = defaultdict(Counter)
    for row in csv.DictReader(table.open(), delimiter="\t"):
        tally[row["!amt_worker_ids"]][0] += row["response"] == truth[row["orig_id"]]
        tally[row["!amt_worker_ids"]][1] += 1
        per_item[row["orig_id"]][row["response"]] += 1
    below = {w for w, (c, n) in tally.items() if n >= 20 and c / n < 0.8}
    _spec(tmp_path, "  agreement: {min: 0, merge_above: 0.2}\n  golden: {min_accuracy: 0.8, per_annotator: true}\n")
    exit_code, document = _gate(tmp_path, table, gold, "--format", "json")
    agreement, golden = document["gates"]
    failed = {d["name"][len("golden[") : -1] for d in golden["details"] if d["status"] == "failed"}
    assert exit_code == 1 and failed == below and golden["status"] == "failed"
    # Rater pairs that mix 0 and 1 against all pairs within {0, 1}, counted per item by hand.
    mixed = sum(c["0"] * c["1"] for c in per_item.values())
    within = mixed + sum(k * (k - 1) // 2 for c in per_item.values() for k in c.values())
    (advice,) = agreement["advice"]
    assert (advice["a"], advice["b"], advice["mixed_pairs"], advice["rater_pairs"]) == ("0", "1", mixed, within)
    assert advice["share"] == pytest.approx(mixed / within) and "consider merging '0' and '1'" in advice["advice"]
    exit_code, markdown = _gate(tmp_path, table, gold, "--format", "markdown")
    assert exit_code == 1 and "| golden | accuracy |" in markdown and "**Merge/split advice**" in markdown


def test_a_spec_without_quality_gates_is_a_configuration_error(tmp_path: Path) -> None:
    table, _gold = _rte_gold(tmp_path)
    (tmp_path / "labelspec.yaml").write_text('version: 1.0.0\nclasses:\n  "0": {definition: no}\n')
    result = run_cli("gate", "--ratings", str(table), *RTE_COLUMNS, cwd=tmp_path)
    assert result.exit_code == 2 and "no `quality:` gates" in result.stderr
