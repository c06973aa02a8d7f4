"""Times `migrate`'s CSV writer (placing every cell, checking it against the csv module, splicing the
relabelled label cells) against the floor: reading the same table with `csv.reader`.

One generated table (`--rows` rows: id, a text with commas and some quoted newlines, a label of 20
classes, a note), then fresh processes of: the floor (bytes -> UTF-8 -> `csv.reader` rows), the csv
reader `check` uses (`CsvReader.read`), and the writer's migration of 3 of the 20 classes in memory
(`CsvTableWriter.migrate`, no file written). Ratios are to the floor, wall and CPU.
"""

# .venv/bin/python benchmarks/bench_migrate_csv.py [--rows 200000] [--runs 3]

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

CLASSES = [f"class_{k:02d}" for k in range(20)]
WORDS = ["fits", "small", "lovely", "fabric", "colour", "returned", "soft", "great", "but", "tight", "ok"]

FLOOR = """import csv, io, sys
text = open(sys.argv[1], 'rb').read().decode('utf-8-sig')
rows = list(csv.reader(io.StringIO(text, newline='')))
assert len(rows) > 1
"""
READER = """import sys
from pathlib import Path
from labellint.readers.csv_table import CsvReader
from labellint.readers.base import ReadContext
context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)
dataset = CsvReader().read([Path(sys.argv[1])], context)
assert dataset.n_annotations > 0 and not dataset.issues, dataset.issues[:3]
"""
WRITER = """import sys
from pathlib import Path
from labellint.spec.migration import Migration
from labellint.writers import writer_for
from labellint.writers.base import WriteContext
plan = Migration(None, None, [], relabel={"class_00": "merged", "class_01": "merged", "class_02": "renamed"})
context = WriteContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)
[edit] = writer_for("csv").migrate([Path(sys.argv[1])], plan, context)
assert edit.new is not None and edit.relabelled > 0
"""


def table(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "text", "label", "note"])
        for k in range(rows):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40)))
            text = words.replace(" but ", ", but ") + ("\nSecond paragraph." if k % 10 == 0 else "")
            writer.writerow([k, text, rng.choice(CLASSES), rng.choice(["", "checked", "re-labelled, twice"])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        table(path, args.rows, random.Random(0))
        size = path.stat().st_size / 2**20
        floor = measure([sys.executable, "-c", FLOOR, str(path)], args.runs)
        print(f"{args.rows} rows, {size:.1f} MiB; best of {args.runs} fresh processes")
        print("| step | wall s | CPU s | wall / floor | CPU / floor |\n| --- | ---: | ---: | ---: | ---: |")
        print(f"| csv.reader rows (floor) | {floor['best']:.2f} | {floor['cpu']:.2f} | 1.00 | 1.00 |")
        for name, code in (("CsvReader.read (check)", READER), ("CsvTableWriter.migrate", WRITER)):
            r = measure([sys.executable, "-c", code, str(path)], args.runs)
            wall, cpu = r["best"] / floor["best"], r["cpu"] / floor["cpu"]
            print(f"| {name} | {r['best']:.2f} | {r['cpu']:.2f} | {wall:.2f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
