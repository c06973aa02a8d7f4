"""The Ratings container: encoding, deduplication, conversions, and real crowd-label files."""

from __future__ import annotations

from collections import Counter
from itertools import permutations

import numpy as np
import pytest
from conftest import shared_path

from labellint.quality import agreement
from labellint.quality.ratings import Ratings

GAL = ("data", "agreement", "get_another_label")


def test_encodes_ids_and_labels_to_codes():
    ratings = Ratings.from_long(["i2", "i1", "i2"], ["bob", "ann", "ann"], ["cat", "dog", "cat"])
    assert ratings.items.tolist() == ["i1", "i2"]
    assert ratings.annotators.tolist() == ["ann", "bob"]
    assert ratings.categories == ("cat", "dog")
    assert not ratings.categories_declared
    # Sorted by (item, annotator): (i1, ann), (i2, ann), (i2, bob).
    assert ratings.item_codes.tolist() == [0, 1, 1]
    assert ratings.annotator_codes.tolist() == [0, 0, 1]
    assert ratings.label_codes.tolist() == [1, 0, 0]


def test_repeated_pair_keeps_the_last_rating_and_counts_the_dropped_ones():
    ratings = Ratings.from_long(
        item_ids=[1, 1, 2, 1, 1],
        annotator_ids=["a", "b", "a", "a", "a"],
        labels=["x", "y", "y", "z", "w"],
    )
    assert ratings.n_ratings == 3
    assert ratings.n_duplicates_dropped == 2
    assert ratings.n_repeated_pairs == 1
    matrix = ratings.to_matrix()
    assert ratings.categories[int(matrix[0, 0])] == "w"  # item 1, annotator a: last label


def test_missing_labels_are_dropped_and_counted():
    ratings = Ratings.from_long([1, 2, 3, 4], ["a"] * 4, ["x", None, float("nan"), "y"])
    assert ratings.n_ratings == 2
    assert ratings.n_missing_dropped == 2
    assert ratings.items.tolist() == [1, 4]


def test_numeric_nan_labels_are_missing():
    ratings = Ratings.from_long([1, 2, 3], [0, 0, 0], np.array([1.0, np.nan, 2.0]))
    assert ratings.n_missing_dropped == 1
    assert ratings.categories == (1.0, 2.0)


def test_missing_ids_are_an_error():
    with pytest.raises(ValueError, match="item_ids"):
        Ratings.from_long([1, None], ["a", "b"], ["x", "y"])


def test_mismatched_lengths_are_an_error():
    with pytest.raises(ValueError, match="same length"):
        Ratings.from_long([1, 2], ["a"], ["x", "y"])


def test_declared_categories_set_the_order_and_reject_unknown_labels():
    ratings = Ratings.from_long([1, 2, 3], ["a"] * 3, ["low", "high", "mid"], ["low", "mid", "high"])
    assert ratings.categories == ("low", "mid", "high")
    assert ratings.label_codes.tolist() == [0, 2, 1]
    assert ratings.is_ordered
    with pytest.raises(ValueError, match="not in the declared categories"):
        Ratings.from_long([1], ["a"], ["extreme"], ["low", "mid", "high"])


def test_string_categories_are_unordered_unless_declared():
    assert not Ratings.from_long([1], ["a"], ["x"]).is_ordered
    assert Ratings.from_long([1], ["a"], [3]).is_ordered


def test_from_matrix_matches_from_long():
    table = [[1, 2, None], [1, None, 3], [2, 2, 3]]
    wide = Ratings.from_matrix(table, annotator_ids=["r1", "r2", "r3"], item_ids=["a", "b", "c"])
    long = Ratings.from_long(
        ["a", "b", "a", "c", "a", "b", "c"],
        ["r1", "r1", "r2", "r2", "r3", "r3", "r3"],
        [1, 2, 1, 3, 2, 2, 3],
    )
    for name in ("item_codes", "annotator_codes", "label_codes", "items", "annotators"):
        assert np.array_equal(getattr(wide, name), getattr(long, name)), name
    assert wide.categories == long.categories == (1, 2, 3)
    assert wide.n_missing_dropped == 2


def test_to_matrix_and_category_counts():
    ratings = Ratings.from_matrix([[1, 2, None], [1, None, 3], [2, 2, 3]])
    matrix = ratings.to_matrix()
    assert matrix.shape == (3, 3)
    assert np.isnan(matrix[0, 2]) and np.isnan(matrix[1, 1])
    assert matrix[2].tolist() == [1.0, 1.0, 2.0]
    assert ratings.category_counts().tolist() == [[2, 1, 0], [0, 2, 0], [0, 0, 2]]
    assert ratings.ratings_per_item().tolist() == [3, 2, 2]


def test_select_annotators_keeps_categories_and_drops_unrated_items():
    ratings = Ratings.from_matrix([[1, None, 3], [1, 2, 3], [2, 2, None]], categories=[1, 2, 3, 4])
    subset = ratings.select_annotators([2, 0])
    assert subset.annotators.tolist() == [2, 0]
    assert subset.categories == (1, 2, 3, 4)
    assert subset.items.tolist() == [0, 1, 2]
    # Row 0 is annotator 2 now: labels 2, 2 (codes 1, 1) and nothing on item 2.
    np.testing.assert_array_equal(subset.to_matrix(), [[1, 1, np.nan], [0, np.nan, 2]])
    with pytest.raises(KeyError):
        ratings.select_annotators(["nobody"])


def test_one_million_ratings_encode_without_python_loops():
    rng = np.random.default_rng(7)
    n_items, n_raters = 100_000, 10
    ratings = Ratings.from_long(
        np.repeat(np.arange(n_items), n_raters),
        np.tile(np.arange(n_raters), n_items),
        rng.integers(0, 5, n_items * n_raters),
    )
    assert ratings.n_ratings == 1_000_000
    assert ratings.category_counts().sum(axis=1).tolist() == [n_raters] * n_items


# --------------------------------------------------------------------------- real crowd data


def _read_gal_labels(*parts: str) -> np.ndarray:
    path = shared_path(*GAL, *parts, "labels.txt")
    return np.loadtxt(path, dtype=str, delimiter="\t", comments=None, ndmin=2)


def _naive_alpha_nominal(rows: np.ndarray) -> float:
    """Krippendorff's nominal alpha by enumerating value pairs unit by unit (slow, obvious)."""
    by_unit: dict[str, list[str]] = {}
    for _, item, label in rows:
        by_unit.setdefault(item, []).append(label)
    coincidences: Counter = Counter()
    for values in by_unit.values():
        if len(values) < 2:
            continue
        for first, second in permutations(values, 2):
            coincidences[first, second] += 1 / (len(values) - 1)
    totals: Counter = Counter()
    for (first, _), weight in coincidences.items():
        totals[first] += weight
    n = sum(totals.values())
    observed = sum(w for (a, b), w in coincidences.items() if a != b) / n
    expected = sum(totals[a] * totals[b] for a in totals for b in totals if a != b) / (n * (n - 1))
    return 1 - observed / expected


def test_barzan_mozafari_crowd_labels():
    rows = _read_gal_labels("BarzanMozafari")
    ratings = Ratings.from_long(rows[:, 1], rows[:, 0], rows[:, 2])
    assert ratings.n_ratings == 5_000
    assert ratings.n_items == 1_000
    assert ratings.n_annotators == 83
    assert ratings.n_duplicates_dropped == 0
    assert ratings.categories == ("0", "1")
    assert ratings.ratings_per_item().tolist() == [5] * 1_000

    alpha = agreement.krippendorff_alpha(ratings)
    assert alpha.value is not None and -1 <= alpha.value <= 1
    assert alpha.value == pytest.approx(_naive_alpha_nominal(rows), abs=1e-12)
    pbar = agreement.percent_agreement_item_mean(ratings)
    assert 0 <= pbar.value <= 1
    # Five ratings on every item: the item mean and the pairable-weighted forms coincide,
    # and Fleiss' kappa is defined.
    assert pbar.value == pytest.approx(agreement.percent_agreement_pairable(ratings).value)
    assert agreement.fleiss_kappa(ratings).defined


def test_adult_content3_repeated_pairs():
    rows = _read_gal_labels("AdultContent3-HCOMP2010")
    categories = shared_path(*GAL, "AdultContent3-HCOMP2010", "categories.txt").read_text().split()
    ratings = Ratings.from_long(rows[:, 1], rows[:, 0], rows[:, 2], categories=categories)
    assert len(rows) == 44_373
    # 8,039 (item, worker) pairs repeat: 7,028 twice and 1,011 three times, so deduplication
    # drops 7,028 + 2 * 1,011 = 9,050 ratings, not 8,039.
    assert ratings.n_repeated_pairs == 8_039
    assert ratings.n_duplicates_dropped == 9_050
    assert ratings.n_ratings == 35_323
    assert ratings.n_items == 496
    assert ratings.n_annotators == 338
    assert ratings.categories == ("G", "P", "R", "X", "B")
    # Keeping the last label of each pair gives these category totals.
    totals = dict(zip(ratings.categories, ratings.category_counts().sum(axis=0).tolist(), strict=True))
    assert totals == {"G": 10_070, "P": 8_905, "R": 11_735, "X": 4_058, "B": 555}
    # Ratings per item vary, so Fleiss' kappa is undefined while alpha is not.
    assert agreement.fleiss_kappa(ratings).value is None
    alpha = agreement.krippendorff_alpha(ratings)
    assert -1 <= alpha.value <= 1
