"""Large files mapped read-only: the same bytes as a read, pages released without changing them."""

from __future__ import annotations

import os

import pytest

from labellint.sources import WorkTree
from labellint.support.mapped import map_file, release


def test_a_map_holds_the_files_bytes_before_and_after_its_pages_are_released(tmp_path):
    path = tmp_path / "big.json"
    data = bytes(range(256)) * 40_000  # 10 MB, many pages
    path.write_bytes(data)
    mapped = map_file(path, min_size=0)
    assert mapped is not None and mapped[:] == data
    release(mapped, 0, len(mapped))
    release(mapped, 5_000, 3_000_001)
    assert mapped[:] == data  # read again from the file, the same bytes
    release(data, 0, len(data))  # bytes: nothing to release


def test_small_files_folders_and_missing_files_are_not_mapped(tmp_path):
    small = tmp_path / "small.json"
    small.write_bytes(b"{}")
    assert map_file(small) is None and WorkTree(tmp_path).mapped(small) is None
    assert map_file(tmp_path, min_size=0) is None
    assert map_file(tmp_path / "absent.json", min_size=0) is None
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    assert map_file(empty, min_size=0) is None  # an empty file cannot be mapped: read as bytes


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    assert map_file(fifo, min_size=0) is None  # returns at once: nothing waits for a writer
