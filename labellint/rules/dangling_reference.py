"""LL004 dangling-reference: an annotation points at an item or category that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules.base import Finding, Rule, RuleContext, Scope


class DanglingReference(Rule):
    """An annotation points at an item or a category that does not exist."""

    code = "LL004"
    name = "dangling-reference"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        for a, raw in sorted(ds.unresolved_item.items()):
            yield Finding(
                f"annotation refers to image id {raw!r}, which is not in this file",
                annotation=a,
                identity="item",
            )
        for a, raw in sorted(ds.unresolved_class.items()):
            reader = ds.files[int(ds.ann_file[a])].reader
            what = "class index" if reader == "yolo" else "category id"
            where = "the class names" if reader == "yolo" else "`categories`"
            yield Finding(
                f"annotation refers to {what} {raw!r}, which is not in {where}",
                annotation=a,
                identity="class",
            )
