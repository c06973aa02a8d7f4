"""Times `migrate`'s box-table and KITTI writers against the floor: reading the same bytes as plainly.

A generated box table (`--rows` rows: filename,width,height,class,xmin,ymin,xmax,ymax, 20 classes,
unquoted as TF Object Detection writes it) and a generated KITTI `label_2/` (`--files` files of 1-12
object lines, some DontCare). Fresh processes of: the floor (the table: bytes -> UTF-8 ->
`csv.reader` rows; KITTI: each file's bytes -> UTF-8 -> `str.split` of every line), the reader `check`
uses, and the writer's migration of 3 of the 20 classes in memory (no file written). Ratios are to
the floor, wall and CPU.
"""

# .venv/bin/python benchmarks/bench_migrate_tables.py [--rows 200000] [--files 7000] [--runs 3]

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

CLASSES = [f"class_{k:02d}" for k in range(20)]
PLAN = 'Migration(None, None, [], relabel={"class_00": "merged", "class_01": "merged", "class_02": "renamed"})'

TABLE_FLOOR = """import csv, io, sys
rows = list(csv.reader(io.StringIO(open(sys.argv[1], 'rb').read().decode('utf-8-sig'), newline='')))
assert len(rows) > 1
"""
KITTI_FLOOR = """import sys
from pathlib import Path
paths = sorted(Path(sys.argv[1]).rglob('*.txt'))
fields = [line.split() for p in paths for line in p.read_bytes().decode('utf-8').splitlines()]
assert fields
"""
READ = """import sys
from pathlib import Path
from labellint.readers import {module}
from labellint.readers.base import ReadContext
paths = sorted(Path(sys.argv[1]).rglob('*.txt')) if Path(sys.argv[1]).is_dir() else [Path(sys.argv[1])]
context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)
dataset = {module}.{cls}().read(paths, context)
assert dataset.n_annotations > 0 and not dataset.issues, dataset.issues[:3]
"""
WRITE = f"""import sys
from pathlib import Path
from labellint.spec.migration import Migration
from labellint.writers import writer_for
from labellint.writers.base import WriteContext
paths = sorted(Path(sys.argv[1]).rglob('*.txt')) if Path(sys.argv[1]).is_dir() else [Path(sys.argv[1])]
context = WriteContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)
edits = writer_for(sys.argv[2]).migrate(paths, {PLAN}, context)
assert sum(e.relabelled for e in edits) > 0
"""


def box_table(path: Path, rows: int, rng: random.Random) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["filename", "width", "height", "class", "xmin", "ymin", "xmax", "ymax"])
        for k in range(rows):
            x, y = rng.randint(0, 500), rng.randint(0, 300)
            box = [x, y, x + rng.randint(5, 120), y + rng.randint(5, 120)]
            writer.writerow([f"img_{k // 4:06d}.jpg", 640, 480, rng.choice(CLASSES), *box])


def kitti(folder: Path, files: int, rng: random.Random) -> None:
    labels = folder / "label_2"
    labels.mkdir(parents=True)
    for k in range(files):
        lines = []
        for _ in range(rng.randint(1, 12)):
            kind = "DontCare" if rng.random() < 0.1 else rng.choice(CLASSES)
            x, y = rng.uniform(0, 1000), rng.uniform(0, 300)
            box = f"{x:.2f} {y:.2f} {x + rng.uniform(5, 200):.2f} {y + rng.uniform(5, 100):.2f}"
            lines.append(f"{kind} 0.00 0 -1.57 {box} 1.50 1.60 3.90 1.84 1.47 8.41 0.01\n")
        (labels / f"{k:06d}.txt").write_text("".join(lines))


def report(title: str, floor_code: str, steps: list[tuple[str, list[str]]], target: str, runs: int) -> None:
    floor = measure([sys.executable, "-c", floor_code, target], runs)
    print(f"\n{title}; best of {runs} fresh processes")
    print("| step | wall s | CPU s | wall / floor | CPU / floor |\n| --- | ---: | ---: | ---: | ---: |")
    print(f"| floor | {floor['best']:.2f} | {floor['cpu']:.2f} | 1.00 | 1.00 |")
    for name, cmd in steps:
        r = measure([sys.executable, "-c", *cmd[:1], target, *cmd[1:]], runs)
        wall, cpu = r["best"] / floor["best"], r["cpu"] / floor["cpu"]
        print(f"| {name} | {r['best']:.2f} | {r['cpu']:.2f} | {wall:.2f} | {cpu:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=7_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as folder:
        table = Path(folder) / "boxes.csv"
        box_table(table, args.rows, rng)
        size = table.stat().st_size / 2**20
        read = READ.format(module="box_tables", cls="BoxTableReader")
        steps = [("BoxTableReader.read (check)", [read]), ("BoxTableWriter.migrate", [WRITE, "box_csv"])]
        report(f"box table: {args.rows} rows, {size:.1f} MiB", TABLE_FLOOR, steps, str(table), args.runs)
        kitti(Path(folder) / "kitti", args.files, rng)
        read = READ.format(module="kitti", cls="KittiReader")
        steps = [("KittiReader.read (check)", [read]), ("KittiWriter.migrate", [WRITE, "kitti"])]
        report(f"KITTI: {args.files} files", KITTI_FLOOR, steps, str(Path(folder) / "kitti"), args.runs)


if __name__ == "__main__":
    main()
