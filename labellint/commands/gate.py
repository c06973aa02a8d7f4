"""`gate`: the spec's quality section (definition of done) evaluated on the figures of agree and golden."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.errors import SpecError, UsageError
from labellint.quality import gates
from labellint.quality.tables import TableColumns
from labellint.settings.config import QualitySources
from labellint.spec.model import LabelSpec

# Gates the spec may set that this command does not compute yet: reported as such, never passed.
NOT_EVALUATED = {
    "unsure": "unsure_rate",
    "noise": "estimated_noise_rate",
    "rework": "rework_rate",
    "coverage": "min_count",
}


@dataclass(slots=True)
class GateRequest:
    """The spec, where the figures come from (config `[quality]` over-ridden by the command line)."""

    spec: LabelSpec | None
    sources: QualitySources = field(default_factory=QualitySources)
    config_root: Path = field(default_factory=Path.cwd)
    ratings: str | None = None
    gold: str | None = None


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
        results.append(_golden(quality.golden, ratings, gold_path, request.sources, problems))
    for name, metric in NOT_EVALUATED.items():
        gate = getattr(quality, name)
        if gate is not None:
            reason = f"not evaluated: `labellint gate` does not compute the {name} gate yet"
            results.append(gates.missing(name, metric, reason, gate.severity))
    return GateResult(results, problems)


_GATE_NAMES = ("agreement", "golden", *NOT_EVALUATED)


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
    from labellint.quality.merge_advice import confused_pairs, with_spec_rules

    if ratings is None:
        why = "no ratings: set `ratings` under [quality] in labellint.toml, or pass --ratings"
        return gates.missing("agreement", gate.metric, why, gate.severity)
    report = agreement_report(ratings, [], level="nominal", weights=None, top=10)
    result = gates.agreement_gate(gate, report)
    result.advice = with_spec_rules(confused_pairs(ratings, gate.merge_above), spec)
    return result


def _golden(gate, ratings, gold_path: str | None, sources: QualitySources, problems: list[str]) -> gates.GateResult:
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
    return gates.golden_gate(gate, golden_report(golden_accuracy(ratings, gold)))
