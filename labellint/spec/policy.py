"""The bump each kind of spec change needs: the default policy, per-kind overrides, one change's record."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from labellint.spec.versioning import Bump

# DESIGN.md §3: would an already-labelled sample be labelled differently? MAJOR. Purely additive?
# MINOR. A clarification that changes no decision? PATCH. Overridable per kind (`[spec-policy]`).
DEFAULT_POLICY: dict[str, Bump] = {
    "task-changed": Bump.MAJOR,
    "decision-changed": Bump.MAJOR,
    "decision-reworded": Bump.PATCH,
    "description-changed": Bump.PATCH,
    "name-changed": Bump.PATCH,
    "class-added": Bump.MINOR,
    "class-removed": Bump.MAJOR,
    "class-renamed": Bump.MAJOR,
    "class-merged": Bump.MAJOR,
    "class-split": Bump.MAJOR,
    "class-id-changed": Bump.MAJOR,
    "definition-changed": Bump.MAJOR,
    "definition-reworded": Bump.PATCH,
    "definition-added": Bump.PATCH,
    "example-added": Bump.PATCH,
    "example-removed": Bump.MAJOR,
    "example-reworded": Bump.PATCH,
    "alias-added": Bump.PATCH,
    "alias-removed": Bump.MINOR,
    "edge-case-added": Bump.MAJOR,
    "edge-case-removed": Bump.MAJOR,
    "edge-case-changed": Bump.MAJOR,
    "edge-case-reworded": Bump.PATCH,
    "edge-case-classes-changed": Bump.MAJOR,
    "edge-case-example-added": Bump.PATCH,
    "edge-case-example-removed": Bump.MAJOR,
    "priority-added": Bump.MAJOR,
    "priority-removed": Bump.MAJOR,
    "priority-reversed": Bump.MAJOR,
    "unsure-added": Bump.MINOR,
    "unsure-removed": Bump.MAJOR,
    "unsure-path-changed": Bump.MAJOR,
    "unsure-criteria-added": Bump.MAJOR,
    "unsure-criteria-removed": Bump.MAJOR,
    "unsure-criteria-reworded": Bump.PATCH,
    "attribute-added-optional": Bump.MINOR,
    "attribute-added-required": Bump.MAJOR,
    "attribute-removed": Bump.MAJOR,
    "attribute-made-required": Bump.MAJOR,
    "attribute-made-optional": Bump.MINOR,
    "attribute-values-added": Bump.MINOR,
    "attribute-schema-changed": Bump.MAJOR,
    "attribute-description-changed": Bump.PATCH,
    "geometry-tightened": Bump.MAJOR,
    "geometry-loosened": Bump.MINOR,
    "golden-changed": Bump.PATCH,
}


@dataclass(frozen=True, slots=True)
class Amendment:
    """One change of meaning: its kind, where it is (`classes.pedestrian.include`), the bump it
    needs, a plain-words detail, and the classes whose labels it touches (base and head names;
    empty for dataset-wide changes, which touch every class)."""

    kind: str
    where: str
    bump: Bump
    detail: str
    classes: tuple[str, ...] = ()

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "bump": self.bump.value, "detail": self.detail}


def resolve_policy(overrides: Mapping[str, str] | None) -> dict[str, Bump]:
    """The default policy with `overrides` (kind -> major|minor|patch|none); ValueError names a bad key."""
    policy = dict(DEFAULT_POLICY)
    for kind, level in (overrides or {}).items():
        if kind not in policy:
            hint = difflib.get_close_matches(kind, list(policy), n=1)
            raise ValueError(f"unknown spec change kind {kind!r}" + (f" (did you mean {hint[0]!r}?)" if hint else ""))
        try:
            policy[kind] = Bump(str(level).lower())
        except ValueError:
            raise ValueError(f"{kind}: bump {level!r} is not one of major, minor, patch, none") from None
    return policy


def required_bump(changes: Iterable[Amendment]) -> Bump:
    """The largest bump any change needs (NONE when nothing changed)."""
    return max((c.bump for c in changes), key=lambda b: b.rank, default=Bump.NONE)
