"""LL307 invalid-tag-sequence: a CoNLL/IOB tag its scheme does not allow where it stands."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from labellint.rules.base import Finding, Rule, RuleContext, Scope


class InvalidTagSequence(Rule):
    """A token tag the file's tagging scheme does not allow after the tag before it (`I-X` after
    `O` or after `B-Y` in IOB2, an unopened or unclosed BIOES entity), reported at the token's line
    (or, in a token table, at the tag's JSON pointer)."""

    code = "LL307"
    name = "invalid-tag-sequence"
    scope = Scope.ANNOTATION

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        for a, fields in sorted(ds.ann_fields.items()):
            fault = fields.get("tag_sequence")
            if not fault:
                continue
            # A line-based file names the token's line, a table (Parquet) the tag's JSON pointer.
            place = {key: fault[key] for key in ("line", "pointer") if key in fault}
            where = dataclasses.replace(ds.annotation_location(a), **place)
            yield Finding(
                f"{fault['message']}; read as part of a {ds.class_name(a)!r} entity",
                location=where,
                identity=f"{ds.annotation_identity(a)}:{fault['message']}",
            )
