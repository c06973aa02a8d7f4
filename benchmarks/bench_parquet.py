"""Parquet reader vs pyarrow.parquet.read_table on the same file (classification rows), CPU and wall.

    python benchmarks/bench_parquet.py --rows 10000000 --runs 3

Two tables: `ids` (an int64 `id` + ClassLabel `label`, what text/tabular sets on the hub hold
beside their features) and `paths` (an `image` struct with a file path + `label`, image sets).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from labellint.readers.base import ReadContext
from labellint.readers.parquet import ParquetReader

NAMES = [f"class_{k}" for k in range(100)]


def write(folder: Path, rows: int, kind: str) -> Path:
    rng = np.random.default_rng(0)
    labels = pa.array(rng.integers(0, len(NAMES), rows), pa.int64())
    if kind == "ids":
        table = pa.table({"id": pa.array(np.arange(rows), pa.int64()), "label": labels})
    else:
        paths = pa.array([f"train/{k:08d}.jpg" for k in range(rows)], pa.string())
        image = pa.StructArray.from_arrays([pa.nulls(rows, pa.binary()), paths], ["bytes", "path"])
        table = pa.table({"image": image, "label": labels})
    features = {"label": {"names": NAMES, "_type": "ClassLabel"}}
    table = table.replace_schema_metadata({b"huggingface": json.dumps({"info": {"features": features}}).encode()})
    path = folder / f"{kind}.parquet"
    pq.write_table(table, path)
    return path


def best(runs: int, work) -> tuple[float, float]:
    """The best wall and best CPU (all threads) seconds over `runs`."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    context = ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str)
    reader = ParquetReader()
    columns = ["table", "rows", "MiB", "reader wall s", "reader CPU s", "read_table wall s", "read_table CPU s"]
    print("| " + " | ".join([*columns, "wall ratio", "CPU ratio"]) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("ids", "paths"):
            path = write(Path(tmp), args.rows, kind)
            dataset = reader.read([path], context)
            assert dataset.n_items == args.rows and not dataset.issues, dataset.issues[:1]
            floor = best(args.runs, lambda p=path: pq.read_table(p))
            ours = best(args.runs, lambda p=path: reader.read([p], context))
            size = path.stat().st_size / 2**20
            print(
                f"| {kind} | {args.rows} | {size:.0f} | {ours[0]:.2f} | {ours[1]:.2f} | {floor[0]:.2f} | {floor[1]:.2f}"
                f" | {ours[0] / floor[0]:.2f}x | {ours[1] / floor[1]:.2f}x |"
            )


if __name__ == "__main__":
    main()
