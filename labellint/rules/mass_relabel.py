"""LL505 mass-relabel: one change relabels more than a threshold fraction of the annotations."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from labellint.problem import Location
from labellint.rules.base import Finding, RuleOptions
from labellint.rules.change import ChangeContext, ChangeRule


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
        diff = diff_datasets(base, head, DiffOptions(max_relabel=self.options.max_fraction))
        # Point at the label file when there is one; a change across several files is dataset-wide.
        location = Location(path=head.files[0].path) if len(head.files) == 1 else Location()
        for problem in diff.problems:
            if problem["code"] == self.code:
                yield Finding(problem["message"], location=location, identity="mass-relabel")
