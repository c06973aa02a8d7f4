"""`spec diff`: what changed in the spec's meaning between two versions, each change with its bump."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labellint.commands.sides import side_for
from labellint.errors import SpecError
from labellint.settings.resolve import resolve_spec_path
from labellint.spec.diff import Amendment, diff_specs, required_bump
from labellint.spec.versioning import Bump, bump_made


@dataclass(slots=True)
class SpecDiffRequest:
    """BASE and HEAD (git revisions or spec files; HEAD None: the work tree)."""

    base: str
    head: str | None = None
    spec_file: str | None = None
    config_file: str | None = None


@dataclass(slots=True)
class SpecDiffResult:
    """Both versions, the changes of meaning, the bump they need and the bump made."""

    base: str
    head: str
    base_version: str
    head_version: str
    required: Bump
    actual: Bump
    changes: list[Amendment]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "base": self.base,
            "head": self.head,
            "base_version": self.base_version,
            "head_version": self.head_version,
            "required": self.required.value,
            "actual": self.actual.value,
            "changes": [c.as_json() for c in self.changes],
        }


def run_spec_diff(request: SpecDiffRequest) -> SpecDiffResult:
    """The semantic diff of the spec from BASE to HEAD."""
    base, head = request.base, request.head
    both_files = Path(base).is_file() and head is not None and Path(head).is_file()
    _, spec_path, policy = resolve_spec_path(request.config_file, request.spec_file, need_spec=not both_files)
    before = side_for(base, spec_path, base=False)
    after = side_for(head, spec_path, base=False)
    if before.spec is None or after.spec is None:
        raise SpecError(f"no spec at {base if before.spec is None else head}")
    changes = diff_specs(before.spec, after.spec, policy)
    made = bump_made(before.spec.version, after.spec.version)
    return SpecDiffResult(
        before.label, after.label, before.spec.version, after.spec.version, required_bump(changes), made, changes
    )
