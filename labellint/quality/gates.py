"""Quality gates: the spec's thresholds applied to figures the quality commands already computed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from labellint.problem import Location
from labellint.spec.model import AgreementGate, CoverageGate, GoldenGate, RateGate
from labellint.support.wording import plural

PASSED, FAILED, NOT_ENOUGH_DATA, UNDEFINED = "passed", "failed", "not_enough_data", "undefined"


@dataclass(slots=True)
class GateResult:
    """One gate (or one class's / annotator's figure of it): value against threshold, on n samples.

    `status` is passed, failed, not_enough_data (n below the gate's min_items) or undefined (the
    figure cannot be computed); only passed is `ok`: a gate without enough data never passes."""

    name: str
    metric: str
    value: float | None
    threshold: float | None
    n: int
    status: str
    reason: str | None = None
    severity: str = "error"
    details: list[GateResult] = field(default_factory=list)
    advice: list[dict[str, Any]] = field(default_factory=list)
    # Where in the spec the figure's subject is written (a class's or an edge case's line), if known.
    location: Location | None = None

    @property
    def ok(self) -> bool:
        return self.status == PASSED

    @property
    def blocking(self) -> bool:
        """Whether this gate makes the run fail (an error-severity gate that did not pass)."""
        return not self.ok and self.severity == "error"

    def to_json(self) -> dict[str, Any]:
        document = {
            "name": self.name,
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "n": self.n,
            "ok": self.ok,
            "status": self.status,
            "reason": self.reason,
        }
        if self.details or self.advice or self.severity != "error":
            document["severity"] = self.severity
        if self.details:
            document["details"] = [d.to_json() for d in self.details]
        if self.advice:
            document["advice"] = self.advice
        if self.location is not None:
            where = self.location
            document["location"] = {
                "path": where.path,
                "line": where.line,
                "column": where.column,
                "pointer": where.pointer,
            }
        return document


def judge(
    name: str, metric: str, value: float | None, threshold: float, n: int, min_items: int, *, at_most: bool = False
) -> GateResult:
    """One figure against its threshold (`value >= threshold`, or `<=` with at_most), on n samples."""
    relation = "<=" if at_most else ">="
    if value is None:
        return GateResult(name, metric, None, threshold, n, UNDEFINED, "the figure is undefined on these data")
    if n < min_items:
        reason = f"not enough data: {n} < min_items {min_items}"
        return GateResult(name, metric, value, threshold, n, NOT_ENOUGH_DATA, reason)
    passed = value <= threshold if at_most else value >= threshold
    reason = None if passed else f"{value:.4g} is not {relation} {threshold:g}"
    return GateResult(name, metric, value, threshold, n, PASSED if passed else FAILED, reason)


def with_details(result: GateResult, details: list[GateResult]) -> GateResult:
    """The gate with its per-class / per-annotator figures; one that failed fails the gate."""
    result.details = details
    failed = [d.name for d in details if d.status == FAILED]
    if failed and result.status == PASSED:
        result.status = FAILED
        shown = ", ".join(failed[:10]) + (f" and {len(failed) - 10} more" if len(failed) > 10 else "")
        result.reason = f"below the threshold: {shown}"
    return result


def agreement_gate(gate: AgreementGate, report: dict[str, Any]) -> GateResult:
    """The agreement gate on an `agree` document: the metric overall, specific agreement per class."""
    figure = report.get(gate.metric) or {}
    result = judge("agreement", gate.metric, figure.get("value"), gate.min_, report.get("items", 0), gate.min_items)
    if figure.get("value") is None and figure.get("reason"):
        result.reason = figure["reason"]
    details = []
    if gate.per_class_min is not None:
        for name, row in report.get("per_class", {}).items():
            specific = row.get("specific_agreement")
            value = specific.get("value") if isinstance(specific, dict) else specific
            n = row.get("ratings", row.get("objects", 0))
            details.append(judge(f"agreement[{name}]", "specific_agreement", value, gate.per_class_min, n, 0))
    return _severity(with_details(result, details), gate.severity)


def golden_gate(gate: GoldenGate, report: dict[str, Any], name: str = "golden") -> GateResult:
    """The golden gate on a `golden` document: pooled accuracy, and each annotator's if asked.

    An annotator with fewer than min_items gold ratings is listed as not_enough_data and does not
    decide the gate (the pooled figure carries its own sample size)."""
    overall = report["overall"]
    result = judge(name, "accuracy", overall["accuracy"], gate.min_accuracy, overall["items"], gate.min_items)
    details = []
    if gate.per_annotator:
        for annotator, entry in report["annotators"].items():
            details.append(
                judge(
                    f"{name}[{annotator}]",
                    "accuracy",
                    entry["accuracy"],
                    gate.min_accuracy,
                    entry["items"],
                    gate.min_items,
                )
            )
    return _severity(with_details(result, details), gate.severity)


def rate_gate(name: str, gate: RateGate, metric: str, value: float | None, n: int, reason: str | None) -> GateResult:
    """A share that must stay at or below max_rate (unsure, noise, rework)."""
    result = judge(name, metric, value, gate.max_rate, n, gate.min_items, at_most=True)
    if value is None and reason:
        result.reason = reason
    return _severity(result, gate.severity)


def coverage_gate(
    gate: CoverageGate,
    classes: dict[str, int],
    edge_cases: dict[str, int],
    n: int,
    where: dict[tuple[str, str], Location] | None = None,
) -> GateResult:
    """Annotations per spec class and per marked edge case against the minimums; the value is the
    smallest count that has a minimum (n: annotations read). `where` maps ("class", name) and
    ("edge_case", id) to their place in the spec, for a failure a person can open."""
    details = []
    if gate.min_per_class is not None:
        details += [_count("class", c, k, gate.min_per_class, where) for c, k in classes.items()]
    if gate.min_per_edge_case is not None:
        details += [_count("edge_case", e, k, gate.min_per_edge_case, where) for e, k in edge_cases.items()]
    if not details:
        if gate.min_per_edge_case is not None:
            reason = "no marked edge cases"
        elif gate.min_per_class is not None:
            reason = "nothing to count: the spec has no classes"
        else:
            reason = "nothing to count: no minimum set"
        result = GateResult("coverage", "min_count", None, None, n, UNDEFINED, reason)
        return _severity(result, gate.severity)
    smallest = min(details, key=lambda d: (d.value - d.threshold, d.name))
    result = judge("coverage", "min_count", smallest.value, smallest.threshold, n, gate.min_items)
    result.metric = f"min_count ({smallest.name})"
    return _severity(with_details(result, details), gate.severity)


def _count(kind: str, name: str, count: int, minimum: int, where: dict | None) -> GateResult:
    """One class's annotations (kind "class") or one edge case's marked examples against its minimum."""
    if kind == "class":
        detail = judge(f"coverage[{name}]", "annotations", count, minimum, count, 0)
        what = f"class {name!r} has {plural(count, 'annotation')}, fewer than min_per_class {minimum}"
    else:
        detail = judge(f"coverage[edge_case:{name}]", "examples", count, minimum, count, 0)
        what = f"edge case {name!r} has {plural(count, 'marked example')}, fewer than min_per_edge_case {minimum}"
    if detail.status == FAILED:
        detail.reason = what
    detail.location = (where or {}).get((kind, name))
    return detail


def missing(name: str, metric: str, reason: str, severity: str) -> GateResult:
    """A gate whose inputs are absent: reported, never passed."""
    return GateResult(name, metric, None, None, 0, NOT_ENOUGH_DATA, reason, severity)


def _severity(result: GateResult, severity: str) -> GateResult:
    result.severity = severity
    return result


def summary(results: list[GateResult]) -> dict[str, Any]:
    """The `gate --format json` document: ok when no error-severity gate is short of passing."""
    return {"ok": not any(r.blocking for r in results), "gates": [r.to_json() for r in results]}
