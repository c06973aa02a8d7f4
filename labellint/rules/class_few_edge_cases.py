"""LL405 class-few-edge-cases: a spec class with fewer edge-case rules than recommended."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from pydantic import Field

from labellint.problem import Severity
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope
from labellint.spec.model import LabelSpec


class ClassFewEdgeCasesOptions(RuleOptions):
    """How many edge-case rules each class needs."""

    # 5: the low end of the 5-10 edge-case rules per class the labelling practice recommends.
    min_per_class: Annotated[int, Field(ge=0, description="Fewest edge cases that name a class.")] = 5


class ClassFewEdgeCases(Rule):
    """A spec class named by fewer edge cases than the minimum (5 by default; off by default).

    An edge case counts for a class when its `classes` list names the class (or an alias), or,
    when it lists no classes, when its rule text names the class.
    """

    code = "LL405"
    name = "class-few-edge-cases"
    scope = Scope.SPEC
    severity = Severity.WARNING
    todo = True
    needs_spec = True
    # Off by default: five written hard-case rules per class is what a mature spec reaches, not
    # what a new one (or `init`'s scaffold) has; on by default it would warn on every class of
    # nearly every spec. Teams turn it on (extend-select = ["LL405"]) once their spec settles.
    default_enabled = False
    Options = ClassFewEdgeCasesOptions

    def check(self, context: RuleContext) -> Iterator[Finding]:
        minimum = self.options.min_per_class  # type: ignore[attr-defined]
        for name, cases in edge_cases_by_class(context.spec).items():
            if len(cases) < minimum:
                named = f" ({', '.join(cases)})" if cases else ""
                yield Finding(
                    f"class {name!r} has {len(cases)} edge case{'s' if len(cases) != 1 else ''}{named}, "
                    f"fewer than {minimum}",
                    location=spec_location(context, "classes", name),
                    identity=f"class:{name}",
                )


def edge_cases_by_class(spec: LabelSpec) -> dict[str, list[str]]:
    """The ids of the edge cases that concern each spec class, in spec order."""
    found: dict[str, list[str]] = {name: [] for name in spec.classes}
    for case in spec.edge_cases:
        if case.classes:
            names = {spec.resolve_class(written) for written in case.classes}
        else:
            # Whole words only: class `car` is not named by "cargo bike".
            names = {name for name in spec.classes if re.search(rf"\b{re.escape(name)}\b", case.rule, re.IGNORECASE)}
        for name in found:
            if name in names:
                found[name].append(case.id)
    return found
