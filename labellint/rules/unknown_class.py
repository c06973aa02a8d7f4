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
        by_id = spec.names_by_id()
        for (cls, _file), (first, count) in sorted(first_use_per_file(context).items(), key=lambda kv: kv[1][0]):
            if resolved[cls] is not None:
                continue
            name = ds.classes[cls].name
            uses = f" ({count} annotations in this file)" if count > 1 else ""
            hint = _suggestion(name, ds.classes[cls].source_id, by_id, spec)
            yield Finding(
                f"class {name!r} is not defined in the spec{uses}{hint}",
                # Shown at the first use, but identified by the class alone: which annotation comes
                # first changes when records are reordered, and the fingerprint must not.
                location=ds.annotation_location(first),
                identity=f"class:{name}",
            )


def _suggestion(name: str, source_id, by_id: dict[int, str], spec) -> str:
    """The spec's class with the same id (a rename the spec already made) over a look-alike name;
    a typo of the very class the id names stays a plain did-you-mean."""
    try:
        same_id = by_id.get(int(source_id)) if source_id is not None else None
    except (TypeError, ValueError):
        same_id = None
    hint = difflib.get_close_matches(name, list(spec.classes), n=1, cutoff=0.6)
    if same_id is not None and hint != [same_id]:
        fix = f"relabel, or add {name!r} to its aliases"
        return f"; the spec's class with id {int(source_id)} is {same_id!r} (renamed? {fix})"
    return f"; did you mean {hint[0]!r}?" if hint else ""
