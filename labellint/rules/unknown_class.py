"""LL101 unknown-class: a label the spec does not define."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from labellint.rules._classes import first_use_per_file, spec_name_per_class
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class UnknownClass(Rule):
    """A label the spec does not define (reported once per class and file, at its first use)."""

    code = "LL101"
    name = "unknown-class"
    scope = Scope.DATASET
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds, spec = context.dataset, context.spec
        resolved = spec_name_per_class(context)
        for (cls, _file), (first, count) in sorted(first_use_per_file(context).items(), key=lambda kv: kv[1][0]):
            if resolved[cls] is not None:
                continue
            name = ds.classes[cls].name
            hint = difflib.get_close_matches(name, list(spec.classes), n=1, cutoff=0.6)
            uses = f" ({count} annotations in this file)" if count > 1 else ""
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            yield Finding(
                f"class {name!r} is not defined in the spec{uses}{suggestion}",
                # Shown at the first use, but identified by the class alone: which annotation comes
                # first changes when records are reordered, and the fingerprint must not.
                location=ds.annotation_location(first),
                identity=f"class:{name}",
            )
