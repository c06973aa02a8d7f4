"""`gate`: the spec's quality section (definition of done) evaluated on the figures of agree, golden and stats."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import LabelSelection
from labellint.errors import SpecError, UsageError
from labellint.model import Dataset
from labellint.problem import Location, Problem, Severity
from labellint.quality import gates
from labellint.quality.tables import TableColumns
from labellint.report import Report, RuleInfo
from labellint.settings.config import Config, QualitySources
from labellint.spec.model import LabelSpec

# Gates judged on the label files (PATHS, or the config's datasets), as `stats` and `suspects` read them.
ON_LABELS = ("unsure", "coverage", "noise", "rework")


@dataclass(slots=True)
class GateRequest:
    """The spec, where the figures come from (config `[quality]` over-ridden by the command line)."""

    spec: LabelSpec | None
    sources: QualitySources = field(default_factory=QualitySources)
    config_root: Path = field(default_factory=Path.cwd)
    ratings: str | None = None
    gold: str | None = None
    labels: LabelSelection = field(default_factory=LabelSelection)
    config: Config = field(default_factory=Config)
    since: str | None = None  # over-rides the rework gate's `since`
    predictions: str | None = None  # over-rides [quality] predictions
    spec_display: str | None = None  # the spec's path as printed, for failures at a line in it


@dataclass(slots=True)
class GateResult:
    """Every gate's outcome; `ok` when no error-severity gate is short of passing."""

    gates: list[gates.GateResult]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(result.blocking for result in self.gates)

    def to_json(self) -> dict[str, Any]:
        return gates.summary(self.gates)


def gate_report(result: GateResult, spec: LabelSpec, spec_display: str | None) -> Report:
    """The gates short of passing as problems at their key under `quality:` in the spec (for SARIF):
    one rule per gate (`quality/<name>`), the gate's severity, the figure and why in the message."""
    problems, rules = [], {}
    for entry in result.gates:
        if entry.ok:
            continue
        code, severity = f"quality/{entry.name}", Severity(entry.severity)
        line, column = spec.position("quality", entry.name) or (None, None)
        where = Location(path=spec_display, line=line, column=column, pointer=f"/quality/{entry.name}")
        problems.append(Problem(code, f"{entry.name}-gate", severity, _message(entry), where, identity=entry.name))
        for detail in entry.details:  # a class or edge case short of its minimum, at its own line
            if detail.status == gates.FAILED and detail.location is not None:
                message = f"quality gate {entry.name} failed: {detail.reason}"
                problems.append(
                    Problem(code, f"{entry.name}-gate", severity, message, detail.location, identity=detail.name)
                )
        summary = f"The spec's `quality.{entry.name}` gate (definition of done) must pass."
        rules[code] = RuleInfo(code, f"{entry.name}-gate", severity.value, summary, summary)
    return Report(problems=problems, rules=rules)


def spec_locations(spec: LabelSpec, display: str | None) -> dict[tuple[str, str], Location]:
    """Where each class (its key under `classes:`) and each edge case (its list entry) is written."""
    path = display or "labelspec.yaml"
    where = {}
    for name in spec.classes:
        line, column = spec.position("classes", name) or (None, None)
        where["class", name] = Location(path=path, line=line, column=column, pointer=f"/classes/{_escaped(name)}")
    for index, case in reversed(list(enumerate(spec.edge_cases))):  # an id written twice: its first entry
        line, column = spec.position("edge_cases", index) or (None, None)
        where["edge_case", case.id] = Location(path=path, line=line, column=column, pointer=f"/edge_cases/{index}")
    return where


def _escaped(key: str) -> str:
    """A key as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def _message(entry: gates.GateResult) -> str:
    figure = "n/a" if entry.value is None else f"{entry.value:.4g}"
    threshold = "" if entry.threshold is None else f", threshold {entry.threshold:g}"
    text = (
        f"quality gate {entry.name} {entry.status.replace('_', ' ')}: {entry.metric} = {figure}{threshold}, n={entry.n}"
    )
    return text + (f": {entry.reason}" if entry.reason else "")


def run_gate(request: GateRequest) -> GateResult:
    """Each gate of the spec's `quality:` section against the agreement and golden figures."""
    spec = request.spec
    if spec is None:
        raise SpecError("no labelspec.yaml found here or above; pass --spec FILE")
    quality = spec.quality
    if quality is None or not any(getattr(quality, name) is not None for name in _GATE_NAMES):
        raise SpecError("the spec has no `quality:` gates to evaluate")
    ratings_path = _path(request.ratings, request.sources.ratings, request.config_root)
    gold_path = _path(request.gold, request.sources.gold, request.config_root)
    problems: list[str] = []
    ratings = _ratings(ratings_path, request.sources, problems) if ratings_path else None
    results = []
    if quality.agreement is not None:
        results.append(_agreement(quality.agreement, ratings, spec))
    if quality.golden is not None:
        changed = _changed_ratings(ratings, ratings_path, request) if ratings is not None and request.since else None
        results.append(
            _golden(
                quality.golden,
                ratings if changed is None else changed,
                gold_path,
                request.sources,
                problems,
                request.since,
            )
        )
    if any(getattr(quality, name) is not None for name in ON_LABELS):
        results += _on_labels(request, spec, problems)
    return GateResult(results, problems)


_GATE_NAMES = ("agreement", "golden", *ON_LABELS)


def _path(given: str | None, configured: str | None, root: Path) -> str | None:
    """A path from the command line (relative to the cwd) or from the config (relative to it)."""
    if given:
        return given
    return str(root / configured) if configured else None


def _columns(sources: QualitySources) -> dict[str, Any]:
    columns = TableColumns(item=sources.item_col, annotator=sources.annotator_col, label=sources.label_col)
    return {"columns": columns, "names": sources.columns, "header": sources.header}


def _ratings(path: str, sources: QualitySources, problems: list[str]):
    from labellint.commands.labels import load_ratings, source_for

    ratings, bad = load_ratings(path, source_for(None, Path(path)), **_columns(sources))
    problems.extend(bad[:20])
    return ratings


def _agreement(gate, ratings, spec: LabelSpec) -> gates.GateResult:
    from labellint.commands.agree import agreement_report

    if ratings is None:
        why = "no ratings: set `ratings` under [quality] in labellint.toml, or pass --ratings"
        return gates.missing("agreement", gate.metric, why, gate.severity)
    report = agreement_report(
        ratings, [], level="nominal", weights=None, top=10, merge_above=gate.merge_above, spec=spec
    )
    result = gates.agreement_gate(gate, report)
    result.advice = report["merge_advice"]
    return result


def _changed_ratings(ratings, path: str, request: GateRequest):
    """The ratings new or changed since `request.since` (all of them when the table did not exist then)."""
    from labellint.commands.history import History
    from labellint.commands.labels import load_ratings

    history = History.of(Path(path))
    source = history.source(history.resolve(request.since))
    if not source.is_file(Path(path)) and not source.is_dir(Path(path)):
        return ratings
    before, _ = load_ratings(path, source, **_columns(request.sources))
    return ratings.changed_since(before)


def _golden(
    gate, ratings, gold_path: str | None, sources: QualitySources, problems: list[str], since: str | None = None
) -> gates.GateResult:
    from labellint.commands.golden import golden_report
    from labellint.quality.golden import golden_accuracy
    from labellint.quality.tables import load_label_pairs

    if ratings is None or gold_path is None:
        absent = " and ".join(n for n, v in (("ratings", ratings), ("gold", gold_path)) if v is None)
        why = f"no {absent}: set them under [quality] in labellint.toml, or pass --ratings / --gold"
        return gates.missing("golden", "accuracy", why, gate.severity)
    gold, bad = load_label_pairs(gold_path, item_col=sources.gold_item_col, label_col=sources.gold_label_col)
    problems.extend(bad[:20])
    if not gold:
        raise UsageError(f"{gold_path}: the golden set is empty")
    if since is not None and ratings.n_ratings == 0:
        return gates.missing("golden", f"accuracy since {since}", f"no ratings changed since {since}", gate.severity)
    result = gates.golden_gate(gate, golden_report(golden_accuracy(ratings, gold)))
    if since is not None:
        result.metric = f"accuracy since {since}"
    return result


def _on_labels(request: GateRequest, spec: LabelSpec, problems: list[str]) -> list[gates.GateResult]:
    """The unsure, coverage, noise and rework gates on the labels, with the figures `stats` and
    `suspects` print (the label files read once for all of them)."""
    from labellint.commands.labels import anchor_of, read_labels, source_for
    from labellint.quality.from_dataset import edge_case_counts
    from labellint.quality.stats import spec_class_counts, unsure_figures

    quality, selection, config = spec.quality, request.labels, request.config
    anchor = anchor_of(selection, config)
    results = []
    if quality.unsure is not None or quality.coverage is not None or quality.noise is not None:
        dataset = read_labels(selection.paths, source_for(None, anchor), spec, selection.reader, config)
        problems.extend(dataset.notes)  # the files the figures leave out
        if quality.unsure is not None:
            results.append(_unsure(quality.unsure, dataset, unsure_figures(dataset, spec)))
        if quality.coverage is not None:
            counts = spec_class_counts(dataset, spec), edge_case_counts(dataset, spec)
            where = spec_locations(spec, request.spec_display)
            results.append(gates.coverage_gate(quality.coverage, *counts, dataset.n_annotations, where))
            if quality.coverage.min_per_edge_case is not None:
                problems.extend(_uncounted_edge_cases(spec, where))
        if quality.noise is not None:
            predictions = _path(request.predictions, request.sources.predictions, request.config_root)
            results.append(_noise(quality.noise, dataset, predictions, problems))
    if quality.rework is not None:
        results.append(_rework(quality.rework, request, spec, anchor))
    return results


def _uncounted_edge_cases(spec: LabelSpec, where: dict) -> list[str]:
    """The edge cases coverage cannot count (no `attribute` or `tag` marks their examples), each at
    its place in the spec: left out of the figures, never silently."""
    notes = []
    for case in spec.edge_cases:
        if case.marked:
            continue
        place = where.get(("edge_case", case.id))
        at = f"{place.path}:{place.line}: " if place is not None and place.line else ""
        notes.append(
            f"{at}edge case {case.id!r} names no `attribute` or `tag` marking its examples, "
            "so the coverage gate does not count it"
        )
    return notes


def _unsure(gate, dataset: Dataset, figures: dict) -> gates.GateResult:
    return gates.rate_gate("unsure", gate, "unsure_rate", figures["rate"], dataset.n_annotations, figures["reason"])


def _noise(gate, dataset: Dataset, predictions: str | None, problems: list[str]) -> gates.GateResult:
    """Confident learning's estimated share of wrong labels: the label issues `suspects` estimates
    (cleanlab's num_label_issues) over the labelled items it judged, with its default method."""
    from labellint.commands.suspects import classification_report
    from labellint.quality.predictions import PredictionsError

    metric = "estimated_noise_rate"
    if predictions is None:
        why = "no predictions: set `predictions` under [quality] in labellint.toml, or pass --predictions"
        return gates.missing("noise", metric, why, gate.severity)
    if Path(predictions).suffix.lower() == ".json":
        why = f"{predictions}: detection predictions (COCO results) give no noise rate; use class probabilities"
        return gates.rate_gate("noise", gate, metric, None, 0, why)
    if dataset.n_items == 0:
        return gates.rate_gate("noise", gate, metric, None, 0, "no labelled items")
    try:
        report = classification_report(dataset, Path(predictions), "confident-learning", None, False, [], None)
    except PredictionsError as exc:
        raise UsageError(str(exc)) from None
    problems.extend(f"{predictions}: {warning}" for warning in report.warnings)
    issues, n = report.noise["estimated_label_issues"], report.items
    return gates.rate_gate("noise", gate, metric, issues / n if n else None, n, None if n else "no labelled items")


def _rework(gate, request: GateRequest, spec: LabelSpec, anchor: Path) -> gates.GateResult:
    """The rework rate `stats` computes, over the commits since the gate's (or --since's) revision."""
    from labellint.commands.stats import StatsRequest, rework_figures
    from labellint.settings.resolve import Settings

    selection = request.labels
    stats = StatsRequest(selection.paths, Settings(request.config, spec), selection.reader, request.since or gate.since)
    figures = rework_figures(stats, anchor)
    lineages = figures.get("lineages", 0)
    return gates.rate_gate("rework", gate, "rework_rate", figures["rate"], lineages, figures["reason"])
