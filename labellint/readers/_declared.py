"""Classes a file declares twice (COCO category ids or names, YOLO names): found once, for LL003."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Sequence


def repeats(keys: Sequence[Hashable]) -> Iterator[tuple[int, int]]:
    """(later, first) positions of every key that occurs again, in file order."""
    first: dict[Hashable, int] = {}
    for position, key in enumerate(keys):
        if key in first:
            yield position, first[key]
        else:
            first[key] = position
