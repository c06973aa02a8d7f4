"""Review sampling quotas and the rework lineage rules on small hand-made versions."""

from __future__ import annotations

import numpy as np
import pytest

from labellint.model import ClassRef, Dataset
from labellint.quality.golden import wilson_interval
from labellint.quality.rework import rework
from labellint.quality.sampling import sample_size, stratified_sample


@pytest.mark.parametrize(
    ("size", "rate", "expected"),
    [(0, 0.03, 0), (1, 0.03, 1), (10, 0.03, 1), (50, 0.03, 2), (100, 0.05, 5), (3, 1.0, 3)],
)
def test_sample_size_rounds_half_up_with_a_floor_of_one(size: int, rate: float, expected: int) -> None:
    assert sample_size(size, rate) == expected


def test_stratified_sample_respects_eligible_and_always() -> None:
    strata = np.array([0] * 100 + [1] * 20)
    keys = np.array([f"k{i}" for i in range(120)], dtype=object)
    eligible = np.ones(120, dtype=bool)
    eligible[:50] = False
    always = np.zeros(120, dtype=bool)
    always[3] = True  # not eligible, but unsure: queued anyway
    chosen, drawn = stratified_sample(strata, keys, 0.1, seed=1, eligible=eligible, always=always)
    assert 3 in chosen.tolist() and not drawn[chosen.tolist().index(3)]
    sampled = chosen[drawn]
    assert eligible[sampled].all()
    assert np.count_nonzero(strata[sampled] == 0) == 5 and np.count_nonzero(strata[sampled] == 1) == 2
    again, _ = stratified_sample(strata, keys, 0.1, seed=1, eligible=eligible, always=always)
    assert again.tolist() == chosen.tolist()
    with pytest.raises(ValueError):
        stratified_sample(strata, keys, 0.0, seed=1)


def _version(rows: list[tuple[str, str, tuple[float, float, float, float]]]) -> Dataset:
    items = sorted({item for item, _, _ in rows})
    classes = sorted({cls for _, cls, _ in rows})
    return Dataset(
        classes=[ClassRef(name) for name in classes],
        item_ids=np.arange(len(items)),
        item_names=items,
        item_file=np.zeros(len(items), np.int32),
        ann_item=np.array([items.index(item) for item, _, _ in rows], np.int32),
        ann_class=np.array([classes.index(cls) for _, cls, _ in rows], np.int32),
        ann_box=np.array([box for _, _, box in rows], float).reshape(-1, 4),
    )


def test_rework_counts_relabels_moves_and_deletions_once_per_annotation() -> None:
    first = _version([("a", "cat", (0, 0, 10, 10)), ("a", "dog", (50, 50, 10, 10)), ("b", "cat", (0, 0, 5, 5))])
    second = _version(
        [
            ("a", "dog", (0, 0, 10, 10)),  # relabeled
            ("a", "dog", (51, 50, 10, 10)),  # moved a little
            ("b", "cat", (0, 0, 5, 5)),  # unchanged
            ("c", "cat", (1, 1, 4, 4)),  # new
        ]
    )
    third = _version([("a", "dog", (0, 0, 10, 10)), ("c", "cat", (1, 1, 4, 4))])  # two deleted
    result = rework([("v1", first), ("v2", second), ("v3", third)])
    change = result.changes[1]
    assert (change.unchanged, change.relabeled, change.moved, change.added) == (1, 1, 1, 1)
    assert result.changes[2].removed == 2
    # Lineages: three from v1 plus one new in v2; reworked: the relabeled, the moved (then deleted)
    # and the unchanged-then-deleted one. The v2 newcomer never changed.
    assert result.lineages == 4 and result.reworked == 3
    assert result.rate == pytest.approx(3 / 4)
    assert result.transitions == {("cat", "dog"): 1}


NAN_BOX = (np.nan,) * 4
# One changed annotation per item, old -> new: what each is, by construction.
SINGLE_CHANGES = {
    "relabeled": (("cat", (0, 0, 10, 10)), ("dog", (0, 0, 10, 10))),
    "moved_apart": (("cat", (0, 0, 10, 10)), ("cat", (100, 100, 10, 10))),  # same class: a coordinate fix
    "replaced": (("cat", (0, 0, 10, 10)), ("dog", (100, 100, 10, 10))),  # no overlap, another class
    "relabeled_moved": (("cat", (0, 0, 10, 10)), ("dog", (1, 0, 10, 10))),  # IoU 9/11
    "no_geometry": (("cat", NAN_BOX), ("dog", NAN_BOX)),
}


@pytest.mark.parametrize("crowded", [False, True])
def test_rework_pairs_a_lone_changed_annotation_as_the_per_item_matching_does(crowded: bool) -> None:
    # crowded: each item also loses a far-away annotation, so its changed annotations are matched
    # per item (two old, one new) instead of all lone pairs at once; the pairs must be the same.
    extra = [(item, "bird", (300, 300, 5, 5)) for item in SINGLE_CHANGES] if crowded else []
    old = _version([(item, *change[0]) for item, change in SINGLE_CHANGES.items()] + extra)
    new = _version([(item, *change[1]) for item, change in SINGLE_CHANGES.items()])
    change = rework([("v1", old), ("v2", new)]).changes[1]
    assert (change.unchanged, change.relabeled, change.moved) == (0, 3, 2)
    assert (change.removed, change.added) == (1 + len(extra), 1)


def _spans(rows: list[tuple[str, str, tuple[int, int]]]) -> Dataset:
    dataset = _version([(item, cls, NAN_BOX) for item, cls, _ in rows])
    dataset.ann_span = np.array([span for _, _, span in rows], np.int64).reshape(-1, 2)
    return dataset


def test_rework_pairs_lone_spans_that_overlap() -> None:
    old = _spans([("t1", "PER", (0, 5)), ("t2", "PER", (0, 5)), ("t3", "PER", (0, 5))])
    new = _spans([("t1", "ORG", (0, 5)), ("t2", "PER", (3, 9)), ("t3", "PER", (10, 15))])
    change = rework([("v1", old), ("v2", new)]).changes[1]
    assert (change.relabeled, change.moved, change.removed, change.added) == (1, 1, 1, 1)


def test_wilson_interval_is_symmetric() -> None:
    low, high = wilson_interval(3, 10)
    low_flip, high_flip = wilson_interval(7, 10)
    assert low == pytest.approx(1 - high_flip) and high == pytest.approx(1 - low_flip)
