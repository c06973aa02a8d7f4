"""Ratings container: long-form (item, annotator, label) triples encoded as integer codes."""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True, eq=False)
class Ratings:
    """Integer-coded ratings, one per (item, annotator) pair, sorted by item then annotator.

    Build it with :meth:`from_long` (parallel arrays) or :meth:`from_matrix` (raters x items).
    ``items``, ``annotators`` hold the original ids (code ``c`` means ``items[c]``);
    ``categories`` holds the labels in category order: the declared order when one was given,
    otherwise the sorted observed labels. Only items with at least one rating exist here.
    """

    item_codes: np.ndarray
    annotator_codes: np.ndarray
    label_codes: np.ndarray
    items: np.ndarray
    annotators: np.ndarray
    categories: tuple
    categories_declared: bool = False
    n_duplicates_dropped: int = 0
    n_repeated_pairs: int = 0
    n_missing_dropped: int = 0

    @classmethod
    def from_long(
        cls,
        item_ids: ArrayLike,
        annotator_ids: ArrayLike,
        labels: ArrayLike,
        categories: Sequence | None = None,
    ) -> Ratings:
        """Encode parallel arrays of item ids, annotator ids and labels.

        Missing labels (None or NaN) are dropped and counted in ``n_missing_dropped``.
        When an annotator rated the same item more than once, the LAST rating in input order
        is kept (a later row is taken to be a correction); ``n_duplicates_dropped`` counts the
        discarded ratings and ``n_repeated_pairs`` the pairs affected, so callers can warn.
        ``categories`` declares the category order used by ordinal and weighted statistics;
        a label outside it raises ``ValueError``.
        """
        items = _as_1d(item_ids, "item_ids")
        annotators = _as_1d(annotator_ids, "annotator_ids")
        label_values = _as_1d(labels, "labels")
        if not len(items) == len(annotators) == len(label_values):
            raise ValueError(
                "item_ids, annotator_ids and labels must have the same length, got "
                f"{len(items)}, {len(annotators)}, {len(label_values)}"
            )
        for name, ids in (("item_ids", items), ("annotator_ids", annotators)):
            if _missing_mask(ids).any():
                raise ValueError(f"{name} contains missing values (None or NaN)")

        present = ~_missing_mask(label_values)
        n_missing = int(len(label_values) - present.sum())
        items, annotators, label_values = items[present], annotators[present], label_values[present]

        item_uniques, item_codes = _encode(items, "item_ids")
        annotator_uniques, annotator_codes = _encode(annotators, "annotator_ids")
        category_list, label_codes = _encode_labels(label_values, categories)

        keep, n_repeated = _last_rating_per_pair(item_codes, annotator_codes, len(annotator_uniques))
        return cls(
            item_codes=item_codes[keep],
            annotator_codes=annotator_codes[keep],
            label_codes=label_codes[keep],
            items=item_uniques,
            annotators=annotator_uniques,
            categories=category_list,
            categories_declared=categories is not None,
            n_duplicates_dropped=int(len(item_codes) - len(keep)),
            n_repeated_pairs=n_repeated,
            n_missing_dropped=n_missing,
        )

    @classmethod
    def from_matrix(
        cls,
        matrix: ArrayLike,
        categories: Sequence | None = None,
        annotator_ids: Sequence | None = None,
        item_ids: Sequence | None = None,
    ) -> Ratings:
        """Encode a raters x items table (None or NaN = not rated).

        Ids default to row and column positions. Items nobody rated do not appear in the result.
        """
        table = np.asarray(matrix)
        if table.ndim != 2:
            raise ValueError(f"matrix must be 2-D (raters x items), got shape {table.shape}")
        n_raters, n_items = table.shape
        rater_ids = np.arange(n_raters) if annotator_ids is None else np.asarray(annotator_ids)
        unit_ids = np.arange(n_items) if item_ids is None else np.asarray(item_ids)
        if rater_ids.shape != (n_raters,) or unit_ids.shape != (n_items,):
            raise ValueError("annotator_ids / item_ids must match the matrix shape")
        return cls.from_long(
            item_ids=np.tile(unit_ids, n_raters),
            annotator_ids=np.repeat(rater_ids, n_items),
            labels=table.ravel(),
            categories=categories,
        )

    @property
    def n_ratings(self) -> int:
        return len(self.label_codes)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_annotators(self) -> int:
        return len(self.annotators)

    @property
    def n_categories(self) -> int:
        return len(self.categories)

    @property
    def is_ordered(self) -> bool:
        """Whether category positions carry an order: declared, or all-numeric labels."""
        return self.categories_declared or _all_numeric(self.categories)

    def ratings_per_item(self) -> np.ndarray:
        """Number of ratings of each item (indexed by item code)."""
        return np.bincount(self.item_codes, minlength=self.n_items)

    def category_counts(self) -> np.ndarray:
        """Items x categories matrix: how many annotators gave item i category k."""
        n_cells = self.n_items * self.n_categories
        flat = np.bincount(self.item_codes * self.n_categories + self.label_codes, minlength=n_cells)
        return flat.reshape(self.n_items, self.n_categories)

    def to_matrix(self) -> np.ndarray:
        """Raters x items float matrix of category codes, NaN where a rater skipped an item.

        Dense, so memory is n_annotators * n_items floats; the agreement statistics work from
        :meth:`category_counts` instead and never need this.
        """
        matrix = np.full((self.n_annotators, self.n_items), np.nan)
        matrix[self.annotator_codes, self.item_codes] = self.label_codes
        return matrix

    def annotator_code(self, annotator_id: Hashable) -> int:
        """Code of one annotator id; ``KeyError`` when it is unknown."""
        matches = np.flatnonzero(self.annotators == annotator_id)
        if len(matches) == 0:
            raise KeyError(f"unknown annotator: {annotator_id!r}")
        return int(matches[0])

    def select_annotators(self, annotator_ids: Sequence[Hashable]) -> Ratings:
        """The ratings of some annotators only, keeping the same category list.

        Items left without ratings are dropped; annotators keep the order given.
        """
        codes = np.array([self.annotator_code(a) for a in annotator_ids], dtype=np.intp)
        new_code_of = np.full(self.n_annotators, -1, dtype=np.intp)
        new_code_of[codes] = np.arange(len(codes))
        keep = new_code_of[self.annotator_codes] >= 0
        kept_items, item_codes = np.unique(self.item_codes[keep], return_inverse=True)
        return Ratings(
            item_codes=item_codes,
            annotator_codes=new_code_of[self.annotator_codes[keep]],
            label_codes=self.label_codes[keep],
            items=self.items[kept_items],
            annotators=self.annotators[codes],
            categories=self.categories,
            categories_declared=self.categories_declared,
        )

    def changed_since(self, before: Ratings) -> Ratings:
        """The ratings that are new or changed since `before` (the same table at an earlier revision):
        an (item, annotator) pair `before` lacks, or one whose label differs (ids and labels as text)."""
        old = set(zip(*before._as_text(), strict=True))
        now = zip(*self._as_text(), strict=True)
        keep = np.fromiter((rating not in old for rating in now), dtype=bool, count=self.n_ratings)
        kept_items, item_codes = np.unique(self.item_codes[keep], return_inverse=True)
        kept_annotators, annotator_codes = np.unique(self.annotator_codes[keep], return_inverse=True)
        return Ratings(
            item_codes=item_codes.astype(np.intp),
            annotator_codes=annotator_codes.astype(np.intp),
            label_codes=self.label_codes[keep],
            items=self.items[kept_items],
            annotators=self.annotators[kept_annotators],
            categories=self.categories,
            categories_declared=self.categories_declared,
        )

    def _as_text(self) -> tuple[list[str], list[str], list[str]]:
        """(item, annotator, label) of every rating, as text."""
        items = [str(v) for v in self.items.tolist()]
        annotators = [str(v) for v in self.annotators.tolist()]
        labels = [str(v) for v in self.categories]
        return (
            [items[c] for c in self.item_codes.tolist()],
            [annotators[c] for c in self.annotator_codes.tolist()],
            [labels[c] for c in self.label_codes.tolist()],
        )

    def category_values(self) -> np.ndarray:
        """Categories as floats, for interval and ratio distances; ``ValueError`` if not numeric."""
        if not _all_numeric(self.categories):
            raise ValueError(f"interval/ratio statistics need numeric categories, got {list(self.categories)[:5]!r}")
        return np.asarray(self.categories, dtype=float)


def _as_1d(values: ArrayLike, name: str) -> np.ndarray:
    # Lists holding None become object arrays here, so missing labels survive the conversion.
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    return array


def _missing_mask(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind == "O":
        # Elementwise in C: None, and NaN (the only value not equal to itself).
        return np.equal(values, None) | np.not_equal(values, values)
    return np.zeros(len(values), dtype=bool)


def _encode(values: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values and the code of every value (its position among them)."""
    try:
        if values.dtype.kind in "UO":
            return _encode_by_hashing(values)
        uniques, codes = np.unique(values, return_inverse=True)
    except TypeError as error:
        raise ValueError(f"{name} mixes types that cannot be sorted together: {error}") from None
    return uniques, codes.reshape(-1)


def _encode_by_hashing(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Like ``np.unique(return_inverse=True)`` for strings and objects, without sorting every value.

    Sorting a million strings takes seconds; a dict lookup per value and a sort of the few
    distinct values take a fraction of that (1M ratings: 0.3 s instead of 4.7 s).
    """
    as_list = values.tolist()
    # dict.fromkeys and map(dict.__getitem__) run in C: no Python-level loop per value.
    lookup = {value: code for code, value in enumerate(dict.fromkeys(as_list))}
    first_seen = np.fromiter(map(lookup.__getitem__, as_list), dtype=np.intp, count=len(as_list))
    distinct = np.empty(len(lookup), dtype=values.dtype)
    distinct[:] = list(lookup)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return distinct[order], rank[first_seen]


def _encode_labels(labels: np.ndarray, categories: Sequence | None) -> tuple[tuple, np.ndarray]:
    observed, codes = _encode(labels, "labels")
    if categories is None:
        return tuple(observed.tolist()), codes
    declared = tuple(categories)
    position = {category: index for index, category in enumerate(declared)}
    if len(position) != len(declared):
        raise ValueError("declared categories contain duplicates")
    # Only the (few) distinct labels go through Python; the per-rating remap is vectorised.
    observed_values = observed.tolist()
    unknown = [value for value in observed_values if value not in position]
    if unknown:
        raise ValueError(f"labels not in the declared categories: {unknown[:10]!r}")
    remap = np.array([position[value] for value in observed_values], dtype=np.intp)
    return declared, remap[codes]


def _last_rating_per_pair(
    item_codes: np.ndarray, annotator_codes: np.ndarray, n_annotators: int
) -> tuple[np.ndarray, int]:
    """Indices of the last rating of every (item, annotator) pair, in (item, annotator) order."""
    pair_keys = item_codes.astype(np.int64) * n_annotators + annotator_codes
    # np.unique reports the first occurrence; on the reversed keys that is the last one.
    _, first_in_reversed, counts = np.unique(pair_keys[::-1], return_index=True, return_counts=True)
    keep = len(pair_keys) - 1 - first_in_reversed
    return keep, int(np.count_nonzero(counts > 1))


def _all_numeric(values: Sequence) -> bool:
    return len(values) > 0 and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
