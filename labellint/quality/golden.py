"""Golden-set accuracy: each annotator's labels against known-correct labels, with Wilson intervals."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np

from labellint.quality.ratings import Ratings

Z_95 = 1.959963984540054  # two-sided 95% normal quantile


def wilson_interval(correct: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """Wilson score interval of a proportion; None when there is nothing to estimate (total 0).

    Unlike the normal (Wald) interval it stays inside [0, 1] and is not empty at 0 or n
    successes: 5/10 -> [0.2366, 0.7634], 0/20 -> [0, 0.1611].
    """
    if total <= 0:
        return None
    share = correct / total
    z2 = z * z
    centre = (share + z2 / (2 * total)) / (1 + z2 / total)
    half = z / (1 + z2 / total) * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Accuracy:
    """``correct`` of ``items`` golden items right; accuracy and interval are None when items is 0."""

    correct: int
    items: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.items if self.items else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.correct, self.items)

    def as_dict(self) -> dict:
        interval = self.interval
        return {
            "accuracy": self.accuracy,
            "correct": self.correct,
            "items": self.items,
            "wilson_95": None if interval is None else [interval[0], interval[1]],
        }


@dataclass(frozen=True)
class GoldenResult:
    """Accuracy per annotator (overall and per gold class) and pooled over every rating on gold."""

    annotators: dict[Hashable, Accuracy]
    per_class: dict[Hashable, dict[Hashable, Accuracy]]  # annotator -> gold class -> accuracy
    overall: Accuracy
    overall_per_class: dict[Hashable, Accuracy]
    gold_items: int
    gold_items_rated: int
    confusions: list[tuple[str, str, int]]  # (gold, given, count), most frequent first

    @property
    def mean_annotator_accuracy(self) -> float | None:
        values = [acc.accuracy for acc in self.annotators.values() if acc.items]
        return float(np.mean(values)) if values else None


def golden_accuracy(ratings: Ratings, gold: Mapping[str, str]) -> GoldenResult:
    """Compares every rating of a gold item with its gold label (labels compared as text).

    Items without gold are ignored; gold items nobody rated only count in ``gold_items``.
    Per class means per *gold* class (recall of that class). ``overall`` pools all ratings, so
    prolific annotators weigh more; ``mean_annotator_accuracy`` weighs annotators equally.
    """
    names = [str(category) for category in ratings.categories]
    position = {name: index for index, name in enumerate(names)}
    gold_names = sorted(set(gold.values()) - set(position))
    all_names = names + gold_names
    position.update({name: len(names) + index for index, name in enumerate(gold_names)})
    n_classes = len(all_names)

    gold_of_item = np.full(ratings.n_items, -1, dtype=np.intp)
    item_position = {str(item): code for code, item in enumerate(ratings.items.tolist())}
    for item, label in gold.items():
        code = item_position.get(str(item))
        if code is not None:
            gold_of_item[code] = position[str(label)]
    truth = gold_of_item[ratings.item_codes]
    on_gold = truth >= 0
    annotator = ratings.annotator_codes[on_gold]
    truth, given = truth[on_gold], ratings.label_codes[on_gold]
    right = truth == given

    n_annotators = ratings.n_annotators
    cells = n_annotators * n_classes
    rated = np.bincount(annotator * n_classes + truth, minlength=cells).reshape(n_annotators, n_classes)
    correct = np.bincount(annotator * n_classes + truth, weights=right, minlength=cells).reshape(
        n_annotators, n_classes
    )
    annotators, per_class = {}, {}
    for code, annotator_id in enumerate(ratings.annotators.tolist()):
        if rated[code].sum() == 0:
            continue
        annotators[annotator_id] = Accuracy(int(correct[code].sum()), int(rated[code].sum()))
        per_class[annotator_id] = {
            all_names[k]: Accuracy(int(correct[code, k]), int(rated[code, k]))
            for k in range(n_classes)
            if rated[code, k]
        }
    class_rated, class_correct = rated.sum(axis=0), correct.sum(axis=0)
    overall_per_class = {
        all_names[k]: Accuracy(int(class_correct[k]), int(class_rated[k])) for k in range(n_classes) if class_rated[k]
    }
    confusion = np.bincount(truth[~right] * n_classes + given[~right], minlength=n_classes * n_classes)
    order = np.argsort(-confusion, kind="stable")
    confusions = [
        (all_names[i // n_classes], all_names[i % n_classes], int(confusion[i])) for i in order if confusion[i] > 0
    ]
    return GoldenResult(
        annotators=annotators,
        per_class=per_class,
        overall=Accuracy(int(right.sum()), int(right.size)),
        overall_per_class=overall_per_class,
        gold_items=len(gold),
        gold_items_rated=int(np.count_nonzero(gold_of_item >= 0)),
        confusions=confusions,
    )
