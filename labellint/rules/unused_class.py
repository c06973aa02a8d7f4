"""LL301 unused-class: a class of the spec that no annotation uses."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.problem import Severity
from labellint.rules._class_counts import counts_by_name
from labellint.rules._spec import spec_location
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class UnusedClass(Rule):
    """A spec class with no annotations in the checked labels (reported at the class in the spec)."""

    code = "LL301"
    name = "unused-class"
    scope = Scope.DATASET
    # A warning: a shard or a new class legitimately has none yet, but a class that stays empty
    # has nothing to learn from.
    severity = Severity.WARNING
    needs_spec = True
    # Off by default: checking one file or one shard (pre-commit, --changed-paths) would report
    # every class that file happens to lack. Turn it on for whole-dataset runs (--extend-select LL301).
    default_enabled = False

    def check(self, context: RuleContext) -> Iterator[Finding]:
        counts, _ = counts_by_name(context)
        total = sum(counts.values())
        for name, count in counts.items():
            if count == 0:
                yield Finding(
                    f"class {name!r} has no annotations in the {total} checked annotations",
                    location=spec_location(context, "classes", name),
                    identity=f"class:{name}",
                )
