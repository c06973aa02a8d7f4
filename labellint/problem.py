"""Problems found by rules: severity, location and a fingerprint that survives reformatting."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field


class Severity(enum.StrEnum):
    """How bad a problem is; only errors make `check` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file position a person can open, plus the source's own ids."""

    path: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    item: str | None = None
    annotation: str | None = None


@dataclass(slots=True)
class Problem:
    """One finding of one rule, stamped with the rule's code, name and severity by the engine."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    # Stable identity of what the problem is about, never a line number (see `fingerprint`).
    identity: str = ""
    fingerprint: str = ""
    # What the problem is about, as indexes into the Dataset the report was made from (the
    # annotation first, then the other one of a pair), for reporters that draw it; never serialized.
    subject_annotations: tuple[int, ...] = ()
    subject_item: int | None = None

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path or "", loc.line or 0, loc.column or 0, self.code, loc.pointer or "")


def fingerprint(code: str, path: str | None, identity: str) -> str:
    """A short hash of code + file + stable identity: the same problem keeps its fingerprint
    when the file is reformatted or its records are reordered."""
    digest = hashlib.sha1(f"{code}\0{path or ''}\0{identity}".encode(), usedforsecurity=False)
    return digest.hexdigest()[:16]
