"""Inter-annotator agreement statistics (percent agreement, kappas, Krippendorff's alpha)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from labellint.quality.ratings import Ratings

AlphaLevel = Literal["nominal", "ordinal", "interval", "ratio"]
RaterPair = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class AgreementResult:
    """A statistic that may be undefined: ``value`` is None exactly when ``reason`` says why.

    ``components`` carries the ingredients (observed/expected agreement, counts) so a report
    can show raw agreement next to a chance-corrected value.
    """

    value: float | None
    reason: str | None = None
    components: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("give either a value or the reason it is undefined, not both")

    @property
    def defined(self) -> bool:
        return self.value is not None

    @classmethod
    def undefined(cls, reason: str, **components: float) -> AgreementResult:
        return cls(value=None, reason=reason, components=components)

    @classmethod
    def of(cls, value: float, **components: float) -> AgreementResult:
        return cls(value=float(value), components={k: float(v) for k, v in components.items()})


# --------------------------------------------------------------------------- percent agreement


def percent_agreement_two_raters(ratings: Ratings, raters: RaterPair | None = None) -> AgreementResult:
    """Observed agreement of two raters: share of items both rated on which they agree."""
    table = contingency_table(ratings, raters)
    n_shared = table.sum()
    if n_shared == 0:
        return AgreementResult.undefined("the two raters rated no item in common")
    return AgreementResult.of(np.trace(table) / n_shared, n_items=n_shared)


def percent_agreement_item_mean(ratings: Ratings) -> AgreementResult:
    """Fleiss' P-bar: the mean over items of the share of agreeing rater pairs in that item.

    P_i = sum_k n_ik (n_ik - 1) / (m_i (m_i - 1)), averaged over items with m_i >= 2, so every
    item weighs the same however many ratings it has. Equals the two-rater figure for 2 raters.
    """
    counts, per_item = _pairable_counts(ratings)
    if len(per_item) == 0:
        return AgreementResult.undefined("no item has ratings from at least two annotators")
    item_agreement = _item_pair_agreement(counts, per_item)
    return AgreementResult.of(item_agreement.mean(), n_items=len(per_item))


def percent_agreement_pairable(ratings: Ratings) -> AgreementResult:
    """Krippendorff-style agreement: 1 - D_o (nominal), items weighted by their ratings.

    sum_u m_u P_u / sum_u m_u over items with m_u >= 2, i.e. the diagonal share of the
    coincidence matrix. Differs from :func:`percent_agreement_item_mean` when the number of
    ratings per item varies (Krippendorff's 4 x 12 example: 0.800 here vs 0.818 item mean).
    """
    counts, per_item = _pairable_counts(ratings)
    if len(per_item) == 0:
        return AgreementResult.undefined("no item has ratings from at least two annotators")
    item_agreement = _item_pair_agreement(counts, per_item)
    return AgreementResult.of((per_item * item_agreement).sum() / per_item.sum(), n_pairable_values=per_item.sum())


# --------------------------------------------------------------------------- two-rater kappas


def contingency_table(ratings: Ratings, raters: RaterPair | None = None) -> np.ndarray:
    """K x K counts of (rater A's category, rater B's category) over items both rated.

    ``raters`` names the two annotators; it may be omitted when there are exactly two.
    """
    code_a, code_b = _two_rater_codes(ratings, raters)
    k = ratings.n_categories
    return np.bincount(code_a * k + code_b, minlength=k * k).reshape(k, k)


def cohen_kappa(ratings: Ratings, raters: RaterPair | None = None) -> AgreementResult:
    """Cohen's kappa: chance agreement from each rater's own category marginals."""
    table = contingency_table(ratings, raters)
    return _kappa_from_table(table, _cohen_expected(table))


def scott_pi(ratings: Ratings, raters: RaterPair | None = None) -> AgreementResult:
    """Scott's pi: like Cohen's kappa but chance agreement from the pooled marginals.

    Equals Fleiss' kappa with two ratings per item.
    """
    table = contingency_table(ratings, raters)
    n = table.sum()
    if n == 0:
        return AgreementResult.undefined("the two raters rated no item in common")
    pooled = (table.sum(axis=0) + table.sum(axis=1)) / (2 * n)
    expected = np.outer(pooled, pooled) * n
    return _kappa_from_table(table, expected)


def weighted_kappa(
    ratings: Ratings,
    weights: Literal["linear", "quadratic"] | ArrayLike = "linear",
    raters: RaterPair | None = None,
) -> AgreementResult:
    """Weighted kappa = 1 - sum(w * observed) / sum(w * expected), w = disagreement weights.

    Indices i, j are positions in ``ratings.categories`` (the declared ordered list), not raw
    label values: linear w = |i - j|, quadratic w = (i - j)^2. Declaring an unused category
    changes the result (the irr anxiety data: 0.1459 on observed levels {1,2,3,4,6}, 0.1262
    on the declared scale 1..6). A custom K x K matrix must have a zero diagonal.
    """
    table = contingency_table(ratings, raters)
    disagreement = _disagreement_weights(ratings, weights)
    if table.sum() == 0:
        return AgreementResult.undefined("the two raters rated no item in common")
    expected_disagreement = (disagreement * _cohen_expected(table)).sum()
    if expected_disagreement == 0:
        return AgreementResult.undefined("expected weighted disagreement is 0 (both raters used a single category)")
    observed_disagreement = (disagreement * table).sum()
    return AgreementResult.of(
        1 - observed_disagreement / expected_disagreement,
        observed_disagreement=observed_disagreement / table.sum(),
        expected_disagreement=expected_disagreement / table.sum(),
    )


def mean_pairwise_cohen_kappa(ratings: Ratings) -> AgreementResult:
    """Light's kappa: the mean of Cohen's kappa over all annotator pairs where it is defined."""
    kappas = []
    for first in range(ratings.n_annotators):
        for second in range(first + 1, ratings.n_annotators):
            pair = (ratings.annotators[first], ratings.annotators[second])
            result = cohen_kappa(ratings, pair)
            if result.defined:
                kappas.append(result.value)
    if not kappas:
        return AgreementResult.undefined("no annotator pair has a defined Cohen's kappa")
    return AgreementResult.of(np.mean(kappas), n_pairs=len(kappas))


# --------------------------------------------------------------------------- multi-rater kappas


def fleiss_kappa(ratings: Ratings) -> AgreementResult:
    """Fleiss' kappa for a constant number m of ratings per item.

    kappa = (P-bar - P_e) / (1 - P_e), P_e = sum_j p_j^2 with pooled category shares p_j.
    Undefined (not approximated) when m varies; Krippendorff's alpha handles that case.
    """
    counts, problem = _constant_rater_counts(ratings)
    if problem:
        return AgreementResult.undefined(problem)
    raters_per_item = counts.sum(axis=1)
    observed = _item_pair_agreement(counts, raters_per_item).mean()
    shares = counts.sum(axis=0) / counts.sum()
    expected = np.square(shares).sum()
    if np.isclose(expected, 1.0, rtol=0, atol=1e-12):
        return AgreementResult.undefined("every rating is the same category, so chance agreement is 1", Pbar=observed)
    return AgreementResult.of((observed - expected) / (1 - expected), Pbar=observed, Pe=expected)


def fleiss_kappa_per_category(ratings: Ratings) -> dict[Hashable, AgreementResult]:
    """Fleiss' (1971) kappa_j for each category (constant ratings per item, as Fleiss' kappa).

    kappa_j = 1 - sum_i n_ij (m - n_ij) / (N m (m - 1) p_j (1 - p_j)).
    """
    counts, problem = _constant_rater_counts(ratings)
    if problem:
        return {category: AgreementResult.undefined(problem) for category in ratings.categories}
    n_items, m = counts.shape[0], int(counts[0].sum())
    shares = counts.sum(axis=0) / (n_items * m)
    disagreement = (counts * (m - counts)).sum(axis=0)
    results = {}
    for category, share, spread in zip(ratings.categories, shares, disagreement, strict=True):
        if share in (0.0, 1.0):
            usage = "never used" if share == 0 else "used for every rating"
            results[category] = AgreementResult.undefined(f"category {category!r} is {usage}")
            continue
        kappa = 1 - spread / (n_items * m * (m - 1) * share * (1 - share))
        results[category] = AgreementResult.of(kappa, p=share)
    return results


def randolph_kappa(ratings: Ratings) -> AgreementResult:
    """Randolph's free-marginal kappa: (P-bar - 1/K) / (1 - 1/K).

    K is the number of categories in ``ratings.categories`` - declare them, since K is meant to
    be the categories raters could choose from, not the ones they happened to use. P-bar is
    the item mean of :func:`percent_agreement_item_mean`.
    """
    n_categories = ratings.n_categories
    if n_categories < 2:
        return AgreementResult.undefined("free-marginal kappa needs at least two categories")
    observed = percent_agreement_item_mean(ratings)
    if not observed.defined:
        return observed
    chance = 1 / n_categories
    return AgreementResult.of((observed.value - chance) / (1 - chance), Pbar=observed.value, Pe=chance)


# --------------------------------------------------------------------------- Krippendorff


def coincidence_matrix(ratings: Ratings) -> np.ndarray:
    """Krippendorff's K x K coincidence matrix over items with at least two ratings.

    o_ck = sum_u (n_uc n_uk - [c == k] n_uc) / (m_u - 1): each ordered pair of distinct
    ratings in an item, weighted so that every pairable rating contributes exactly 1.
    """
    counts, per_item = _pairable_counts(ratings)
    weighted = counts / (per_item - 1)[:, None]
    return weighted.T @ counts - np.diag(weighted.sum(axis=0))


def krippendorff_alpha(ratings: Ratings, level: AlphaLevel = "nominal") -> AgreementResult:
    """Krippendorff's alpha = 1 - D_o / D_e from the coincidence matrix; handles missing ratings.

    Note the default level is nominal (the ``krippendorff`` package defaults to interval).
    Levels: nominal [c != k]; ordinal (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2 over the category
    order with observed value frequencies n_g; interval (c - k)^2 and ratio
    ((c - k) / (c + k))^2 on numeric category values. Items with fewer than two ratings
    contribute nothing.
    """
    coincidences = coincidence_matrix(ratings)
    value_counts = coincidences.sum(axis=1)
    n_values = value_counts.sum()
    if n_values == 0:
        return AgreementResult.undefined("no item has ratings from at least two annotators")
    if np.count_nonzero(value_counts) < 2:
        return AgreementResult.undefined("all pairable ratings share one value, so expected disagreement is 0")
    distance = _alpha_distance(ratings, level, value_counts)
    observed = (coincidences * distance).sum() / n_values
    expected = (np.outer(value_counts, value_counts) * distance).sum() / (n_values * (n_values - 1))
    if expected == 0:
        return AgreementResult.undefined("expected disagreement is 0 at this level")
    return AgreementResult.of(1 - observed / expected, Do=observed, De=expected, n_pairable_values=n_values)


# --------------------------------------------------------------------------- diagnostics


def specific_agreement(ratings: Ratings) -> dict[Hashable, AgreementResult]:
    """Per-category (specific) agreement, for any number of raters.

    PA_k = sum_i n_ik (n_ik - 1) / sum_i n_ik (m_i - 1) over items with m_i >= 2: of the rater
    pairs in which one rater said k, the share where the other said k too. For two raters this
    is the classic 2 n_kk / (n_k. + n_.k).
    """
    counts, per_item = _pairable_counts(ratings)
    agreeing = (counts * (counts - 1)).sum(axis=0)
    involving = (counts * (per_item - 1)[:, None]).sum(axis=0)
    results = {}
    for category, agree, total in zip(ratings.categories, agreeing, involving, strict=True):
        if total == 0:
            results[category] = AgreementResult.undefined(
                f"category {category!r} never occurs on an item with two or more ratings"
            )
        else:
            results[category] = AgreementResult.of(agree / total, n_pairs=total)
    return results


def top_confusions(ratings: Ratings, limit: int | None = None) -> list[tuple[Hashable, Hashable, int]]:
    """Most frequent unordered category confusions, as ``(a, b, count)``, largest first.

    Counts, over every item, each unordered pair of raters that gave it different categories
    a and b (n_ia * n_ib pairs). ``a`` precedes ``b`` in category order, which also breaks ties.
    """
    counts = ratings.category_counts()
    pair_counts = counts.T @ counts
    first, second = np.triu_indices(ratings.n_categories, k=1)
    found = pair_counts[first, second]
    order = np.lexsort((second, first, -found))
    order = order[found[order] > 0][:limit]
    return [(ratings.categories[first[i]], ratings.categories[second[i]], int(found[i])) for i in order]


def disagreeing_items(ratings: Ratings) -> np.ndarray:
    """Ids of the items whose ratings are not all the same category (single ratings excluded)."""
    distinct_categories = np.count_nonzero(ratings.category_counts(), axis=1)
    return ratings.items[distinct_categories > 1]


# --------------------------------------------------------------------------- helpers


def _two_rater_codes(ratings: Ratings, raters: RaterPair | None) -> tuple[np.ndarray, np.ndarray]:
    """Category codes of the two raters on the items both rated, aligned by item."""
    if raters is None:
        if ratings.n_annotators != 2:
            raise ValueError(f"ratings have {ratings.n_annotators} annotators; pass raters=(a, b)")
        first, second = 0, 1
    else:
        first, second = (ratings.annotator_code(rater) for rater in raters)
    by_item = np.full((2, ratings.n_items), -1, dtype=np.intp)
    for row, annotator in enumerate((first, second)):
        mine = ratings.annotator_codes == annotator
        by_item[row, ratings.item_codes[mine]] = ratings.label_codes[mine]
    both = (by_item >= 0).all(axis=0)
    return by_item[0, both], by_item[1, both]


def _cohen_expected(table: np.ndarray) -> np.ndarray:
    n = table.sum()
    if n == 0:
        return np.zeros(table.shape)
    return np.outer(table.sum(axis=1), table.sum(axis=0)) / n


def _kappa_from_table(table: np.ndarray, expected: np.ndarray) -> AgreementResult:
    n = table.sum()
    if n == 0:
        return AgreementResult.undefined("the two raters rated no item in common")
    observed_share = np.trace(table) / n
    expected_share = np.trace(expected) / n
    if np.isclose(expected_share, 1.0, rtol=0, atol=1e-12):
        return AgreementResult.undefined(
            "chance agreement is 1 (both raters used one and the same category)",
            po=observed_share,
        )
    kappa = (observed_share - expected_share) / (1 - expected_share)
    return AgreementResult.of(kappa, po=observed_share, pe=expected_share, n_items=n)


def _disagreement_weights(ratings: Ratings, weights: str | ArrayLike) -> np.ndarray:
    k = ratings.n_categories
    if isinstance(weights, str):
        if weights not in ("linear", "quadratic"):
            raise ValueError(f"weights must be 'linear', 'quadratic' or a matrix, got {weights!r}")
        if not ratings.is_ordered:
            raise ValueError(f"{weights} weights need ordered categories: declare the category order")
        positions = np.arange(k)
        gap = np.abs(positions[:, None] - positions[None, :]).astype(float)
        return gap if weights == "linear" else gap**2
    matrix = np.asarray(weights, dtype=float)
    if matrix.shape != (k, k):
        raise ValueError(f"weight matrix must be {k} x {k} (one row per category)")
    if not np.all(np.diag(matrix) == 0):
        raise ValueError("weights are disagreement weights: the diagonal must be 0")
    return matrix


def _pairable_counts(ratings: Ratings) -> tuple[np.ndarray, np.ndarray]:
    """Category counts and rating counts of the items with at least two ratings."""
    counts = ratings.category_counts()
    per_item = counts.sum(axis=1)
    pairable = per_item >= 2
    return counts[pairable].astype(float), per_item[pairable].astype(float)


def _item_pair_agreement(counts: np.ndarray, per_item: np.ndarray) -> np.ndarray:
    """Share of agreeing rater pairs in each item (items must have >= 2 ratings)."""
    return (counts * (counts - 1)).sum(axis=1) / (per_item * (per_item - 1))


def _constant_rater_counts(ratings: Ratings) -> tuple[np.ndarray, str | None]:
    """Category counts, or a reason why Fleiss-type statistics are undefined."""
    counts = ratings.category_counts()
    per_item = counts.sum(axis=1)
    if len(per_item) == 0:
        return counts, "there are no ratings"
    low, high = int(per_item.min()), int(per_item.max())
    if low != high:
        return counts, (
            f"the number of ratings per item varies ({low} to {high}); Fleiss' kappa needs a "
            "constant number - use Krippendorff's alpha"
        )
    if low < 2:
        return counts, "each item has a single rating"
    return counts, None


def _alpha_distance(ratings: Ratings, level: str, value_counts: np.ndarray) -> np.ndarray:
    """Squared distance between every pair of category positions at a measurement level."""
    k = ratings.n_categories
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        if not ratings.is_ordered:
            raise ValueError("ordinal alpha needs ordered categories: declare the category order")
        # Sum of n_g for g between c and k inclusive, via cumulative counts.
        cumulative = np.cumsum(value_counts)
        low = np.minimum.outer(np.arange(k), np.arange(k))
        high = np.maximum.outer(np.arange(k), np.arange(k))
        between = cumulative[high] - cumulative[low] + value_counts[low]
        return np.square(between - (value_counts[low] + value_counts[high]) / 2)
    values = ratings.category_values()
    difference = np.subtract.outer(values, values)
    if level == "interval":
        return np.square(difference)
    if level == "ratio":
        total = np.add.outer(values, values)
        ratio = np.divide(difference, total, out=np.zeros_like(difference), where=total != 0)
        return np.square(ratio)
    raise ValueError(f"level must be nominal, ordinal, interval or ratio, got {level!r}")
