"""`golden`: annotator accuracy against a golden set, now and at every commit since a revision."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.history import History
from labellint.commands.labels import LabelSelection, anchor_of, load_ratings, selection_paths, source_for
from labellint.errors import UsageError
from labellint.quality.golden import golden_accuracy
from labellint.quality.tables import TableColumns
from labellint.settings.config import Config, find_config, load_config


@dataclass(slots=True)
class GoldenRequest:
    """The labels (a long table or label files; None: the config's datasets, else the label files
    under `.`, as `check` reads them), the golden set, and how to read both."""

    labels: str | None
    gold: str
    since: str | None = None
    columns: TableColumns = field(default_factory=TableColumns)
    names: list[str] | None = None
    header: bool = True
    gold_item_col: str | None = None
    gold_label_col: str | None = None
    reader: str | None = None
    # The config whose datasets (and reader options) stand in for LABELS when it is not given;
    # None: the one found from LABELS (else the working folder).
    config: Config | None = None

    def resolved_config(self) -> Config:
        if self.config is None:
            self.config = load_config(find_config(Path(self.labels) if self.labels else Path.cwd()))
        return self.config

    def rating_options(self) -> dict[str, Any]:
        options = {"columns": self.columns, "names": self.names, "header": self.header, "reader": self.reader}
        return {**options, "config": self.resolved_config()}

    def selection(self) -> LabelSelection:
        return LabelSelection([self.labels] if self.labels else [], self.reader)


@dataclass(slots=True)
class GoldenResult:
    """Accuracy per annotator and overall (with history), and the rows that could not be read."""

    document: dict[str, Any]
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.document


def run_golden(request: GoldenRequest) -> GoldenResult:
    """Each annotator's accuracy on the golden set, per class, with Wilson intervals."""
    from labellint.quality.tables import load_label_pairs

    gold, gold_problems = load_label_pairs(
        request.gold, item_col=request.gold_item_col, label_col=request.gold_label_col
    )
    if not gold:
        raise UsageError(f"{request.gold}: the golden set is empty")
    anchor = anchor_of(request.selection(), request.resolved_config())
    ratings, problems = load_ratings(request.labels, source_for(None, anchor), **request.rating_options())
    document = golden_report(golden_accuracy(ratings, gold))
    if request.since:
        document["history"] = _history(request, gold)
    return GoldenResult(document, [*gold_problems[:20], *problems[:20]])


def golden_report(result) -> dict:
    """The `golden --format json` document: annotators, overall, and what the gold covered."""
    annotators = {}
    for annotator, accuracy in sorted(result.annotators.items(), key=lambda kv: str(kv[0])):
        entry = accuracy.as_dict()
        entry["per_class"] = {str(k): v.as_dict() for k, v in result.per_class[annotator].items()}
        annotators[str(annotator)] = entry
    overall = result.overall.as_dict()
    overall["per_class"] = {str(k): v.as_dict() for k, v in result.overall_per_class.items()}
    overall["mean_annotator_accuracy"] = result.mean_annotator_accuracy
    return {
        "annotators": annotators,
        "overall": overall,
        "gold_items": result.gold_items,
        "gold_items_rated": result.gold_items_rated,
        "confusions": [{"gold": g, "given": given, "count": n} for g, given, n in result.confusions[:20]],
    }


def _history(request: GoldenRequest, gold: dict) -> list[dict]:
    """Overall and per-annotator accuracy at `since` and at every later commit touching the labels."""
    config = request.resolved_config()
    history = History.of(anchor_of(request.selection(), config))
    anchor = history.anchor
    points = []
    for commit in history.since(request.since, history.relative(selection_paths(request.selection(), config))):
        source = history.source(commit.sha)
        entry = {"commit": commit.sha, "date": commit.date, "message": commit.message.splitlines()[0]}
        if request.labels and not source.is_file(anchor) and not source.is_dir(anchor):
            entry.update(overall=None, annotators={}, reason=f"{request.labels} does not exist at this commit")
            points.append(entry)
            continue
        try:
            ratings, _ = load_ratings(request.labels, source, **request.rating_options())
        except UsageError as exc:
            entry.update(overall=None, annotators={}, reason=str(exc))
        else:
            result = golden_accuracy(ratings, gold)
            entry["overall"] = result.overall.as_dict()
            entry["annotators"] = {str(a): acc.accuracy for a, acc in result.annotators.items()}
        points.append(entry)
    return points
