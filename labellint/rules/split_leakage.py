"""LL703 split-leakage: the same image file in two splits (train and test) named in the config."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules._media import resolve_images
from labellint.rules.base import Finding, Rule, RuleContext, Scope


class SplitLeakage(Rule):
    """The same image bytes are labelled in two splits of the dataset (e.g. train and test), so a
    model is evaluated on images it was trained on.

    Splits are the `split` the config gives each dataset; images are compared by a hash of their
    bytes (cached beside the labels). One problem per image and later split, on its first item there."""

    code = "LL703"
    name = "split-leakage"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        if len(set(context.splits.values())) < 2:
            return
        ds = context.dataset
        resolved = resolve_images(context)
        order = list(dict.fromkeys(context.splits.values()))
        first_seen: dict[str, dict[str, int]] = {}  # digest -> split -> its first item
        for item, found in enumerate(resolved.found):
            split = context.splits.get(ds.files[int(ds.item_file[item])].path)
            if found is None or split is None:
                continue
            seen = first_seen.setdefault(resolved.files[item].digest(found), {})
            seen.setdefault(split, item)
        for files in {id(f): f for f in resolved.files if f is not None}.values():
            files.save()
        for seen in first_seen.values():
            if len(seen) < 2:
                continue
            splits = sorted(seen, key=order.index)
            first = seen[splits[0]]
            where = ds.item_location(first)
            for split in splits[1:]:
                yield Finding(
                    f"same image bytes as {ds.item_names[first]!r} in split {splits[0]!r} ({where.path}): "
                    f"an image in both {splits[0]!r} and {split!r} leaks the split",
                    item=seen[split],
                    identity=splits[0],
                )
