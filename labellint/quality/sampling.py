"""Seeded, stratified review samples: a share of every class, plus every unsure label."""

from __future__ import annotations

import hashlib

import numpy as np


def sample_size(stratum_size: int, rate: float) -> int:
    """How many of a class to review: rate x size rounded half up, at least 1 for a non-empty class.

    The floor of one keeps rare classes in every review queue (a 3% sample of 10 labels would
    otherwise review nothing of that class, and rare classes are where labels go wrong).
    """
    if stratum_size <= 0:
        return 0
    return min(stratum_size, max(1, int(np.floor(rate * stratum_size + 0.5))))


def stable_order_keys(keys: np.ndarray, seed: int) -> np.ndarray:
    """A pseudo-random uint64 per key that depends only on (seed, key).

    Hashing instead of drawing from a generator in input order makes the sample independent of
    file order: reordering or reformatting the label files draws the same labels.
    """
    prefix = f"{seed}\0".encode()
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(prefix + str(k).encode(), digest_size=8).digest(), "big") for k in keys),
        dtype=np.uint64,
        count=len(keys),
    )


def stratified_sample(
    strata: np.ndarray,
    keys: np.ndarray,
    rate: float,
    seed: int,
    eligible: np.ndarray | None = None,
    always: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Indices to review and whether each was drawn by the sample (False: always included).

    Among ``eligible`` units (all by default), each stratum (class code) contributes
    :func:`sample_size` units, the ones whose seeded key hash is smallest. ``always`` units
    (unsure) are added whatever the draw. Returns sorted indices and a same-length mask
    ``drawn``.
    """
    if not 0 < rate <= 1:
        raise ValueError(f"rate must be in (0, 1], got {rate}")
    n = len(strata)
    eligible = np.ones(n, dtype=bool) if eligible is None else eligible
    always = np.zeros(n, dtype=bool) if always is None else always
    pool = np.flatnonzero(eligible)
    order_keys = stable_order_keys(keys[pool], seed)
    order = np.lexsort((order_keys, strata[pool]))
    ranked = pool[order]
    ranked_strata = strata[ranked]
    starts = np.flatnonzero(np.r_[True, ranked_strata[1:] != ranked_strata[:-1]]) if len(ranked) else np.empty(0, int)
    sizes = np.diff(np.r_[starts, len(ranked)])
    rank_in_stratum = np.arange(len(ranked)) - np.repeat(starts, sizes)
    quota = np.repeat(np.array([sample_size(int(s), rate) for s in sizes], dtype=np.int64), sizes)
    drawn_mask = np.zeros(n, dtype=bool)
    drawn_mask[ranked[rank_in_stratum < quota]] = True
    chosen = np.flatnonzero(drawn_mask | always)
    return chosen, drawn_mask[chosen]
