"""Parquet reader vs pyarrow.parquet.read_table on the same file, CPU and wall.

    python benchmarks/bench_parquet.py --rows 10000000 --runs 3 [--only ids paths tokens] [--tokens 1000000]

Three tables: `ids` (an int64 `id` + ClassLabel `label`, what text/tabular sets on the hub hold
beside their features), `paths` (an `image` struct with a file path + `label`, image sets) and
`tokens` (conll2003's layout: string `id`, `tokens` and `ner_tags` of ClassLabel indices, IOB2,
sentences of 10 tokens, `--tokens` tokens in all). For `tokens` a second floor is printed:
`read_table` plus the tokens as Python strings (`to_pylist()`), the least a reader that hands
out Python texts can do.
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
NER = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
WORDS = ["the", "a", "of", "said", "company", "city", "team", "market", "new", "year", "Anna", "Oslo", "Reuters"]
SENTENCE = 10  # tokens a row


def ner_tags(rng: np.random.Generator, n: int) -> np.ndarray:
    """IOB2 tag indices into NER: an entity opens with probability 0.15, continues with 0.5."""
    tags = np.zeros(n, np.int64)
    opens, goes_on, kinds = rng.random(n) < 0.15, rng.random(n) < 0.5, rng.integers(0, 4, n)
    inside = -1
    for k in range(n):
        if k % SENTENCE == 0:
            inside = -1
        if opens[k]:
            inside = int(kinds[k])
            tags[k] = 1 + 2 * inside
        elif inside >= 0 and goes_on[k]:
            tags[k] = 2 + 2 * inside
        else:
            inside = -1
    return tags


def write_tokens(folder: Path, n: int) -> Path:
    rng = np.random.default_rng(0)
    rows = n // SENTENCE
    offsets = pa.array(np.arange(0, rows * SENTENCE + 1, SENTENCE, dtype=np.int32))
    words = pa.array(WORDS).take(pa.array(rng.integers(0, len(WORDS), rows * SENTENCE)))
    table = pa.table(
        {
            "id": pa.array([str(k) for k in range(rows)]),
            "tokens": pa.ListArray.from_arrays(offsets, words),
            "ner_tags": pa.ListArray.from_arrays(offsets, pa.array(ner_tags(rng, rows * SENTENCE))),
        }
    )
    ner = {"feature": {"names": NER, "_type": "ClassLabel"}, "_type": "Sequence"}
    features = {"id": {"dtype": "string", "_type": "Value"}, "ner_tags": ner}
    table = table.replace_schema_metadata({b"huggingface": json.dumps({"info": {"features": features}}).encode()})
    path = folder / "tokens.parquet"
    pq.write_table(table, path)
    return path


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
    parser.add_argument("--tokens", type=int, default=1_000_000, help="tokens in the `tokens` table")
    parser.add_argument("--only", nargs="*", choices=("ids", "paths", "tokens"), default=["ids", "paths", "tokens"])
    args = parser.parse_args()
    context = ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str)
    reader = ParquetReader()
    columns = ["table", "rows", "MiB", "reader wall s", "reader CPU s", "read_table wall s", "read_table CPU s"]
    print("| " + " | ".join([*columns, "wall ratio", "CPU ratio"]) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.only:
            path = write_tokens(Path(tmp), args.tokens) if kind == "tokens" else write(Path(tmp), args.rows, kind)
            rows = pq.read_metadata(path).num_rows
            dataset = reader.read([path], context)
            assert dataset.n_items == rows and not dataset.issues, dataset.issues[:1]
            floors = {kind: lambda p=path: pq.read_table(p)}
            if kind == "tokens":
                floors["tokens as Python strings"] = lambda p=path: pq.read_table(p).column("tokens").to_pylist()
            ours = best(args.runs, lambda p=path: reader.read([p], context))
            size = path.stat().st_size / 2**20
            for name, work in floors.items():
                floor = best(args.runs, work)
                print(
                    f"| {name} | {rows} | {size:.0f} | {ours[0]:.2f} | {ours[1]:.2f} | {floor[0]:.2f} | {floor[1]:.2f}"
                    f" | {ours[0] / floor[0]:.2f}x | {ours[1] / floor[1]:.2f}x |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
