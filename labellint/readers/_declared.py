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


def repeated_names(names: dict[int, str]) -> Iterator[tuple[int, str]]:
    """(index, message) for every index of a names table (a YOLO names file or `names` option)
    whose name an earlier index already has: two classes under one name."""
    indexes = list(names)
    for later, first in repeats(list(names.values())):
        index = indexes[later]
        message = (
            f"class name {names[index]!r} is given to index {index} again "
            f"(first to index {indexes[first]}): two classes under one name"
        )
        yield index, message
