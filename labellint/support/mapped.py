"""A large file mapped read-only, whose pages leave the process's resident set once they are read."""

from __future__ import annotations

import mmap
import os
import stat
from pathlib import Path

# Smaller files are read into bytes: mapping pays only when a file is a large part of the memory.
MAP_MIN_BYTES = 64 * 1024 * 1024
_PAGE = mmap.PAGESIZE


def map_file(path: Path, min_size: int = MAP_MIN_BYTES) -> mmap.mmap | None:
    """`path` mapped read-only when it is a regular file of at least `min_size` bytes, else None
    (the caller reads it the usual way, and that read names any error)."""
    try:
        status = os.stat(path)  # before opening: opening a FIFO would wait for a writer
        if not stat.S_ISREG(status.st_mode) or status.st_size < min_size:
            return None
        with open(path, "rb") as file:
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None


def release(buffer: object, start: int, stop: int) -> None:
    """Drops the pages holding `buffer[start:stop]` (read and done with), except the one `stop` falls
    in (its rest may still be read), from the resident set when `buffer` is a map (a no-op for bytes).
    The pages are clean copies of the file: the kernel keeps them in its page cache while it has
    room, and reading them again maps them back with the same bytes. They would otherwise count in
    the process's RSS (and ru_maxrss) until the map is closed."""
    if not isinstance(buffer, mmap.mmap) or not hasattr(buffer, "madvise"):
        return
    first = start // _PAGE * _PAGE
    last = stop // _PAGE * _PAGE if stop < len(buffer) else len(buffer)
    if last > first:
        buffer.madvise(mmap.MADV_DONTNEED, first, last - first)
