"""LL001 unreadable-file: the file cannot be parsed (syntax, encoding)."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules.base import Finding, Rule, RuleContext, Scope


class UnreadableFile(Rule):
    """The file cannot be parsed (syntax error, wrong encoding, empty)."""

    code = "LL001"
    name = "unreadable-file"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        yield from reader_findings(context, self.code)


def reader_findings(context: RuleContext, code: str) -> Iterator[Finding]:
    """The issues readers recorded under `code`, as findings."""
    for issue in context.dataset.issues:
        if issue.code == code:
            yield Finding(issue.message, location=issue.location, identity=issue.identity)
