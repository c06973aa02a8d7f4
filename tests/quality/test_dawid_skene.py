"""Dawid-Skene against the reference cases: crowd-kit's step-by-step toy, DS 1979 Table 1, Snow 2008."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from conftest import shared_path

from labellint.quality.dawid_skene import dawid_skene


def _case(name: str) -> dict:
    path = shared_path("reference", "dawid_skene_cases.json")
    return next(case for case in json.loads(path.read_text())["cases"] if case["name"] == name)


def test_crowdkit_toy_step_by_step() -> None:
    case = _case("crowdkit_toy_step_by_step")
    tasks, workers, labels = zip(*case["data"], strict=True)
    result = dawid_skene(tasks, workers, labels, max_iter=1, keep_history=True)
    yes = list(result.classes).index("yes")
    for iteration in ("0", "1"):
        expected = case["oracle"][iteration]["reference_probas_yes"]
        assert result.history[int(iteration)][:, yes] == pytest.approx(expected, abs=case["tolerance"])
    assert result.priors[yes] == pytest.approx(case["oracle"]["1"]["reference_priors"]["yes"], abs=1e-4)
    assert result.labels.tolist() == case["expected"]["1"]["labels"]


def test_dawid_skene_1979_table1_converged() -> None:
    case = _case("dawid_skene_1979_table1")
    oracle = case["oracle"]
    patients, observers, labels = zip(*case["data"], strict=True)
    result = dawid_skene(patients, observers, labels, max_iter=oracle["iterations"], tol=0)
    assert result.priors == pytest.approx(oracle["reference_class_marginals"], abs=1e-4)
    # The reference lists patients in text order ("1", "10", "11", ...).
    by_patient = dict(zip(result.items.tolist(), result.labels.tolist(), strict=True))
    in_text_order = [by_patient[p] for p in sorted(by_patient, key=str)]
    assert in_text_order == oracle["reference_labels"]
    observer_1 = list(result.annotators).index(1)
    assert result.confusion[observer_1] == pytest.approx(
        np.array(oracle["reference_observer1_error_matrix_rows_true_cols_observed"]), abs=1e-3
    )
    # Observer 1 rated every patient three times: all three ratings count (no de-duplication).
    assert len(patients) == 45 * 7


@pytest.mark.parametrize("name", ["snow2008_rte", "snow2008_temp"])
def test_snow2008_accuracy_against_gold(name: str) -> None:
    case = _case(name)
    path = shared_path("data", "agreement", *case["file"].split("/")[1:])
    rows = list(csv.DictReader(path.open(), delimiter="\t"))
    result = dawid_skene(
        [r["orig_id"] for r in rows], [r["!amt_worker_ids"] for r in rows], [r["response"] for r in rows]
    )
    gold = {r["orig_id"]: r["gold"] for r in rows}
    accuracy = np.mean([gold[item] == label for item, label in zip(result.items, result.labels, strict=True)])
    assert accuracy == pytest.approx(case["oracle"]["acc_ds_reference"], abs=1e-9)
    assert result.converged
    estimated = dict(zip(result.annotators.tolist(), result.annotator_accuracy().tolist(), strict=True))
    for worker in case["oracle"]["worker_accuracy_vs_gold"]["top5_workers_by_volume"]:
        assert estimated[worker["worker"]] == pytest.approx(worker["ds_estimated_accuracy"], abs=0.03)
