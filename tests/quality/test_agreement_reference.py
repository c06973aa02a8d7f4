"""Agreement statistics against the published worked examples in shared/reference."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import REFERENCE, shared_path

from labellint.quality import agreement
from labellint.quality.ratings import Ratings

CASES_FILE = REFERENCE / "agreement_cases.json"


def _load_reference() -> dict:
    # Parametrisation happens at collection time, before shared_path() could skip a test,
    # so a missing file yields an empty parameter set (reported as skipped) instead.
    if not CASES_FILE.exists():
        return {"meta": {}, "cases": []}
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))


REFERENCE_DATA = _load_reference()
CASES = REFERENCE_DATA["cases"]


def _ratings(case: dict) -> Ratings:
    return Ratings.from_matrix(case["data"], categories=case.get("categories"))


def _percent_agreement(case: dict, ratings: Ratings):
    if case.get("definition") == "pairable_weighted":
        return agreement.percent_agreement_pairable(ratings)
    if ratings.n_annotators == 2:
        return agreement.percent_agreement_two_raters(ratings)
    return agreement.percent_agreement_item_mean(ratings)


def _weighted_kappa(case: dict, ratings: Ratings):
    weights = case["disagreement_weights"] if case["level"] == "custom" else case["level"]
    return agreement.weighted_kappa(ratings, weights)


COMPUTE = {
    "percent_agreement": _percent_agreement,
    "cohen_kappa": lambda case, r: agreement.cohen_kappa(r),
    "scott_pi": lambda case, r: agreement.scott_pi(r),
    "weighted_kappa": _weighted_kappa,
    "mean_pairwise_cohen_kappa": lambda case, r: agreement.mean_pairwise_cohen_kappa(r),
    "fleiss_kappa": lambda case, r: agreement.fleiss_kappa(r),
    "fleiss_kappa_per_category": lambda case, r: agreement.fleiss_kappa_per_category(r),
    "randolph_kappa": lambda case, r: agreement.randolph_kappa(r),
    "krippendorff_alpha": lambda case, r: agreement.krippendorff_alpha(r, case["level"]),
    "specific_agreement": lambda case, r: agreement.specific_agreement(r),
}


def _compute(case: dict):
    return COMPUTE[case["metric"]](case, _ratings(case))


def test_reference_file_holds_every_case_we_dispatch():
    path = shared_path("reference", "agreement_cases.json")
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 58
    assert sum(case.get("kind") == "edge_case" for case in cases) == 10
    assert {case["metric"] for case in cases} <= set(COMPUTE)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_reference_case(case: dict):
    result = _compute(case)
    expected = case["expected"]
    if isinstance(expected, dict):
        # Per-category figures; the JSON keys are strings even for numeric categories.
        got = {str(category): res.value for category, res in result.items()}
        assert got.keys() == expected.keys()
        for category, value in expected.items():
            assert got[category] == pytest.approx(value, abs=case["tolerance"]), category
    elif expected is None:
        assert result.value is None
        assert result.reason
    else:
        assert result.value is not None, result.reason
        assert result.value == pytest.approx(expected, abs=case["tolerance"])


ORACLE_CASES = [case for case in CASES if isinstance(case["oracle"].get("reference"), float)]


@pytest.mark.parametrize("case", ORACLE_CASES, ids=[case["name"] for case in ORACLE_CASES])
def test_matches_oracle_to_machine_precision(case: dict):
    """The published values are rounded; the oracle's own value pins the formula exactly."""
    result = _compute(case)
    assert result.value == pytest.approx(case["oracle"]["reference"], rel=1e-9, abs=1e-12)
    for name, value in case["oracle"].get("reference_components", {}).items():
        assert result.components[name] == pytest.approx(value, rel=1e-9, abs=1e-12), name


def _case(name: str) -> dict:
    matching = [case for case in CASES if case["name"] == name]
    if not matching:
        pytest.skip(f"reference case {name} not available")
    return matching[0]


def test_percent_agreement_definitions_differ_with_missing_data():
    ratings = _ratings(_case("krippendorff_C_pa"))
    item_mean = agreement.percent_agreement_item_mean(ratings)
    pairable = agreement.percent_agreement_pairable(ratings)
    assert pairable.value == pytest.approx(0.8, abs=1e-12)
    assert item_mean.value == pytest.approx(9 / 11, abs=1e-12)
    assert item_mean.components["n_items"] == 11  # unit 12 has one rating only


def test_the_three_percent_agreements_coincide_for_two_complete_raters():
    ratings = _ratings(_case("artstein_poesio_2008_ex1_pa"))
    values = [
        agreement.percent_agreement_two_raters(ratings).value,
        agreement.percent_agreement_item_mean(ratings).value,
        agreement.percent_agreement_pairable(ratings).value,
    ]
    assert values == pytest.approx([0.7, 0.7, 0.7], abs=1e-12)


def test_fleiss_with_two_raters_is_scott_pi_not_cohen():
    ratings = _ratings(_case("artstein_poesio_2008_ex1_kappa"))
    fleiss = agreement.fleiss_kappa(ratings).value
    assert fleiss == pytest.approx(agreement.scott_pi(ratings).value, abs=1e-12)
    assert fleiss == pytest.approx(0.3407, abs=5e-5)
    assert agreement.cohen_kappa(ratings).value == pytest.approx(0.3478, abs=5e-5)
    # Alpha adds the small-sample correction on top of pi.
    assert agreement.krippendorff_alpha(ratings).value == pytest.approx(0.3440, abs=5e-5)


def test_custom_weights_equal_to_linear_reproduce_linear_kappa():
    ratings = _ratings(_case("edge_weighted_kappa_declared_scale_linear"))
    positions = np.arange(ratings.n_categories)
    linear = np.abs(positions[:, None] - positions[None, :])
    custom = agreement.weighted_kappa(ratings, linear).value
    assert custom == pytest.approx(agreement.weighted_kappa(ratings, "linear").value)
    assert custom == pytest.approx(0.126214, abs=1e-6)


def test_unweighted_kappa_ignores_unused_declared_categories():
    case = _case("irr_anxiety_r2r3_kappa")
    declared = Ratings.from_matrix(case["data"], categories=[1, 2, 3, 4, 5, 6])
    assert agreement.cohen_kappa(declared).value == pytest.approx(-0.006289308, abs=1e-9)


def test_linear_weights_refuse_unordered_string_categories():
    ratings = _ratings(_case("artstein_poesio_2008_ex2_kappa"))
    with pytest.raises(ValueError, match="ordered categories"):
        agreement.weighted_kappa(ratings, "linear")
    with pytest.raises(ValueError, match="ordered categories"):
        agreement.krippendorff_alpha(ratings, "ordinal")
    with pytest.raises(ValueError, match="numeric"):
        agreement.krippendorff_alpha(ratings, "interval")


def test_custom_weight_matrix_must_be_disagreement_weights():
    ratings = _ratings(_case("artstein_poesio_2008_ex2_weighted_kappa_custom"))
    with pytest.raises(ValueError, match="diagonal"):
        agreement.weighted_kappa(ratings, np.ones((3, 3)))
    with pytest.raises(ValueError, match="3 x 3"):
        agreement.weighted_kappa(ratings, np.zeros((2, 2)))


def test_two_rater_statistics_need_the_pair_named_when_there_are_more_raters():
    ratings = _ratings(_case("fleiss_1971_diagnoses"))
    with pytest.raises(ValueError, match="raters="):
        agreement.cohen_kappa(ratings)
    pair = agreement.cohen_kappa(ratings, raters=(0, 1))
    only_pair = agreement.cohen_kappa(ratings.select_annotators([0, 1]))
    assert pair.value == pytest.approx(only_pair.value, abs=1e-15)


def test_fleiss_per_category_is_undefined_with_the_overall_reason_when_m_varies():
    ratings = _ratings(_case("edge_fleiss_unequal_raters_per_item"))
    per_category = agreement.fleiss_kappa_per_category(ratings)
    assert all(res.value is None and "varies" in res.reason for res in per_category.values())


def test_fleiss_1971_top_confusions():
    expected = REFERENCE_DATA["meta"].get("derived_examples_no_published_value")
    if not expected:
        pytest.skip("reference file not available")
    ratings = _ratings(_case("fleiss_1971_diagnoses"))
    got = [((str(a), str(b)), count) for a, b, count in agreement.top_confusions(ratings)]
    reference = [(tuple(pair), count) for pair, count in expected["top_confusions_fleiss_1971"]]
    # The reference's fifth entry, (2, 5) = 18, ties with (1, 5) = 18; our tie-break by
    # category order puts (1, 5) first, so compare the untied head exactly and the rest by count.
    assert got[:4] == reference[:4]
    assert set(reference) <= set(got)
    assert got[4:6] == [(("1", "5"), 18), (("2", "5"), 18)]


def test_artstein_poesio_ex2_top_confusions_tie():
    expected = REFERENCE_DATA["meta"].get("derived_examples_no_published_value")
    if not expected:
        pytest.skip("reference file not available")
    ratings = _ratings(_case("artstein_poesio_2008_ex2_kappa"))
    got = agreement.top_confusions(ratings)
    # Both pairs occur 6 times; ours breaks the tie by category order, so compare as sets.
    assert {(frozenset((a, b)), count) for a, b, count in got} == {
        (frozenset(pair), count) for pair, count in expected["top_confusions_artstein_poesio_ex2"]
    }
    assert [count for _, _, count in got] == [6, 6]


def test_top_confusions_counts_every_rater_pair_of_an_item():
    # One item, labels a, a, b, c: pairs (a,b) x2, (a,c) x2, (b,c) x1.
    ratings = Ratings.from_long([1, 1, 1, 1], ["r1", "r2", "r3", "r4"], list("aabc"))
    assert agreement.top_confusions(ratings) == [("a", "b", 2), ("a", "c", 2), ("b", "c", 1)]


def test_disagreeing_items():
    ratings = Ratings.from_long(
        item_ids=["x", "x", "y", "y", "z", "w", "w", "w"],
        annotator_ids=["a", "b", "a", "b", "a", "a", "b", "c"],
        labels=[1, 1, 1, 2, 3, 2, 2, 1],
    )
    # z has a single rating: nothing to disagree with.
    assert agreement.disagreeing_items(ratings).tolist() == ["w", "y"]


def test_specific_agreement_multi_rater_reduces_to_pair_shares():
    # Item 1: a,a,b -> for a: 2 agreeing ordered pairs of 4 involving a; b: 0 of 2.
    # Item 2: b,b,b -> b: 6 of 6.
    ratings = Ratings.from_long([1, 1, 1, 2, 2, 2], [1, 2, 3, 1, 2, 3], list("aabbbb"))
    result = agreement.specific_agreement(ratings)
    assert result["a"].value == pytest.approx(2 / 4)
    assert result["b"].value == pytest.approx(6 / 8)


def test_specific_agreement_undefined_for_a_category_only_seen_alone():
    ratings = Ratings.from_long([1, 1, 2], ["a", "b", "a"], ["x", "x", "y"])
    result = agreement.specific_agreement(ratings)
    assert result["x"].value == 1.0
    assert result["y"].value is None and "never occurs" in result["y"].reason


def test_randolph_uses_declared_category_count():
    data = [["a", "a", "b"], ["a", "b", "b"]]
    observed = agreement.randolph_kappa(Ratings.from_matrix(data))
    declared = agreement.randolph_kappa(Ratings.from_matrix(data, categories=["a", "b", "c"]))
    # P-bar = 2/3; K = 2 -> (2/3 - 1/2) / (1/2); K = 3 -> (2/3 - 1/3) / (2/3).
    assert observed.value == pytest.approx(1 / 3)
    assert declared.value == pytest.approx(1 / 2)


def test_agreement_result_refuses_a_value_and_a_reason_together():
    with pytest.raises(ValueError):
        agreement.AgreementResult(value=0.5, reason="both")
    with pytest.raises(ValueError):
        agreement.AgreementResult(value=None)
    assert not math.isnan(agreement.AgreementResult.of(0.25).value)


def test_nothing_pairable_gives_reasons_not_errors():
    single_ratings = Ratings.from_long([1, 2, 3], ["a"] * 3, ["x", "y", "x"])
    for statistic in (
        agreement.krippendorff_alpha,
        agreement.fleiss_kappa,
        agreement.percent_agreement_item_mean,
        agreement.percent_agreement_pairable,
        agreement.randolph_kappa,
        agreement.mean_pairwise_cohen_kappa,
    ):
        result = statistic(single_ratings)
        assert result.value is None and result.reason, statistic.__name__
    assert agreement.disagreeing_items(single_ratings).size == 0
    assert agreement.top_confusions(single_ratings) == []
    disjoint = Ratings.from_long([1, 2], ["a", "b"], ["x", "y"])
    assert "no item in common" in agreement.cohen_kappa(disjoint).reason
