"""Tests for confident-learning label-error finding against cleanlab 2.9.0 reference values."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import shared_path

from labellint.quality.confident import (
    FILTER_BY_METHODS,
    SCORE_METHODS,
    confidence_weighted_entropy,
    confident_joint,
    confident_thresholds,
    cross_entropy_loss,
    estimate_joint,
    estimate_noise,
    find_label_issues,
    find_multilabel_issues,
    find_multilabel_issues_per_class,
    label_quality_scores,
    normalized_margin,
    num_label_issues,
    rank_label_issues,
    round_preserving_row_totals,
    self_confidence,
)

# The toy JSON stores scores rounded to 6 decimals.
TOY_SCORE_TOLERANCE = 1e-6
# The digits fixture stores full float64 scores.
DIGITS_SCORE_TOLERANCE = 1e-12


# --------------------------------------------------------------------------------------------
# Reference fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def toy():
    """The 12-item, 3-class toy with every intermediate from cleanlab 2.9.0."""
    path = shared_path("reference", "label_quality_cases.json")
    case = json.loads(path.read_text())
    case["labels"] = np.asarray(case["labels"])
    case["pred_probs"] = np.asarray(case["pred_probs"])
    return case


@pytest.fixture(scope="module")
def digits():
    """sklearn digits, 20% symmetric noise, out-of-sample probabilities, cleanlab 2.9.0 output."""
    path = shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz")
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def test_toy_thresholds_and_confident_joint(toy):
    labels, pred_probs = toy["labels"], toy["pred_probs"]
    np.testing.assert_allclose(
        confident_thresholds(labels, pred_probs), toy["confident_thresholds"], rtol=0, atol=1e-12
    )
    raw = confident_joint(labels, pred_probs, calibrate=False)
    assert raw.tolist() == toy["confident_joint"]
    assert confident_joint(labels, pred_probs).tolist() == toy["confident_joint_calibrated"]
    assert num_label_issues(labels, pred_probs) == toy["num_label_issues"]


@pytest.mark.parametrize("method", SCORE_METHODS)
def test_toy_scores(toy, method):
    scores = label_quality_scores(toy["labels"], toy["pred_probs"], method=method)
    np.testing.assert_allclose(scores, toy[method], rtol=0, atol=TOY_SCORE_TOLERANCE)


def test_toy_adjusted_self_confidence(toy):
    scores = label_quality_scores(toy["labels"], toy["pred_probs"], adjust=True)
    np.testing.assert_allclose(scores, toy["self_confidence_adjusted"], rtol=0, atol=TOY_SCORE_TOLERANCE)


@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
def test_toy_issue_sets(toy, filter_by):
    mask = find_label_issues(toy["labels"], toy["pred_probs"], filter_by=filter_by)
    assert np.flatnonzero(mask).tolist() == toy[f"issues_{filter_by}"]


@pytest.mark.parametrize("rank_by", ["self_confidence", "normalized_margin"])
def test_toy_ranked_issues(toy, rank_by):
    ranked = find_label_issues(toy["labels"], toy["pred_probs"], return_index_ranked_by=rank_by)
    assert ranked.tolist() == toy[f"ranked_by_{rank_by}"]


def test_toy_noise_estimate_matches_calibrated_joint(toy):
    noise = estimate_noise(toy["labels"], toy["pred_probs"])
    calibrated = np.asarray(toy["confident_joint_calibrated"], dtype=float)
    np.testing.assert_allclose(noise.joint, calibrated / calibrated.sum())
    # Given class 0: 3 of its 4 items look truly 0, one looks truly 1.
    np.testing.assert_allclose(noise.inverse_noise_matrix[:, 0], [0.75, 0.25, 0.0])
    np.testing.assert_allclose(noise.noise_rate_given, [0.25, 0.25, 0.0])
    # True class 2 (column 2): 1 item given 1, 4 given 2.
    np.testing.assert_allclose(noise.noise_matrix[:, 2], [0.0, 0.2, 0.8])
    np.testing.assert_allclose(noise.noise_rate_true, [0.0, 0.25, 0.2])
    np.testing.assert_allclose(noise.prior_given, [4 / 12, 4 / 12, 4 / 12])


def test_digits_fixture_has_expected_keys(digits):
    expected = {
        "y_true",
        "y_noisy",
        "is_injected",
        "pred_probs",
        "confident_thresholds",
        "confident_joint",
        "confident_joint_calibrated",
        "num_label_issues_off_diagonal",
        "self_confidence",
        "normalized_margin",
        "confidence_weighted_entropy",
        "ranked_pbnr_self_confidence",
    } | {f"mask_{filter_by}" for filter_by in FILTER_BY_METHODS}
    assert expected <= set(digits)


def test_digits_thresholds_exact(digits):
    thresholds = confident_thresholds(digits["y_noisy"], digits["pred_probs"])
    np.testing.assert_array_equal(thresholds, digits["confident_thresholds"])


def test_digits_confident_joint_exact(digits):
    labels, pred_probs = digits["y_noisy"], digits["pred_probs"]
    np.testing.assert_array_equal(confident_joint(labels, pred_probs, calibrate=False), digits["confident_joint"])
    # The calibrated joint exercises the half-to-even rounding and the row-total repair.
    np.testing.assert_array_equal(confident_joint(labels, pred_probs), digits["confident_joint_calibrated"])


def test_digits_num_label_issues(digits):
    assert num_label_issues(digits["y_noisy"], digits["pred_probs"]) == int(digits["num_label_issues_off_diagonal"])


@pytest.mark.parametrize("method", SCORE_METHODS)
def test_digits_scores(digits, method):
    scores = label_quality_scores(digits["y_noisy"], digits["pred_probs"], method=method)
    np.testing.assert_allclose(scores, digits[method], rtol=0, atol=DIGITS_SCORE_TOLERANCE)


@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
def test_digits_flagged_set_is_exactly_cleanlabs(digits, filter_by):
    mask = find_label_issues(digits["y_noisy"], digits["pred_probs"], filter_by=filter_by)
    expected = digits[f"mask_{filter_by}"]
    assert mask.dtype == bool and mask.shape == expected.shape
    assert np.flatnonzero(mask).tolist() == np.flatnonzero(expected).tolist()


def test_digits_ranking_is_exactly_cleanlabs(digits):
    ranked = find_label_issues(digits["y_noisy"], digits["pred_probs"], return_index_ranked_by="self_confidence")
    np.testing.assert_array_equal(ranked, digits["ranked_pbnr_self_confidence"])


def test_digits_default_filter_finds_most_injected_errors(digits):
    # Sanity check on the method itself rather than on agreement with cleanlab.
    mask = find_label_issues(digits["y_noisy"], digits["pred_probs"])
    injected = digits["is_injected"]
    assert np.array_equal(injected, digits["y_noisy"] != digits["y_true"])
    precision = (mask & injected).sum() / mask.sum()
    recall = (mask & injected).sum() / injected.sum()
    assert precision > 0.8 and recall > 0.8


def test_digits_noise_estimate_is_consistent(digits):
    noise = estimate_noise(digits["y_noisy"], digits["pred_probs"])
    np.testing.assert_allclose(noise.joint.sum(), 1.0)
    np.testing.assert_allclose(noise.noise_matrix.sum(axis=0), 1.0)
    np.testing.assert_allclose(noise.inverse_noise_matrix.sum(axis=0), 1.0)
    np.testing.assert_allclose(noise.prior_given, np.bincount(digits["y_noisy"]) / digits["y_noisy"].size)
    # 20% symmetric noise was injected; the estimate should land near it.
    overall = 1.0 - np.trace(noise.joint)
    assert 0.12 < overall < 0.28
    assert np.array_equal(estimate_joint(digits["y_noisy"], digits["pred_probs"]), noise.joint)


# --------------------------------------------------------------------------------------------
# Property-style checks on synthetic data
# --------------------------------------------------------------------------------------------


def confident_correct_probs(true_labels: np.ndarray, num_classes: int, rng) -> np.ndarray:
    """P(true class) = 0.9 for every item; the remaining 0.1 spread unevenly over the others.

    A constant top probability keeps every item at or above its class threshold (a mean that
    the few flipped items can only pull down), so detection is unambiguous by construction.
    """
    rest = rng.dirichlet(np.ones(num_classes - 1), size=true_labels.size) * 0.1
    probs = np.zeros((true_labels.size, num_classes))
    others = np.arange(num_classes)[None, :] != true_labels[:, None]
    probs[others] = rest.ravel()
    probs[~others] = 0.9
    return probs


def flip_some(labels: np.ndarray, num_classes: int, num_flips: int, rng):
    """Labels with `num_flips` items moved to a different class, and the flipped positions."""
    flipped = np.sort(rng.choice(labels.size, size=num_flips, replace=False))
    noisy = labels.copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, num_classes, num_flips)) % num_classes
    return noisy, flipped


SYNTHETIC_CASES = [(seed, k) for seed in range(4) for k in (2, 3, 5, 10)]


@pytest.mark.parametrize(("seed", "num_classes"), SYNTHETIC_CASES)
@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
def test_clean_confident_labels_flag_nothing(seed, num_classes, filter_by):
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(40 * num_classes) % num_classes)
    pred_probs = confident_correct_probs(labels, num_classes, rng)
    assert not find_label_issues(labels, pred_probs, filter_by=filter_by).any()


@pytest.mark.parametrize(("seed", "num_classes"), SYNTHETIC_CASES)
@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
def test_flipped_labels_are_exactly_the_flagged_ones(seed, num_classes, filter_by):
    rng = np.random.default_rng(seed)
    true_labels = rng.permutation(np.arange(40 * num_classes) % num_classes)
    pred_probs = confident_correct_probs(true_labels, num_classes, rng)
    noisy, flipped = flip_some(true_labels, num_classes, num_flips=2 + seed, rng=rng)
    mask = find_label_issues(noisy, pred_probs, filter_by=filter_by)
    assert np.flatnonzero(mask).tolist() == flipped.tolist()


def test_ranking_puts_the_most_suspicious_first():
    rng = np.random.default_rng(7)
    true_labels = rng.permutation(np.arange(300) % 3)
    pred_probs = confident_correct_probs(true_labels, 3, rng)
    noisy, flipped = flip_some(true_labels, 3, 5, rng)
    ranked = find_label_issues(noisy, pred_probs, return_index_ranked_by="self_confidence")
    scores = self_confidence(noisy, pred_probs)[ranked]
    assert sorted(ranked.tolist()) == flipped.tolist()
    assert np.all(np.diff(scores) >= 0)
    # Cross-entropy is a monotone transform of self-confidence: same order, reversed sense.
    losses = cross_entropy_loss(noisy, pred_probs)[ranked]
    assert np.all(np.diff(losses) <= 0)
    assert rank_label_issues(flipped, noisy, pred_probs).tolist() == ranked.tolist()


# --------------------------------------------------------------------------------------------
# Multi-label (one-vs-rest, union)
# --------------------------------------------------------------------------------------------


def multilabel_case(seed: int):
    """Indicator labels, confident probabilities agreeing with the truth, and a few flips."""
    rng = np.random.default_rng(seed)
    truth = (rng.random((200, 4)) < 0.3).astype(int)
    # Constant per-class probabilities, so every true state is confidently predicted.
    pred_probs = np.where(truth == 1, 0.9, 0.05)
    noisy = truth.copy()
    cells = [(3, 0), (10, 2), (10, 3), (57, 1)]
    for row, col in cells:
        noisy[row, col] = 1 - noisy[row, col]
    return noisy, pred_probs, cells


@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
def test_multilabel_flags_exactly_the_flipped_cells(filter_by):
    noisy, pred_probs, cells = multilabel_case(0)
    per_class = find_multilabel_issues_per_class(noisy, pred_probs, filter_by=filter_by)
    assert sorted(zip(*np.nonzero(per_class), strict=True)) == sorted(cells)
    union = find_multilabel_issues(noisy, pred_probs, filter_by=filter_by)
    assert np.flatnonzero(union).tolist() == [3, 10, 57]


def test_multilabel_accepts_sets_or_matrix():
    noisy, pred_probs, _ = multilabel_case(1)
    as_sets = [set(np.flatnonzero(row).tolist()) for row in noisy]
    np.testing.assert_array_equal(find_label_issues(as_sets, pred_probs), find_label_issues(noisy, pred_probs))
    assert find_label_issues(noisy, pred_probs).any()


def test_multilabel_clean_labels_flag_nothing():
    rng = np.random.default_rng(3)
    truth = (rng.random((150, 5)) < 0.4).astype(int)
    pred_probs = np.where(truth == 1, 0.9, 0.05) + rng.uniform(-0.02, 0.02, truth.shape)
    assert not find_multilabel_issues(truth, pred_probs).any()


# --------------------------------------------------------------------------------------------
# Building blocks and input checking
# --------------------------------------------------------------------------------------------


def test_round_preserving_row_totals_keeps_row_sums():
    rng = np.random.default_rng(0)
    values = rng.uniform(0, 20, size=(50, 7))
    rounded = round_preserving_row_totals(values)
    assert rounded.dtype.kind == "i"
    np.testing.assert_array_equal(rounded.sum(axis=1), np.round(values.sum(axis=1)))
    assert np.abs(rounded - values).max() < 1.0


def test_round_preserving_row_totals_takes_from_the_most_rounded_up():
    # 2.5 rounds (half-to-even) to 2, 3.4 to 3, 4.1 to 4: sum 9 vs target round(10.0) = 10;
    # the +1 goes to the entry rounded down the most (2.5 -> 2).
    assert round_preserving_row_totals([[2.5, 3.4, 4.1]]).tolist() == [[3, 3, 4]]
    # 1.6 -> 2 three times: sum 6 vs target round(4.8) = 5; -1 to an entry rounded up the most.
    assert round_preserving_row_totals([[1.6, 1.6, 1.6]]).tolist() == [[1, 2, 2]]


def test_scores_on_a_hand_computed_row():
    labels = np.array([0])
    pred_probs = np.array([[0.6, 0.3, 0.1]])
    assert self_confidence(labels, pred_probs)[0] == pytest.approx(0.6)
    assert normalized_margin(labels, pred_probs)[0] == pytest.approx((0.6 - 0.3 + 1) / 2)
    entropy = -(0.6 * np.log(0.6) + 0.3 * np.log(0.3) + 0.1 * np.log(0.1)) / np.log(3)
    ratio = entropy / 0.6
    expected = np.log(1 + ratio) / ratio
    assert confidence_weighted_entropy(labels, pred_probs)[0] == pytest.approx(expected)
    assert cross_entropy_loss(labels, pred_probs)[0] == pytest.approx(-np.log(0.6))


def test_absent_class_is_never_confident():
    labels = np.array([0, 0, 1, 1])
    pred_probs = np.array([[0.8, 0.1, 0.1], [0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1]])
    thresholds = confident_thresholds(labels, pred_probs)
    assert thresholds[2] == 2.0
    joint = confident_joint(labels, pred_probs, calibrate=False)
    assert joint[:, 2].tolist() == [0, 0, 1]  # only the guaranteed diagonal count


@pytest.mark.parametrize(
    ("labels", "pred_probs"),
    [
        ([0, 1, 3], np.full((3, 3), 1 / 3)),  # label out of range
        ([0, 1], np.full((3, 3), 1 / 3)),  # length mismatch
        ([0.5, 1, 2], np.full((3, 3), 1 / 3)),  # not whole numbers
        ([0, 1, 0], np.full((3, 1), 1.0)),  # a single class
    ],
)
def test_bad_inputs_raise(labels, pred_probs):
    with pytest.raises(ValueError):
        find_label_issues(labels, pred_probs)


def test_unknown_filter_raises():
    with pytest.raises(ValueError, match="filter_by"):
        find_label_issues([0, 1], np.eye(2), filter_by="prune_by_magic")


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -0.1, 1.5])
def test_invalid_probabilities_raise(bad_value):
    pred_probs = np.full((3, 2), 0.5)
    pred_probs[1, 0] = bad_value
    with pytest.raises(ValueError, match="pred_probs"):
        find_label_issues([0, 1, 0], pred_probs)


def test_frac_noise_and_min_examples_reduce_flags(digits):
    labels, pred_probs = digits["y_noisy"], digits["pred_probs"]
    full = find_label_issues(labels, pred_probs)
    half = find_label_issues(labels, pred_probs, frac_noise=0.5)
    assert half.sum() < full.sum() and not (half & ~full).any()
    # A class needs more than min_examples_per_class members before anything is pruned.
    assert not find_label_issues(labels, pred_probs, min_examples_per_class=10_000).any()
