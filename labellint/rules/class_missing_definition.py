"""LL401 class-missing-definition: a spec class without a definition."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.problem import Severity
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class ClassMissingDefinition(Rule):
    """A spec class without a `definition` (or with a blank one)."""

    code = "LL401"
    name = "class-missing-definition"
    scope = Scope.SPEC
    severity = Severity.WARNING
    todo = True
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        for name, spec in context.spec.classes.items():
            if not (spec.definition or "").strip():
                yield Finding(
                    f"class {name!r} has no definition: annotators cannot tell what belongs in it",
                    location=spec_location(context, "classes", name),
                    identity=f"class:{name}",
                )
