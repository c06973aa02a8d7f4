"""The finished result of a run: problems, rule crashes, counts, and the exit policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from labellint.problem import Problem, Severity


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reporters need to know about a rule that ran (for SARIF rule tables, summaries)."""

    code: str
    name: str
    severity: str
    summary: str
    # The whole docstring, one paragraph per blank-line block (SARIF fullDescription).
    description: str = ""
    # Built into labellint (it has a rulebook page); plugin rules have none.
    builtin: bool = False
    # A spec-completeness TODO (what `init` leaves to write): the text report counts these.
    todo: bool = False


@dataclass(slots=True)
class Crash:
    """A rule (or reader) that raised; the others still ran."""

    source: str
    error: str
    traceback: str = ""


@dataclass(slots=True)
class Report:
    """Everything a reporter renders. Reports of disjoint shards merge into the report of both."""

    problems: list[Problem] = field(default_factory=list)
    crashes: list[Crash] = field(default_factory=list)
    files: int = 0
    items: int = 0
    annotations: int = 0
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def merge(self, other: Report) -> Report:
        """The report of this shard and `other` together."""
        return Report(
            problems=sorted([*self.problems, *other.problems], key=Problem.sort_key),
            crashes=[*self.crashes, *other.crashes],
            files=self.files + other.files,
            items=self.items + other.items,
            annotations=self.annotations + other.annotations,
            rules={**self.rules, **other.rules},
            notes=[*self.notes, *(n for n in other.notes if n not in self.notes)],
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity is severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    def exit_code(self, exit_zero: bool = False) -> int:
        """3 when a rule crashed, else 1 when a problem is at error level, else 0."""
        if self.crashes:
            return 3
        if exit_zero:
            return 0
        return 1 if self.errors else 0
