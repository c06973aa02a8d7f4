"""Amendment rules (scope `change`): they compare a BASE and a HEAD side (spec, labels) of one change.

The orchestrator (`labellint.commands.spec_check`) builds a ChangeContext from two git revisions, or from
two folders (the rulebook's `before/` and `after/`); rules only see this shape. Reading labels
needs the readers, which rules must not import, so the context carries a loader for them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.model import Dataset
from labellint.problem import Location
from labellint.rules.base import Finding, Rule, Scope
from labellint.sources import Source
from labellint.spec.model import LabelSpec
from labellint.spec.policy import Amendment


@dataclass(slots=True)
class Side:
    """One side of a change: its spec (None when it has none), the spec's text and displayed path,
    the folder the spec's relative paths (`golden:`) resolve against, and where files come from."""

    label: str
    spec: LabelSpec | None
    spec_text: str | None
    spec_display: str | None
    root: Path
    source: Source


@dataclass(slots=True)
class ChangeContext:
    """What a change rule may look at: both sides, the spec's amendments (its semantic diff), and label loading."""

    base: Side
    head: Side
    amendments: list[Amendment]
    # Reads label files of one side into a Dataset (None: every configured dataset of that side).
    load_labels: Callable[[Side, Sequence[Path] | None], Dataset]
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> LabelSpec | None:
        """The HEAD spec: what `needs_spec` rules need."""
        return self.head.spec

    @property
    def scopes(self) -> frozenset[Scope]:
        """Only change rules run on a change."""
        return frozenset({Scope.CHANGE})

    def default_location(self) -> Location:
        """A finding that names no place is about the HEAD spec."""
        return Location(path=self.head.spec_display)

    def dataset(self, side: Side) -> Dataset:
        """Every configured dataset of one side, read once."""
        key = f"dataset:{id(side)}"
        if key not in self.cache:
            self.cache[key] = self.load_labels(side, None)
        return self.cache[key]

    def spec_location(self, *keys: str | int) -> Location:
        """Where a key of the HEAD spec is written (its line; the nearest written parent), or just the file."""
        position = self.head.spec.position(*keys) if self.head.spec is not None else None
        line, column = position if position else (None, None)
        return Location(path=self.head.spec_display, line=line, column=column)


class ChangeRule(Rule):
    """Base of change rules: `check_change` runs on a ChangeContext (the engine runs change rules
    only there, never in `check`)."""

    scope = Scope.CHANGE
    needs_spec = True

    def check(self, context: ChangeContext) -> Iterable[Finding]:
        return self.check_change(context)

    def check_change(self, context: ChangeContext) -> Iterable[Finding]:
        raise NotImplementedError(f"rule {self.code} must implement check_change()")
