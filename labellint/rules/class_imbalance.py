"""LL302 class-imbalance: a class far rarer than the typical class."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from pydantic import Field

from labellint.problem import Severity
from labellint.rules._class_counts import counts_by_name
from labellint.rules.base import Finding, Rule, RuleContext, RuleOptions, Scope


class Options(RuleOptions):
    min_ratio: float = Field(
        0.1,
        gt=0,
        le=1,
        description="A class with fewer than this fraction of the median class's annotations is reported.",
    )
    min_classes: int = Field(3, ge=2, description="Fewer used classes than this: no median worth comparing to.")


class ClassImbalance(Rule):
    """A class with fewer than `min_ratio` x the median number of annotations per used class.

    The median, not the largest class, is the yardstick: one dominant class (people in street
    scenes) would otherwise make every other class look rare. Classes with no annotations are
    LL301's; unknown classes LL101's.
    """

    code = "LL302"
    name = "class-imbalance"
    scope = Scope.DATASET
    # A property of the dataset to act on (collect more, re-weight), not a wrong label.
    severity = Severity.WARNING
    Options = Options

    def check(self, context: RuleContext) -> Iterator[Finding]:
        options: Options = self.options  # type: ignore[assignment]
        counts, firsts = counts_by_name(context)
        # The spec's unsure class is a review queue, not a class to learn: it should stay small.
        unsure = context.spec.unsure_class() if context.spec is not None else None
        used = {name: count for name, count in counts.items() if count > 0 and name != unsure}
        if len(used) < options.min_classes:
            return
        median = float(np.median(list(used.values())))
        limit = options.min_ratio * median
        for name, count in sorted(used.items(), key=lambda kv: (kv[1], kv[0])):
            if count < limit:
                yield Finding(
                    f"class {name!r} has {count} annotation{'' if count == 1 else 's'}, "
                    f"{count / median:.2g}x the median class ({median:g}; limit {options.min_ratio:g}x)",
                    # Shown at the class's first annotation, but identified by the class alone so
                    # the fingerprint survives reordering the file.
                    location=context.dataset.annotation_location(firsts[name]),
                    identity=f"class:{name}",
                )
