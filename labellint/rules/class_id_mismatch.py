"""LL102 class-id-mismatch: a class id that differs from the spec's id for that name."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules._classes import first_use_per_file, spec_name_per_class
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class ClassIdMismatch(Rule):
    """A class id in the labels differs from the spec's id for that class name."""

    code = "LL102"
    name = "class-id-mismatch"
    scope = Scope.DATASET
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds, spec = context.dataset, context.spec
        resolved = spec_name_per_class(context)
        for (cls, _file), (first, count) in sorted(first_use_per_file(context).items(), key=lambda kv: kv[1][0]):
            ref, name = ds.classes[cls], resolved[cls]
            if name is None or name not in spec.classes or ref.source_id is None:
                continue
            expected = spec.classes[name].id
            if expected is None or str(ref.source_id) == str(expected):
                continue
            uses = f" ({count} annotations in this file)" if count > 1 else ""
            yield Finding(
                f"class {ref.name!r} has id {ref.source_id} here but {expected} in the spec{uses}",
                annotation=first,
                identity=f"class:{ref.name}:{ref.source_id}",
            )
