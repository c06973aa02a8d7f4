"""LL404 priority-unknown-class: priority (or another class reference in the spec) names no spec class."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.problem import Severity
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class PriorityUnknownClass(Rule):
    """A class named in `priority`, `edge_cases[].classes` or `allow_overlap` that the spec does not define."""

    code = "LL404"
    name = "priority-unknown-class"
    scope = Scope.SPEC
    severity = Severity.ERROR
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        spec = context.spec
        references: list[tuple[str, tuple[str | int, ...], str]] = []
        for i, group in enumerate(spec.priority):
            references += [(name, ("priority", i, j), "priority") for j, name in enumerate(group)]
        for i, case in enumerate(spec.edge_cases):
            where = f"edge case {case.id!r}"
            references += [(name, ("edge_cases", i, "classes", j), where) for j, name in enumerate(case.classes)]
        owners = [(("geometry",), spec.geometry)]
        owners += [(("classes", name, "geometry"), c.geometry) for name, c in spec.classes.items() if c.geometry]
        for path, geometry in owners:
            for i, pair in enumerate(geometry.allow_overlap or []):
                references += [(name, (*path, "allow_overlap", i, j), "allow_overlap") for j, name in enumerate(pair)]
        for name, path, where in references:
            # The unsure class (`unsure: {class: ...}`) is a real label even when `classes` omits it.
            if spec.resolve_class(name) is None and name != spec.unsure_class():
                yield Finding(
                    f"{where} names class {name!r}, which the spec does not define",
                    location=spec_location(context, *path),
                    identity=f"{'/'.join(map(str, path[:-1]))}|{name}",
                )
