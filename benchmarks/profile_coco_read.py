"""Peak memory of the COCO reader alone, printed between its steps (peak ru_maxrss and resident MiB)."""

# python benchmarks/profile_coco_read.py FILE [--read]   (--read: the file read into bytes, not mapped)

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from labellint.readers import _coco_stream
from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader
from labellint.sources import WorkTree


def memory(step: str) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    with open("/proc/self/statm") as statm:
        fields = statm.read().split()
    resident, shared = (int(fields[k]) * resource.getpagesize() // 2**20 for k in (1, 2))
    # ru_maxrss is the high-water mark of the resident set, file-backed (mapped) pages included.
    print(f"{step}: peak {peak} MiB, resident {resident} MiB (of which file-backed {shared} MiB)", flush=True)


def main() -> None:
    head_repeats, fill = _coco_stream._head_repeats, _coco_stream._Columns.fill

    def memory_then_head_repeats(*args):
        memory("head decoded")
        found = head_repeats(*args)
        memory("head's repeated keys searched")
        return found

    def memory_then_fill(self, dataset):
        memory("every chunk decoded into the columns")
        fill(self, dataset)

    _coco_stream._head_repeats = memory_then_head_repeats
    _coco_stream._Columns.fill = memory_then_fill
    mapped = None if "--read" in sys.argv[2:] else WorkTree().mapped
    context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str, map_file=mapped)
    start = time.process_time()
    dataset = CocoReader().read_one(Path(sys.argv[1]), context)
    memory(f"read_one returned ({dataset.n_annotations} annotations, {time.process_time() - start:.2f} s CPU)")


if __name__ == "__main__":
    main()
