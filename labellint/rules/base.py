"""What a rule is: code, name, scope, default severity, options, and `check` yielding findings."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from labellint.model import AnnotationView, Dataset
from labellint.problem import Location, Severity
from labellint.report import RuleInfo
from labellint.spec.model import LabelSpec


class Scope(enum.StrEnum):
    """What a rule looks at; the engine dispatches by it."""

    SPEC = "spec"
    ANNOTATION = "annotation"
    ITEM = "item"
    DATASET = "dataset"
    CHANGE = "change"


class RuleOptions(BaseModel):
    """Base of every rule's options: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


@dataclass(slots=True)
class Finding:
    """What a rule reports; the engine adds code, name, severity, location and fingerprint.

    Point it at an annotation or an item by index (provenance is looked up for you), or give
    an explicit `location` (spec problems, file problems). `identity` adds to the fingerprint
    what tells two findings on the same record apart (e.g. the other box of a pair).
    """

    message: str
    annotation: int | None = None
    item: int | None = None
    location: Location | None = None
    identity: str = ""
    severity: Severity | None = None
    # The other annotation of a pair problem (duplicate, overlap): the fingerprint then names both
    # ends in a fixed order, so it survives reordering even when the other box becomes the one reported.
    pair: int | None = None


# The scopes of rules that `check` runs; change rules (Scope.CHANGE) run on a ChangeContext only.
CHECK_SCOPES = frozenset({Scope.SPEC, Scope.ANNOTATION, Scope.ITEM, Scope.DATASET})


@dataclass(slots=True)
class RuleContext:
    """What a check rule may look at: the dataset, the spec (None when there is none), where the
    run's files are, and a cache that rules share for work several of them need (same-item pairs).

    Everything a rule needs arrives here explicitly, so calling the engine directly gives the same
    results as `labellint check` does."""

    dataset: Dataset
    spec: LabelSpec | None
    spec_path: str | None = None
    # The folder the dataset's displayed paths are relative to; None when the labels were read from
    # a git revision (nothing of theirs is on disk, so rules that read companion files stay quiet).
    work_tree: Path | None = None
    # The config's folder: paths written in rule options resolve against it (default: work_tree).
    config_root: Path | None = None
    # `spec-version` declared in the config per label file: displayed path -> version (LL503).
    declared_versions: dict[str, str] = field(default_factory=dict)
    # The `split` the config gives each dataset (train, test, ...), per displayed label-file path (LL703).
    splits: dict[str, str] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def scopes(self) -> frozenset[Scope]:
        """The rule scopes this context serves (the engine skips the others)."""
        return CHECK_SCOPES

    def default_location(self) -> Location:
        """Where a finding that names no record is placed."""
        return Location()


def rule_summary(rule: type) -> str:
    """The first paragraph of a rule's docstring joined into one line (a whole sentence, never a
    line cut mid-sentence): catalogues, SARIF `shortDescription` and `labellint rules` all show it."""
    paragraph = (rule.__doc__ or "").strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines() if line.strip())


def rule_description(rule: type) -> str:
    """A rule's whole docstring, each blank-line block joined into one line."""
    doc = (rule.__doc__ or "").strip()
    blocks = [" ".join(line.strip() for line in block.splitlines()) for block in doc.split("\n\n")]
    return "\n\n".join(b for b in blocks if b)


class Rule:
    """Base class of rules; register a subclass under the entry-point group `labellint.rules`.

    Override `check` for whole-dataset (vectorised) work, or `check_annotation` /
    `check_item` for per-record rules (simple, but slow on millions of records).
    """

    code: ClassVar[str] = ""
    name: ClassVar[str] = ""
    scope: ClassVar[Scope] = Scope.DATASET
    severity: ClassVar[Severity] = Severity.ERROR
    # Rules off by default are run only when selected explicitly (by code, prefix, name or ALL).
    default_enabled: ClassVar[bool] = True
    # Rules that need a spec are skipped when there is none.
    needs_spec: ClassVar[bool] = False
    # A spec-completeness TODO (a definition or examples still to write, as `init` leaves them):
    # the text report shows one count per rule instead of one line per class, until asked.
    todo: ClassVar[bool] = False
    # The rule reads files beside the labels (images): its findings on a label file are not a
    # function of that file alone, so the incremental cache never keeps them.
    uses_files: ClassVar[bool] = False
    Options: ClassVar[type[RuleOptions]] = RuleOptions

    def __init__(self, options: RuleOptions | None = None) -> None:
        self.options = options if options is not None else self.Options()

    @classmethod
    def summary(cls) -> str:
        """The rule's summary: the first paragraph of its docstring, as one line."""
        return rule_summary(cls)

    @classmethod
    def info(cls) -> RuleInfo:
        """What reporters need to know about the rule."""
        builtin = cls.__module__.startswith("labellint.rules")
        description = rule_description(cls)
        return RuleInfo(cls.code, cls.name, cls.severity.value, cls.summary(), description, builtin, cls.todo)

    def check(self, context: RuleContext) -> Iterable[Finding]:
        """Findings for the whole dataset; by default dispatches on `scope`."""
        if self.scope is Scope.ANNOTATION:
            return self._each_annotation(context)
        if self.scope is Scope.ITEM:
            return self._each_item(context)
        raise NotImplementedError(f"rule {self.code} must implement check()")

    def check_annotation(self, annotation: AnnotationView, context: RuleContext) -> Iterable[Finding]:
        return ()

    def check_item(self, item: int, context: RuleContext) -> Iterable[Finding]:
        return ()

    def _each_annotation(self, context: RuleContext) -> Iterator[Finding]:
        for view in context.dataset.annotations():
            for finding in self.check_annotation(view, context) or ():
                if finding.annotation is None and finding.location is None:
                    finding.annotation = view.index
                yield finding

    def _each_item(self, context: RuleContext) -> Iterator[Finding]:
        for item in range(context.dataset.n_items):
            for finding in self.check_item(item, context) or ():
                if finding.item is None and finding.location is None:
                    finding.item = item
                yield finding
