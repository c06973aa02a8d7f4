"""LL505 mass-relabel: one change relabels more than a threshold fraction of the annotations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pydantic import Field

from labellint.problem import Location
from labellint.rules.base import Finding, RuleOptions
from labellint.rules.change import ChangeContext, ChangeRule

if TYPE_CHECKING:  # the diff package is imported by `spec check` only, never by `check`
    from labellint.diff import LabelDiff


class MassRelabelOptions(RuleOptions):
    max_fraction: float = Field(
        0.2, ge=0.0, le=1.0, description="Largest share of the base annotations one change may relabel."
    )


class MassRelabel(ChangeRule):
    """One change relabels more than a threshold fraction of the annotations."""

    code = "LL505"
    name = "mass-relabel"
    needs_spec = False
    Options = MassRelabelOptions

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        from labellint.diff import DiffOptions, diff_datasets

        base, head = context.dataset(context.base), context.dataset(context.head)
        diff = diff_datasets(base, head, DiffOptions())
        # Point at the label file when there is one; a change across several files is dataset-wide.
        location = Location(path=head.files[0].path) if len(head.files) == 1 else Location()
        message = self.relabel_message(diff, _declared(context))
        if message is not None:
            yield Finding(message, location=location, identity="mass-relabel")

    def relabel_message(self, diff: LabelDiff, declared: frozenset[tuple[str, str]] = frozenset()) -> str | None:
        """What is wrong when the diff relabels more than `max_fraction` of the base annotations;
        relabels the spec change itself declares (`declared`: a rename or merge, from -> to) do not count."""
        explained = sum(t["count"] for t in diff.transitions if (t["from"], t["to"]) in declared)
        relabeled, total, limit = (
            diff.annotations["relabeled"] - explained,
            diff.base_annotations,
            self.options.max_fraction,
        )
        share = relabeled / total if total else 0.0
        if not relabeled or share <= limit:
            return None
        undeclared = [t for t in diff.transitions if (t["from"], t["to"]) not in declared]
        top = ", ".join(f"{t['from']} -> {t['to']} ({t['count']})" for t in undeclared[:3])
        return (
            f"this change relabels {relabeled} of {total} annotations ({share:.1%}, more than the {limit:.0%} "
            "allowed): review it as a change of the labels' meaning" + (f" (largest: {top})" if top else "")
        )

    def check_diff(self, diff: LabelDiff) -> list[dict[str, Any]]:
        """The problem as `labellint diff` lists it in its JSON document (empty when the change is fine)."""
        message = self.relabel_message(diff)
        if message is None:
            return []
        return [{"code": self.code, "name": self.name, "severity": self.severity.value, "message": message}]


def _declared(context: ChangeContext) -> frozenset[tuple[str, str]]:
    """The relabels the spec change declares: each renamed or merged class's names -> its new class
    (what `labellint migrate` writes)."""
    from labellint.spec.migration import plan_migration

    if context.base.spec is None or context.head.spec is None:
        return frozenset()
    return frozenset(plan_migration(context.base.spec, context.head.spec, context.amendments).relabel.items())
