"""LL403 spec-no-unsure-path: the spec gives annotators no safe path for ambiguous samples."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.problem import Severity
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class SpecNoUnsurePath(Rule):
    """The spec has no `unsure` section (an attribute or class that routes a sample to review)."""

    code = "LL403"
    name = "spec-no-unsure-path"
    scope = Scope.SPEC
    severity = Severity.WARNING
    todo = True
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        if context.spec.unsure is None:
            yield Finding(
                "the spec has no `unsure` path: annotators must guess on ambiguous samples",
                location=spec_location(context, "classes"),
                identity="unsure",
            )
