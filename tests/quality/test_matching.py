"""Box IoU, one-to-one matching and annotator-vs-annotator box and span agreement."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REFERENCE

from labellint.quality.matching import (
    box_agreement,
    combine_agreements,
    iou_matrix,
    match_greedy,
    match_one_to_one,
    span_agreement,
    span_iou_matrix,
)

BBOX_FILE = REFERENCE / "bbox_cases.json"
COUNT_FIELDS = ("tp", "fp", "fn", "precision", "recall", "f1", "mean_iou_matched")


def _bbox_case(name: str) -> dict:
    if not BBOX_FILE.exists():
        pytest.skip(f"reference file not present: {BBOX_FILE}")
    cases = json.loads(BBOX_FILE.read_text(encoding="utf-8"))["cases"]
    return next(case for case in cases if case["name"] == name)


def _assert_matches_reference(result, expected: dict) -> None:
    got = {
        "tp": result.tp,
        "fp": result.fp,
        "fn": result.fn,
        "precision": result.precision,
        "recall": result.recall,
        "f1": result.f1,
        "mean_iou_matched": result.mean_iou,
    }
    assert got == pytest.approx({field: expected[field] for field in COUNT_FIELDS}, abs=1e-12)


# --------------------------------------------------------------------------- reference cases


def test_greedy_vs_hungarian_reference():
    case = _bbox_case("greedy_vs_hungarian")
    a, b = case["annotator_A"], case["annotator_B"]
    np.testing.assert_allclose(iou_matrix(a, b), case["iou_matrix_A_by_B"], atol=5e-5)
    _assert_matches_reference(box_agreement(a, b, threshold=0.5), case["hungarian@0.5"])
    _assert_matches_reference(box_agreement(a, b, threshold=0.5, method="greedy"), case["greedy_by_iou@0.5"])


def test_iou_equal_to_threshold_matches():
    case = _bbox_case("iou_equal_threshold")
    a, b = case["annotator_A"], case["annotator_B"]
    assert iou_matrix(a, b)[0, 0] == case["iou"] == 0.5
    _assert_matches_reference(box_agreement(a, b, threshold=0.5), case["hungarian@0.5"])


def test_continuous_pixel_convention():
    case = _bbox_case("pixel_convention")
    first, second = case["boxes_xyxy"]
    iou = iou_matrix([first], [second], box_format="xyxy")[0, 0]
    assert iou == pytest.approx(case["iou_continuous(COCO)"], abs=1e-15)
    assert iou != pytest.approx(case["iou_voc_plus1"])


def test_class_agnostic_vs_class_aware_reference():
    case = _bbox_case("class_aware_vs_agnostic")
    boxes_a, labels_a = zip(*case["annotator_A"], strict=True)
    boxes_b, labels_b = zip(*case["annotator_B"], strict=True)
    agnostic = box_agreement(boxes_a, boxes_b, labels_a, labels_b)
    aware = box_agreement(boxes_a, boxes_b, labels_a, labels_b, class_aware=True)
    _assert_matches_reference(agnostic, case["class_agnostic@0.5"])
    _assert_matches_reference(aware, case["class_aware@0.5"])
    assert case["label_agreement_on_agnostic_matches"] == "1/2"
    assert agnostic.label_agreement == 0.5
    mismatched = [list(pair) for pair in agnostic.label_confusion if pair[0] != pair[1]]
    assert mismatched == case["confusion_pairs_on_matches"]
    assert agnostic.label_confusion == {("car", "car"): 1, ("car", "truck"): 1}


# --------------------------------------------------------------------------- IoU


def test_iou_matrix_agrees_with_scalar_formula_on_random_boxes():
    rng = np.random.default_rng(3)
    a = np.column_stack([rng.uniform(0, 50, (40, 2)), rng.uniform(0.5, 30, (40, 2))])
    b = np.column_stack([rng.uniform(0, 50, (30, 2)), rng.uniform(0.5, 30, (30, 2))])

    def scalar_iou(box1, box2):
        x1, y1 = max(box1[0], box2[0]), max(box1[1], box2[1])
        x2 = min(box1[0] + box1[2], box2[0] + box2[2])
        y2 = min(box1[1] + box1[3], box2[1] + box2[3])
        inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
        return inter / (box1[2] * box1[3] + box2[2] * box2[3] - inter)

    expected = np.array([[scalar_iou(p, q) for q in b] for p in a])
    np.testing.assert_allclose(iou_matrix(a, b), expected, rtol=1e-12, atol=1e-15)


def test_iou_matrix_shapes_and_degenerate_boxes():
    assert iou_matrix([], [[0, 0, 1, 1]]).shape == (0, 1)
    assert iou_matrix([[0, 0, 1, 1]], np.empty((0, 4))).shape == (1, 0)
    assert iou_matrix([[5, 5, 0, 0]], [[5, 5, 0, 0]])[0, 0] == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        iou_matrix([[0, 0, -1, 1]], [[0, 0, 1, 1]])


# --------------------------------------------------------------------------- matching


def test_match_one_to_one_excludes_pairs_below_threshold():
    scores = np.array([[0.9, 0.2], [0.3, 0.4]])
    rows, cols = match_one_to_one(scores, threshold=0.5)
    assert rows.tolist() == [0] and cols.tolist() == [0]


def test_match_one_to_one_cardinality_beats_sum_on_a_chain():
    # The largest total score is the diagonal, 3 pairs summing to 3.0; the off-diagonal cycle
    # has 4 pairs summing to 2.0. More pairs means a better F1, so the cycle must win.
    scores = np.zeros((4, 4))
    scores[0, 0] = scores[1, 1] = scores[2, 2] = 1.0
    scores[0, 1] = scores[1, 2] = scores[2, 3] = scores[3, 0] = 0.5
    rows, _ = match_one_to_one(scores, threshold=0.5)
    assert len(rows) == 4


def test_match_functions_handle_empty_matrices():
    for matcher in (match_one_to_one, match_greedy):
        rows, cols = matcher(np.zeros((0, 3)), 0.5)
        assert rows.size == cols.size == 0
        rows, cols = matcher(np.zeros((2, 2)), 0.0)
        assert rows.size == 0  # zero scores never match, even at threshold 0


# --------------------------------------------------------------------------- box agreement


def test_both_empty_image_counts_as_agreement():
    result = box_agreement([], [])
    assert result.both_empty and result.n_both_empty == 1
    assert (result.tp, result.fp, result.fn) == (0, 0, 0)
    assert result.f1 == result.precision == result.recall == 1.0
    assert result.mean_iou is None


def test_one_sided_empty_image():
    only_a = box_agreement([[0, 0, 10, 10]], [])
    assert (only_a.tp, only_a.fn, only_a.fp) == (0, 1, 0)
    assert only_a.f1 == 0.0 and only_a.recall == 0.0 and only_a.precision is None
    only_b = box_agreement([], [[0, 0, 10, 10]])
    assert only_b.recall is None and only_b.precision == 0.0


def test_combine_agreements_skips_both_empty_images():
    images = [
        box_agreement([[0, 0, 10, 10]], [[0, 0, 10, 10]]),
        box_agreement([], []),
        box_agreement([[0, 0, 10, 10], [50, 50, 5, 5]], [[0, 0, 10, 5]]),
    ]
    pooled = combine_agreements(images)
    assert (pooled.tp, pooled.fp, pooled.fn) == (2, 0, 1)
    assert pooled.f1 == pytest.approx(4 / 5)
    assert pooled.mean_iou == pytest.approx((1.0 + 0.5) / 2)
    assert pooled.n_units == 3 and pooled.n_both_empty == 1
    assert combine_agreements([box_agreement([], [])] * 2).f1 == 1.0


def test_class_aware_needs_labels():
    with pytest.raises(ValueError, match="labels"):
        box_agreement([[0, 0, 1, 1]], [[0, 0, 1, 1]], class_aware=True)


def test_f1_is_symmetric():
    a = [[0, 0, 10, 10], [20, 0, 10, 10], [40, 0, 10, 10]]
    b = [[1, 0, 10, 10], [60, 0, 10, 10]]
    forward, backward = box_agreement(a, b), box_agreement(b, a)
    assert forward.f1 == backward.f1 == pytest.approx(2 / 5)
    assert forward.precision == backward.recall


# --------------------------------------------------------------------------- spans


GOLD = [(0, 5, "PER"), (10, 15, "LOC"), (20, 30, "ORG")]
OTHER = [(0, 5, "PER"), (11, 15, "LOC"), (20, 30, "PER"), (40, 42, "MISC")]


def test_span_iou_matrix_end_exclusive():
    iou = span_iou_matrix([(0, 10)], [(5, 15), (10, 20)])
    assert iou.tolist() == [[pytest.approx(5 / 15), 0.0]]


def test_span_exact_f1():
    result = span_agreement(GOLD, OTHER, mode="exact")
    assert (result.tp, result.fn, result.fp) == (1, 2, 3)
    assert result.f1 == pytest.approx(2 / 7)


def test_span_exact_boundaries_without_labels():
    result = span_agreement(GOLD, OTHER, mode="exact", label_aware=False)
    assert result.tp == 2
    assert result.label_confusion == {("PER", "PER"): 1, ("ORG", "PER"): 1}


def test_span_overlap_f1():
    labelled = span_agreement(GOLD, OTHER, mode="overlap")
    assert (labelled.tp, labelled.fn, labelled.fp) == (2, 1, 2)
    assert labelled.f1 == pytest.approx(4 / 7)
    assert labelled.mean_iou == pytest.approx((1.0 + 0.8) / 2)
    boundaries_only = span_agreement(GOLD, OTHER, mode="overlap", label_aware=False)
    assert boundaries_only.f1 == pytest.approx(6 / 7)


def test_span_overlap_matching_is_one_to_one():
    # One long span overlapping two short ones can match only one of them.
    result = span_agreement([(0, 10, "X")], [(0, 4, "X"), (5, 10, "X")], mode="overlap")
    assert (result.tp, result.fp) == (1, 1)
    assert result.mean_iou == pytest.approx(0.5)


def test_span_agreement_empty_sides():
    assert span_agreement([], []).f1 == 1.0
    assert span_agreement([], [(0, 1, "X")]).f1 == 0.0
