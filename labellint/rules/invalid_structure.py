"""LL002 invalid-structure: the file parses but breaks its format's structure."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules.base import Finding, Rule, RuleContext, Scope
from labellint.rules.unreadable_file import reader_findings


class InvalidStructure(Rule):
    """The file parses, but breaks the format's structure (missing field, wrong type)."""

    code = "LL002"
    name = "invalid-structure"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        yield from reader_findings(context, self.code)
