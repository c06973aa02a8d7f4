"""Peak memory of the COCO reader alone, printed between its steps (peak ru_maxrss and resident MiB)."""

# python benchmarks/profile_coco_read.py FILE

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from labellint.readers import _coco_stream
from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader


def memory(step: str) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    with open("/proc/self/statm") as statm:
        resident = int(statm.read().split()[1]) * resource.getpagesize() // 2**20
    print(f"{step}: peak {peak} MiB, resident {resident} MiB", flush=True)


def main() -> None:
    bounds, fill = _coco_stream._chunk_bounds, _coco_stream._Columns.fill

    def bounds_then_memory(view):
        found = bounds(view)
        memory("head decoded, its repeated keys searched, chunks bounded")
        return found

    def memory_then_fill(self, dataset):
        memory("every chunk decoded into the columns")
        fill(self, dataset)

    _coco_stream._chunk_bounds = bounds_then_memory
    _coco_stream._Columns.fill = memory_then_fill
    context = ReadContext(read_bytes=lambda p: p.read_bytes(), is_file=lambda p: p.is_file(), display=str)
    start = time.process_time()
    dataset = CocoReader().read_one(Path(sys.argv[1]), context)
    memory(f"read_one returned ({dataset.n_annotations} annotations, {time.process_time() - start:.2f} s CPU)")


if __name__ == "__main__":
    main()
