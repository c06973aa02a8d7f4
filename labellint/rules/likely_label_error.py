"""LL601 likely-label-error: a classification label that out-of-sample model predictions dispute."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from pydantic import Field

from labellint.problem import Location, Severity
from labellint.quality.confident import FilterBy
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope
from labellint.support.paths import from_cwd

# Looked for beside each label file when no `predictions` option is set: labels.csv -> labels.predictions.csv
# Not .jsonl: walking a folder, the JSONL reader would take such a file for labels.
SIBLING_SUFFIXES = (".csv", ".npy")


class LikelyLabelErrorOptions(RuleOptions):
    predictions: str | None = Field(
        None,
        description="Class probabilities (CSV/JSONL by item id, or .npy in item order), relative to the config's "
        "folder. Unset: `<label file stem>.predictions.csv` (or `.npy`) beside a label file.",
    )
    method: Literal["confident-learning", "self-confidence", "normalized-margin", "high-loss"] = Field(
        "confident-learning", description="How suspects are found and ranked."
    )
    filter_by: FilterBy | None = Field(None, description="Confident learning's filter (default prune_by_noise_rate).")
    multi_label: bool = Field(False, description="Treat the labels as multi-label (automatic when an item has two).")
    id_column: str | None = Field(None, description="Item id column of CSV/JSONL predictions (default: item, id, ...).")
    classes: list[str] | None = Field(None, description="Class order of .npy columns (default: sorted class names).")


class LikelyLabelError(Rule):
    """A label that out-of-sample model predictions suggest is wrong (confident learning)."""

    code = "LL601"
    name = "likely-label-error"
    scope = Scope.DATASET
    severity = Severity.WARNING
    default_enabled = False
    Options = LikelyLabelErrorOptions

    def check(self, context: RuleContext) -> Iterator[Finding]:
        dataset = context.dataset
        if dataset.n_items == 0 or not dataset.files or context.work_tree is None:
            return  # nothing to check, or labels read from a git revision (predictions are for the work tree)
        work_tree = context.work_tree
        path = self._predictions_path(dataset, work_tree, context.config_root or work_tree)
        if path is None:
            return
        from labellint.quality.predictions import PredictionsError  # only when predictions are named
        from labellint.quality.suspects import dataset_suspects

        options = self.options
        try:
            found = dataset_suspects(
                dataset,
                path,
                method=options.method,
                filter_by=options.filter_by,
                multi_label=options.multi_label,
                class_list=options.classes,
                id_column=options.id_column,
            )
        except PredictionsError as exc:
            display = from_cwd(path, work_tree)
            message = str(exc).replace(f"{path}", display)
            yield Finding(
                f"cannot use the predictions: {message}", location=Location(path=display), severity=Severity.ERROR
            )
            return
        scores = found.result.scores
        for position, item in enumerate(found.items.tolist()):
            given, suggested = found.given[position], found.suggested[position]
            yield Finding(
                f"label {_names(given)} is likely wrong: the model suggests {_names(suggested)} "
                f"(suspicion {float(scores[position]):.2f}, {options.method})",
                item=item,
                identity=f"{_names(given)}",
            )

    def _predictions_path(self, dataset, work_tree: Path, config_root: Path) -> Path | None:
        if self.options.predictions:
            return config_root / self.options.predictions
        for file in dataset.files:
            label_path = work_tree / file.path
            for suffix in SIBLING_SUFFIXES:
                candidate = label_path.with_name(f"{label_path.stem}.predictions{suffix}")
                if candidate.is_file():
                    return candidate
        return None


def _names(value) -> str:
    if isinstance(value, list):
        return "{" + ", ".join(repr(v) for v in value) + "}"
    return repr(value)
