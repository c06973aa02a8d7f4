"""What a spec change means for label files: the mechanical relabels, ids, removals, and what needs review."""

# Renames and merges are mechanical (every label of the old class becomes the new class), and so
# is a new class id. Splits and changed definitions are not: which side of the new border a label
# falls on needs a person, so their classes are queued for review and their labels kept as written.

from __future__ import annotations

from dataclasses import dataclass, field

from labellint.spec.meaning import match_classes
from labellint.spec.model import LabelSpec
from labellint.spec.policy import Amendment
from labellint.spec.versioning import Bump

# MAJOR changes the rewrite itself carries out; every other MAJOR change of a class is for review.
MECHANICAL = {"class-renamed", "class-merged", "class-removed", "class-id-changed"}


@dataclass(slots=True)
class Migration:
    """How each class name written in the labels becomes a HEAD class, from BASE's spec to HEAD's."""

    base: LabelSpec
    head: LabelSpec
    amendments: list[Amendment]
    # Name as written (a BASE class or one of its aliases) -> HEAD class, for renamed and merged classes.
    relabel: dict[str, str] = field(default_factory=dict)
    # Names as written of classes HEAD removed (their labels are listed, or dropped on request).
    removed: set[str] = field(default_factory=set)
    # Names as written of classes to review -> why (a split, a changed definition, ...).
    review: dict[str, list[str]] = field(default_factory=dict)
    # True when a MAJOR change touches every class (a new task, a dataset-wide rule): review all.
    review_all: bool = False

    def target(self, written: str) -> str:
        """The name a label written as `written` has after the migration (itself when it stays)."""
        return self.relabel.get(written, written)

    def head_class(self, written: str) -> str | None:
        """The HEAD class a label written as `written` means after the migration (None: unknown)."""
        return self.head.resolve_class(self.target(written))

    def head_id(self, written: str) -> int | None:
        """The id HEAD gives the class of a label written as `written` (None: HEAD gives none)."""
        name = self.head_class(written)
        return self.head.classes[name].id if name is not None else None

    @property
    def is_empty(self) -> bool:
        return not (self.relabel or self.removed or self.review or self.review_all or self._ids_changed())

    def _ids_changed(self) -> bool:
        return any(c.kind == "class-id-changed" for c in self.amendments)


def plan_migration(base: LabelSpec, head: LabelSpec, amendments: list[Amendment]) -> Migration:
    """The migration from `base` to `head`, given their semantic diff `amendments`."""
    match = match_classes(base, head)
    plan = Migration(base, head, amendments)

    def written(name: str) -> list[str]:
        return [name, *base.classes[name].aliases]

    for old, new in match.renamed.items():
        plan.relabel.update({w: new for w in written(old)})
    for target, sources in match.merged.items():
        for source in sources:
            plan.relabel.update({w: target for w in written(source)})
    for name in match.removed:
        plan.removed.update(written(name))
    for change in amendments:
        if change.bump is not Bump.MAJOR or change.kind in MECHANICAL:
            continue
        if not change.classes:
            plan.review_all = True
            continue
        for name in change.classes:
            # A class named on either side: labels say it by its BASE name, or by a HEAD name already.
            for side in (base, head):
                if name in side.classes:
                    for w in [name, *side.classes[name].aliases]:
                        plan.review.setdefault(w, []).append(change.detail)
    return plan
