"""What the repeated-key check (LL002) adds to reading a COCO file, as ratios to msgspec's decode.

.venv/bin/python benchmarks/bench_duplicate_keys.py FILE [FILE ...] [--runs 15]

In one process, best of `--runs` (wall and CPU): msgspec's plain decode (the cheapest read of the
same bytes), the reader's typed decode, the check alone, and `CocoReader.read_one` with and without
the check.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

import labellint.readers.coco as coco
from labellint.readers._jsonkeys import duplicate_keys
from labellint.readers.base import ReadContext


def best(function: Callable[[], object], runs: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def measure(path: Path, runs: int) -> None:
    data = path.read_bytes()
    context = ReadContext(lambda _p: data, lambda _p: True, str)
    reader = coco.CocoReader()
    checked = coco.duplicate_key_issues
    rows = {
        "msgspec.json.decode (floor)": lambda: msgspec.json.decode(data),
        "typed decode (reader's)": lambda: coco._decode(data),
        "repeated-key check alone": lambda: duplicate_keys(data),
        "read_one with the check": lambda: reader.read_one(path, context),
    }
    times = {name: best(function, runs) for name, function in rows.items()}
    coco.duplicate_key_issues = lambda _data, _display: []
    try:
        times["read_one without the check"] = best(lambda: reader.read_one(path, context), runs)
    finally:
        coco.duplicate_key_issues = checked
    floor_wall, floor_cpu = times["msgspec.json.decode (floor)"]
    print(f"\n{path.name}: {len(data) / 1e6:.1f} MB, {data.count(b':'):,} colons")
    print("| step | wall ms | CPU ms | wall / floor | CPU / floor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (wall, cpu) in times.items():
        print(f"| {name} | {wall * 1e3:.1f} | {cpu * 1e3:.1f} | {wall / floor_wall:.2f} | {cpu / floor_cpu:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    for path in args.files:
        measure(path, args.runs)


if __name__ == "__main__":
    main()
