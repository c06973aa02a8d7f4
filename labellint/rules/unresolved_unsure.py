"""LL104 unresolved-unsure: annotations still marked unsure by the spec's unsure path."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules.base import Finding, Rule, RuleContext, Scope

# Attribute values that mean "not unsure" (a flag that was cleared, not removed).
CLEARED = (None, False, 0, "", "false", "no", "0")


class UnresolvedUnsure(Rule):
    """An annotation still marked unsure (the spec's `unsure.attribute` set, or its
    `unsure.class` used): it must be reviewed and resolved before the labels land."""

    code = "LL104"
    name = "unresolved-unsure"
    scope = Scope.ANNOTATION
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds, unsure = context.dataset, context.spec.unsure
        if unsure is None:
            return
        flagged: dict[int, str] = {}
        if unsure.class_:
            names = np.array([c.name == unsure.class_ for c in ds.classes] + [False], bool)
            for a in np.flatnonzero(names[ds.ann_class]).tolist():
                flagged[a] = f"labelled with the unsure class {unsure.class_!r}"
        if unsure.attribute:
            for a, attributes in ds.ann_attributes.items():
                value = attributes.get(unsure.attribute)
                if not _cleared(value):
                    flagged.setdefault(a, f"{ds.class_name(a)!r} is marked {unsure.attribute}={value!r}")
        for a in sorted(flagged):
            yield Finding(f"{flagged[a]}: resolve it (pick a class or drop it) before merging", annotation=a)


def _cleared(value: object) -> bool:
    return any(value is c or (type(value) is type(c) and value == c) for c in CLEARED)
