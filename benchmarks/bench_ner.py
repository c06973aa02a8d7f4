"""Generates a JSON Lines NER file with 1M spans and times `labellint check` on it (fresh process per run)."""

# .venv/bin/python benchmarks/bench_ner.py [--spans 1000000] [--runs 3]

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import msgspec
from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

LABELLINT = str(Path(sys.executable).with_name("labellint"))
LABELS = ["PER", "ORG", "LOC", "MISC", "DATE"]
WORDS = [
    "the",
    "a",
    "of",
    "to",
    "in",
    "and",
    "for",
    "on",
    "with",
    "report",
    "said",
    "company",
    "city",
    "team",
    "market",
    "new",
    "first",
    "last",
    "year",
    "week",
]
NAMES = ["Anna", "Berlin", "Siemens", "Oslo", "Reuters", "Maria", "Tokyo", "Apple", "Nile", "Monday", "Lagos", "Lima"]
SPEC = """spec: 1
version: 1.0.0
task: ner
classes:
""" + "".join(f'  {name}: {{definition: "bench class {name}."}}\n' for name in LABELS)


def generate(path: Path, spans: int, per_record: int = 10, seed: int = 0) -> tuple[int, int]:
    """Records of ~40 words with `per_record` spans each (with stated text; ~1% made faulty)."""
    rng = random.Random(seed)
    records = written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < spans:
            words, record_spans, offset = [], [], 0
            for _ in range(40):
                if len(record_spans) < per_record and rng.random() < 0.3:
                    name = rng.choice(NAMES)
                    record_spans.append({"start": offset, "end": offset + len(name), "label": rng.choice(LABELS)})
                    record_spans[-1]["text"] = name
                    word = name
                else:
                    word = rng.choice(WORDS)
                words.append(word)
                offset += len(word) + 1
            if rng.random() < 0.01 and record_spans:  # an off-by-one end: LL304 and LL306 must find it
                record_spans[0]["end"] += 1
            record_spans = record_spans[: spans - written]
            out.write(json.dumps({"text": " ".join(words), "spans": record_spans}) + "\n")
            written += len(record_spans)
            records += 1
    return records, written


def decode_floor(path: Path) -> float:
    """Seconds to decode every line with msgspec (no checks): the practical floor for reading."""
    decoder = msgspec.json.Decoder()
    start = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            decoder.decode(line)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = root / "ner.jsonl"
        records, spans = generate(path, args.spans)
        (root / "labelspec.yaml").write_text(SPEC)
        size = path.stat().st_size / 2**20
        print(f"{path.name}: {records:,} records, {spans:,} spans, {size:.0f} MiB")
        print(f"msgspec decode (floor, in process): {decode_floor(path):.2f} s")
        cmd = [LABELLINT, "check", "--spec", str(root / "labelspec.yaml"), "--statistics", str(path)]
        result = measure(cmd, args.runs, ok=(0, 1))
        print(
            f"labellint check (default rules): best {result['best']:.2f} s, median {result['median']:.2f} s, "
            f"CPU {result['cpu']:.2f} s, peak RSS {result['rss']:.0f} MiB"
        )


if __name__ == "__main__":
    main()
