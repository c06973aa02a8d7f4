"""Rank classification labels most likely to be wrong, from predicted probabilities (single/multi-label)."""

# Everything here works on plain arrays: `given` is (n,) class indices (single-label) or an
# (n, k) 0/1 matrix (multi-label), `probs` is (n, k). Loading files lives in predictions.py.
#
# Score convention for every method: `score` is a SUSPICION in [0, 1] (or >= 0 for high-loss);
# higher = more likely a wrong label. Suspects are listed highest score first; for confident
# learning the order is exactly cleanlab's ranking (ascending self-confidence, stable ties).

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from labellint.quality import confident, confident_joint, label_scores

METHODS = ("confident-learning", "self-confidence", "normalized-margin", "high-loss")
# How many items the ranking-only methods flag comes from the confident-joint estimate, as in
# cleanlab's low_self_confidence / low_normalized_margin filters.
_RANKING_FILTER = {
    "self-confidence": "low_self_confidence",
    "normalized-margin": "low_normalized_margin",
    "high-loss": "low_self_confidence",  # -log p ranks exactly like p, so the set is the same
}
IN_SAMPLE_ACCURACY = 0.99
IN_SAMPLE_MAX_PROB = 0.999


@dataclass(slots=True)
class SuspectResult:
    """Flagged rows (most suspicious first) with their suggested labels and scores, and the noise estimate."""

    method: str
    filter_by: str | None
    rows: np.ndarray  # indices into the inputs, ranked
    scores: np.ndarray  # suspicion per ranked row
    suggested: list  # per ranked row: class index (single-label) or sorted class indices (multi-label)
    noise: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def suspicion_scores(given: np.ndarray, probs: np.ndarray, method: str) -> np.ndarray:
    """Per-row suspicion (higher = more likely wrong) for a single-label method."""
    if method in ("confident-learning", "self-confidence"):
        return 1.0 - label_scores.self_confidence(given, probs)
    if method == "normalized-margin":
        return 1.0 - label_scores.normalized_margin(given, probs)
    if method == "high-loss":
        return label_scores.cross_entropy_loss(given, probs)
    raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")


def in_sample_warnings(given: np.ndarray, probs: np.ndarray, multilabel: bool) -> list[str]:
    """Signs that the predictions come from a model trained on these very labels."""
    if probs.shape[0] == 0:
        return []
    out = []
    if multilabel:
        accuracy = float(((probs >= 0.5) == (given > 0)).all(axis=1).mean())
        confident_share = float((np.maximum(probs, 1 - probs) >= IN_SAMPLE_MAX_PROB).all())
    else:
        accuracy = float((probs.argmax(axis=1) == given).mean())
        confident_share = float((probs.max(axis=1) >= IN_SAMPLE_MAX_PROB).all())
    if accuracy >= IN_SAMPLE_ACCURACY:
        out.append(
            f"predictions agree with {accuracy:.1%} of the given labels: they look in-sample "
            "(use out-of-fold predictions, e.g. k-fold cross-validation, or errors are memorised and hidden)"
        )
    if confident_share:
        out.append("every prediction is (almost) certain: the model may have seen these labels (in-sample)")
    return out


def find_suspects(
    given: np.ndarray, probs: np.ndarray, *, method: str = "confident-learning", filter_by: str | None = None
) -> SuspectResult:
    """Suspects for single-label (`given` (n,)) or multi-label (`given` (n, k) 0/1) data."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (one of {', '.join(METHODS)})")
    if method != "confident-learning" and filter_by not in (None, _RANKING_FILTER[method]):
        raise ValueError("--filter-by applies to --method confident-learning only")
    chosen_filter = (filter_by or "prune_by_noise_rate") if method == "confident-learning" else _RANKING_FILTER[method]
    given = np.asarray(given)
    if given.ndim == 2:
        return _multilabel(given, probs, method, chosen_filter)
    mask = confident.find_label_issues(given, probs, filter_by=chosen_filter)
    flagged = np.flatnonzero(mask)
    if method == "confident-learning":
        rows = label_scores.rank_label_issues(flagged, given, probs, rank_by="self_confidence")
    else:
        suspicion = suspicion_scores(given, probs, method)
        # Highest suspicion first; ties keep item order (stable sort on the negated score).
        rows = flagged[np.argsort(-suspicion[flagged], kind="stable")]
    scores = suspicion_scores(given, probs, method)[rows]
    return SuspectResult(
        method=method,
        filter_by=chosen_filter if method == "confident-learning" else None,
        rows=rows,
        scores=scores,
        suggested=probs[rows].argmax(axis=1).tolist(),
        noise=noise_summary(given, probs),
        warnings=in_sample_warnings(given, probs, multilabel=False),
    )


def noise_summary(given: np.ndarray, probs: np.ndarray) -> dict:
    """The confident-learning noise estimate as plain lists (class order = the probability columns)."""
    estimate = confident_joint.estimate_noise(given, probs)
    return {
        "estimated_label_issues": confident.num_label_issues(given, probs),
        "joint": estimate.joint.tolist(),
        "noise_matrix": estimate.noise_matrix.tolist(),
        "noise_rate": estimate.noise_rate_given.tolist(),
    }


def _multilabel(given: np.ndarray, probs: np.ndarray, method: str, filter_by: str) -> SuspectResult:
    """One-vs-rest per class; an item is a suspect when any of its class decisions is flagged."""
    per_class = confident.find_multilabel_issues_per_class(given, probs, filter_by=filter_by)
    # Binary self-confidence of what was given for each class: P(c) if present, else 1 - P(c).
    own = np.where(given > 0, probs, 1.0 - probs)
    if method == "normalized-margin":
        per_cell = 1.0 - (own - (1.0 - own) + 1.0) / 2.0
    elif method == "high-loss":
        per_cell = -np.log(np.clip(own, label_scores.MIN_PROBABILITY, None))
    else:
        per_cell = 1.0 - own
    flagged = np.flatnonzero(per_class.any(axis=1))
    # The item's score is that of its most suspicious flagged class.
    item_scores = np.where(per_class, per_cell, -np.inf).max(axis=1)
    rows = flagged[np.argsort(-item_scores[flagged], kind="stable")]
    suggested = [sorted(np.flatnonzero((given[r] > 0) ^ per_class[r]).tolist()) for r in rows]
    rates = []
    for cls in range(probs.shape[1]):
        binary = np.column_stack([1.0 - probs[:, cls], probs[:, cls]])
        estimate = confident_joint.estimate_noise(given[:, cls], binary)
        # noise_rate_given[1]: share of "present" labels that are wrong; [0]: share of "absent" ones.
        rates.append(
            {
                "wrongly_present": float(estimate.noise_rate_given[1]),
                "wrongly_absent": float(estimate.noise_rate_given[0]),
            }
        )
    return SuspectResult(
        method=method,
        filter_by=filter_by if method == "confident-learning" else None,
        rows=rows,
        scores=item_scores[rows],
        suggested=suggested,
        noise={"estimated_label_issues": int(per_class.any(axis=1).sum()), "per_class": rates},
        warnings=in_sample_warnings(given, probs, multilabel=True),
    )


# --------------------------------------------------------------------------------------------
# From a labelled dataset and a predictions file (shared by `labellint suspects` and LL601)
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DatasetSuspects:
    """Suspects of a dataset: item indices (ranked), given/suggested class names, scores, noise."""

    result: SuspectResult
    items: np.ndarray  # dataset item index per ranked suspect
    given: list  # class name, or sorted list of names (multi-label)
    suggested: list
    class_names: list[str]
    multi_label: bool
    n_labelled: int


def given_labels(dataset, class_names: list[str], multi_label: bool) -> tuple[np.ndarray, bool]:
    """Per item: class index (single-label, -1 when unlabelled) or a 0/1 row (multi-label).

    Multi-label is switched on by `multi_label` or by any item carrying two different classes.
    """
    index = {name: i for i, name in enumerate(class_names)}
    remap = np.asarray([index[n] for n in dataset.class_names] + [-1], dtype=np.int64)
    keep = (dataset.ann_item >= 0) & (dataset.ann_class >= 0)
    items = dataset.ann_item[keep].astype(np.int64)
    classes = remap[dataset.ann_class[keep]]
    k = len(class_names)
    pairs = np.unique(items * k + classes)
    per_item = np.bincount(pairs // k, minlength=dataset.n_items)
    if multi_label or (per_item > 1).any():
        matrix = np.zeros((dataset.n_items, k), dtype=np.int64)
        matrix[pairs // k, pairs % k] = 1
        return matrix, True
    given = np.full(dataset.n_items, -1, dtype=np.int64)
    given[pairs // k] = pairs % k
    return given, False


def dataset_suspects(
    dataset,
    predictions,
    *,
    method: str = "confident-learning",
    filter_by: str | None = None,
    multi_label: bool = False,
    class_list: list[str] | None = None,
    id_column: str | None = None,
) -> DatasetSuspects:
    """Reads `predictions` (CSV/JSONL by item id, or .npy in item order) and finds the suspects.

    Classes: `class_list` (must include every class the labels use), else the labels' class
    names sorted; .npy columns follow that order. Raises PredictionsError with a clear message.
    """
    from pathlib import Path

    from labellint.quality.predictions import PredictionsError, load_probabilities

    path = Path(predictions)
    label_classes = sorted(set(dataset.class_names))
    if class_list:
        missing = [c for c in label_classes if c not in class_list]
        if missing:
            raise PredictionsError(f"the class list lacks classes the labels use: {', '.join(missing)}")
        class_names = list(class_list)
    else:
        class_names = label_classes
    if len(class_names) < 2:
        raise PredictionsError(f"{path}: suspects need at least two classes (the labels have {len(class_names)})")
    if not path.is_file():
        raise PredictionsError(f"{path}: predictions file not found")
    ids = [str(v) for v in dataset.item_ids.tolist()]
    if len(set(ids)) != len(ids) and path.suffix.lower() != ".npy":
        raise PredictionsError("item ids repeat across the label files; predictions cannot be matched by id (use .npy)")
    probs, _ = load_probabilities(path, ids, class_names, id_column=id_column)
    given, is_multi = given_labels(dataset, class_names, multi_label)
    rows = np.arange(dataset.n_items) if is_multi else np.flatnonzero(given >= 0)
    if rows.size == 0:
        raise PredictionsError("the labels have no class annotations on items")
    try:
        result = find_suspects(given[rows], probs[rows], method=method, filter_by=filter_by)
    except ValueError as exc:
        raise PredictionsError(f"{path}: {exc}") from None
    items = rows[result.rows]
    if is_multi:
        given_names = [[class_names[c] for c in np.flatnonzero(given[i]).tolist()] for i in items.tolist()]
        suggested_names = [[class_names[c] for c in s] for s in result.suggested]
    else:
        given_names = [class_names[int(given[i])] for i in items.tolist()]
        suggested_names = [class_names[s] for s in result.suggested]
    return DatasetSuspects(result, items, given_names, suggested_names, class_names, is_multi, int(rows.size))
