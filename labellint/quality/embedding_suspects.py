"""Suspects without a model: kNN label disagreement, class outliers and conflicting near-duplicates."""

# Cosine similarity on L2-normalised embeddings, exact, computed block by block (a block of rows
# against all rows), so memory stays O(n * block) instead of O(n^2).

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BLOCK_ROWS = 2048
# At most this many similarities (float32) in memory at once: 32M = 128 MB, whatever n is.
BLOCK_CELLS = 1 << 25


@dataclass(slots=True)
class EmbeddingSuspect:
    """One suspect row: why (`kind`), the suggested label (or None), the score, and a note."""

    row: int
    kind: str  # knn-disagreement | outlier | conflicting-duplicate
    suggested: int | None
    score: float
    detail: str


def normalise(embeddings: np.ndarray) -> np.ndarray:
    vectors = np.asarray(embeddings, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.clip(norms, 1e-12, None)


def embedding_suspects(
    embeddings: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    *,
    k: int = 10,
    disagreement: float = 0.7,
    duplicate_similarity: float = 0.999,
    outlier_z: float = 6.0,
    block: int = BLOCK_ROWS,
) -> list[EmbeddingSuspect]:
    """Suspects among labelled rows (`labels[i] >= 0`; -1 rows are neighbours-free and skipped).

    - knn-disagreement: at least `disagreement` of the k nearest neighbours carry one other
      label; score = that share (suggested = that label). Outliers are not reported here.
    - outlier: cosine to every class centroid below that class's median by more than
      `outlier_z` robust deviations (median/MAD); score = own-class robust z / (2 * outlier_z),
      capped at 1.
    - conflicting-duplicate: another row with cosine >= `duplicate_similarity` and a different
      label; score = the similarity (suggested = the other row's label).
    """
    vectors = normalise(embeddings)
    labels = np.asarray(labels, dtype=np.int64)
    n = vectors.shape[0]
    if labels.shape != (n,):
        raise ValueError(f"{n} embeddings but {labels.shape[0]} labels")
    labelled = np.flatnonzero(labels >= 0)
    vectors, sub_labels = vectors[labelled], labels[labelled]
    m = vectors.shape[0]
    k = max(1, min(k, m - 1)) if m > 1 else 0
    # Outliers first: an outlier's "neighbours" are arbitrary, so their labels say nothing.
    suspects: list[EmbeddingSuspect] = _outliers(vectors, sub_labels, labelled, num_classes, outlier_z)
    outlier_rows = {s.row for s in suspects}
    if k:
        neighbour_labels, duplicate_of, duplicate_sim = _neighbours(vectors, sub_labels, k, duplicate_similarity, block)
        suspects += _knn_disagreements(neighbour_labels, sub_labels, labelled, num_classes, disagreement, outlier_rows)
        suspects += _conflicting_duplicates(duplicate_of, duplicate_sim, sub_labels, labelled)
    suspects.sort(key=lambda s: (-s.score, s.row, s.kind))
    return suspects


def _neighbours(
    vectors: np.ndarray, labels: np.ndarray, k: int, duplicate_similarity: float, block: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: the labels of its k nearest neighbours (m, k), and the most similar row with a
    different label when that reaches `duplicate_similarity` (-1: none) with its similarity."""
    m = vectors.shape[0]
    neighbour_labels = np.empty((m, k), dtype=np.int64)
    duplicate_of = np.full(m, -1, dtype=np.int64)
    duplicate_sim = np.zeros(m, dtype=np.float32)
    # Rows per block so that one block of similarities stays within BLOCK_CELLS.
    block = max(1, min(block, BLOCK_CELLS // max(m, 1)))
    for start in range(0, m, block):
        stop = min(start + block, m)
        sims = vectors[start:stop] @ vectors.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # not its own neighbour
        nearest = np.argpartition(sims, -k, axis=1)[:, -k:]  # the k largest, no negated copy
        neighbour_labels[start:stop] = labels[nearest]
        # The most similar row with a different label, for conflicting duplicates
        # (in place: the block's similarities are not needed after this)
        sims[labels[None, :] == labels[start:stop, None]] = -np.inf
        best = sims.argmax(axis=1)
        best_sim = sims[np.arange(stop - start), best]
        hit = best_sim >= duplicate_similarity
        duplicate_of[start:stop][hit] = best[hit]
        duplicate_sim[start:stop][hit] = best_sim[hit]
    return neighbour_labels, duplicate_of, duplicate_sim


def _knn_disagreements(
    neighbour_labels: np.ndarray,
    labels: np.ndarray,
    labelled: np.ndarray,
    num_classes: int,
    disagreement: float,
    outlier_rows: set[int],
) -> list[EmbeddingSuspect]:
    """Rows (other than outliers) where at least `disagreement` of the neighbours carry one other label."""
    m, k = neighbour_labels.shape
    counts = np.zeros((m, num_classes), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(m), k), neighbour_labels.ravel()), 1)
    counts[np.arange(m), labels] = -1  # only OTHER labels count as disagreement
    majority = counts.argmax(axis=1)
    share = counts[np.arange(m), majority] / k
    suspects = []
    for r in np.flatnonzero(share >= disagreement):
        if int(labelled[r]) in outlier_rows:
            continue
        suspects.append(
            EmbeddingSuspect(
                int(labelled[r]),
                "knn-disagreement",
                int(majority[r]),
                float(share[r]),
                f"{round(float(share[r]) * k)} of {k} nearest neighbours carry another label",
            )
        )
    return suspects


def _conflicting_duplicates(
    duplicate_of: np.ndarray, duplicate_sim: np.ndarray, labels: np.ndarray, labelled: np.ndarray
) -> list[EmbeddingSuspect]:
    """Rows with a near-duplicate that carries a different label."""
    suspects = []
    for r in np.flatnonzero(duplicate_of >= 0):
        other_row = int(labelled[duplicate_of[r]])
        suspects.append(
            EmbeddingSuspect(
                int(labelled[r]),
                "conflicting-duplicate",
                int(labels[duplicate_of[r]]),
                float(min(duplicate_sim[r], 1.0)),
                f"cosine {float(duplicate_sim[r]):.4f} to a differently labelled item (row {other_row})",
            )
        )
    return suspects


def _outliers(vectors, labels, labelled, num_classes, outlier_z) -> list[EmbeddingSuspect]:
    """Rows atypical of EVERY class: cosine to each class centroid below that class's median by
    more than `outlier_z` robust deviations (MAD). A row typical of another class is a label
    disagreement, not an outlier."""
    out = []
    centroids = np.zeros((num_classes, vectors.shape[1]), dtype=np.float32)
    np.add.at(centroids, labels, vectors)
    centroids = normalise(centroids)
    sims = vectors @ centroids.T  # (m, classes): cheap, the number of classes is small
    rows = np.arange(len(labels))
    own = sims[rows, labels]
    median = np.full(num_classes, np.nan)
    mad = np.full(num_classes, np.nan)
    for cls in np.unique(labels):
        members = own[labels == cls]
        if members.size >= 5:  # too few members to say what is typical otherwise
            median[cls] = np.median(members)
            mad[cls] = np.median(np.abs(members - median[cls])) * 1.4826 + 1e-6
    typical_floor = median - outlier_z * mad  # NaN for small classes: never "typical" evidence
    known = ~np.isnan(typical_floor)
    if not known.any():
        return out
    atypical_everywhere = (sims[:, known] < typical_floor[known]).all(axis=1) & known[labels]
    z = (median[labels] - own) / mad[labels]
    for row in np.flatnonzero(atypical_everywhere):
        out.append(
            EmbeddingSuspect(
                int(labelled[row]),
                "outlier",
                None,
                float(min(z[row] / (2 * outlier_z), 1.0)),
                f"far from every class centroid (robust z {float(z[row]):.1f} from its own)",
            )
        )
    return out
