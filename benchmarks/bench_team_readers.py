"""Times the team-format readers (CVAT, box CSV, image CSV, CoNLL, KITTI) against the cheapest parse.

Each file case generates one file of `--annotations` records (CVAT boxes, box-CSV rows, image-CSV
rows, CoNLL tokens), then runs, one fresh process per run, the labellint reader alone (`Reader.read`,
no rules) and the floor: the cheapest full parse of the same bytes (`xml.etree.ElementTree.parse`,
`csv.reader`, `str.split` per line). Ratios are reader / floor, wall and CPU.

KITTI is many small files (`label_2/*.txt`, 1-14 object lines each, 10% DontCare), so start-up is
left out: one fresh process per tree reads the folder `--runs` times with the floor (open every
file, bytes -> UTF-8 -> lines -> fields, all numbers to float64 in one numpy conversion) and with
`KittiReader.read` through the work tree source as `check` does, alternated; best CPU of each.
`--base-tree DIR` also runs a second process with DIR (a checkout's root) first on PYTHONPATH.
"""

# .venv/bin/python benchmarks/bench_team_readers.py [--annotations 1000000] [--runs 3] [--only cvat conll]
# .venv/bin/python benchmarks/bench_team_readers.py --only kitti --runs 5 [--base-tree DIR] [--kitti-data DIR]

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

NAMES = ["car", "truck", "pedestrian", "cyclist", "bus", "traffic_light", "sign", "dog"]
TAGS = ["PER", "ORG", "LOC", "MISC"]
# KITTI's object types in about the training set's proportions (Car most), DontCare apart.
KITTI_TYPES = ["Car"] * 20 + ["Pedestrian"] * 3 + ["Van"] * 2 + ["Cyclist", "Truck", "Misc", "Tram", "Person_sitting"]
WORDS = ["the", "a", "of", "said", "company", "city", "team", "market", "new", "year", "Anna", "Oslo", "Reuters"]

READ = """import sys
from pathlib import Path
from labellint.readers import available_readers
from labellint.readers.base import ReadContext
path = Path(sys.argv[2])
context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str)
dataset = available_readers()[sys.argv[1]].read([path], context)
assert dataset.n_annotations > 0 and not dataset.issues, dataset.issues[:3]
"""
FLOORS = {
    "cvat": "import sys, xml.etree.ElementTree as ET\nn = sum(1 for e in ET.parse(sys.argv[1]).getroot().iter('box'))",
    "box_csv": "import csv, sys\nrows = list(csv.reader(open(sys.argv[1], newline='')))",
    "image_csv": "import csv, sys\nrows = list(csv.reader(open(sys.argv[1], newline='')))",
    "conll": "import sys\nrows = [line.split() for line in open(sys.argv[1], encoding='utf-8')]",
}


def cvat(path: Path, n: int, rng: random.Random) -> None:
    """CVAT for images 1.1: images of 10 boxes each, every label declared in <meta>."""
    labels = "".join(f"<label><name>{name}</name><attributes/></label>" for name in NAMES)
    with path.open("w") as out:
        out.write(f"<annotations><version>1.1</version><meta><task><labels>{labels}</labels></task></meta>\n")
        for image in range(0, n // 10):
            out.write(f'<image id="{image}" name="img_{image:07d}.jpg" width="1920" height="1080">\n')
            for _ in range(10):
                x, y = rng.uniform(0, 1700), rng.uniform(0, 900)
                out.write(
                    f'<box label="{rng.choice(NAMES)}" occluded="{rng.randrange(2)}" source="manual" '
                    f'xtl="{x:.2f}" ytl="{y:.2f}" xbr="{x + rng.uniform(5, 200):.2f}" '
                    f'ybr="{y + rng.uniform(5, 170):.2f}" z_order="0"></box>\n'
                )
            out.write("</image>\n")
        out.write("</annotations>\n")


def box_csv(path: Path, n: int, rng: random.Random) -> None:
    """`filename,width,height,class,xmin,ymin,xmax,ymax`, 10 boxes an image."""
    with path.open("w") as out:
        out.write("filename,width,height,class,xmin,ymin,xmax,ymax\n")
        for k in range(n):
            x, y = rng.randrange(0, 1700), rng.randrange(0, 900)
            w, h = rng.randrange(5, 200), rng.randrange(5, 170)
            out.write(f"img_{k // 10:07d}.jpg,1920,1080,{rng.choice(NAMES)},{x},{y},{x + w},{y + h}\n")


def image_csv(path: Path, n: int, rng: random.Random) -> None:
    with path.open("w") as out:
        out.write("filename,label\n")
        out.writelines(f"img_{k:07d}.jpg,{rng.choice(NAMES)}\n" for k in range(n))


def conll(path: Path, n: int, rng: random.Random) -> None:
    """CoNLL-2003 columns (token POS chunk NER), IOB2, sentences of 14 tokens, -DOCSTART- every 20."""
    with path.open("w") as out:
        inside = None
        for k in range(n):
            if k % 280 == 0:
                out.write("-DOCSTART- -X- -X- O\n\n")
            if rng.random() < 0.15:
                inside = rng.choice(TAGS)
                tag = f"B-{inside}"
            elif inside and rng.random() < 0.5:
                tag = f"I-{inside}"
            else:
                inside, tag = None, "O"
            out.write(f"{rng.choice(WORDS)} NN I-NP {tag}\n")
            if k % 14 == 13:
                out.write("\n")
                inside = None


def kitti(root: Path, n: int, rng: random.Random) -> tuple[int, int]:
    """`n` object lines in KITTI's shape: `training/label_2/NNNNNN.txt` of 1-14 lines (7.5 a file),
    10% DontCare (the devkit's -1/-10/-1000 fillers), the rest with the devkit's value ranges on a
    1242x375 image, 2 decimals; returns (files, DontCare lines)."""
    labels = root / "training" / "label_2"
    labels.mkdir(parents=True)
    files = dont_care = written = 0
    while written < n:
        lines = []
        for _ in range(min(rng.randint(1, 14), n - written)):
            x1, y1 = rng.uniform(0, 1150), rng.uniform(100, 300)
            x2, y2 = min(x1 + rng.uniform(8, 300), 1241), min(y1 + rng.uniform(8, 200), 374)
            box = f"{x1:.2f} {y1:.2f} {x2:.2f} {y2:.2f}"
            if rng.random() < 0.1:
                dont_care += 1
                lines.append(f"DontCare -1 -1 -10 {box} -1 -1 -1 -1000 -1000 -1000 -10\n")
                continue
            truncated = 0.0 if rng.random() < 0.8 else rng.uniform(0, 1)
            dims = f"{rng.uniform(1.2, 3.5):.2f} {rng.uniform(0.5, 2.6):.2f} {rng.uniform(0.8, 12):.2f}"
            where = f"{rng.uniform(-40, 40):.2f} {rng.uniform(0.5, 2.5):.2f} {rng.uniform(2, 80):.2f}"
            lines.append(
                f"{rng.choice(KITTI_TYPES)} {truncated:.2f} {rng.randrange(4)} {rng.uniform(-math.pi, math.pi):.2f} "
                f"{box} {dims} {where} {rng.uniform(-math.pi, math.pi):.2f}\n"
            )
        (labels / f"{files:06d}.txt").write_text("".join(lines))
        files += 1
        written += len(lines)
    return files, dont_care


# One process: the floor and the reader over the same files, alternated, best CPU (user + sys) of each.
KITTI_ALTERNATED = """import json, resource, sys
from pathlib import Path
import numpy as np
from labellint.readers.base import ReadContext
from labellint.readers.kitti import KittiReader
from labellint.sources import WorkTree

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

def floor(paths):
    types, numbers = [], []
    for path in paths:
        with open(path, 'rb') as file:
            text = file.read().decode('utf-8')
        for line in text.splitlines():
            cells = line.split()
            types.append(cells[0])
            numbers.extend(cells[1:])
    return types, np.array(numbers, np.float64).reshape(len(types), 14)

def reader(paths):
    source = WorkTree()
    folders = {'is_dir': source.is_dir} if 'is_dir' in ReadContext.__dataclass_fields__ else {}  # a base before it
    context = ReadContext(source.read_bytes, source.is_file, source.display, None, {}, source.reopen, **folders)
    return KittiReader().read(paths, context)

paths = sorted(Path(sys.argv[1]).rglob('*.txt'))
best = {'floor': float('inf'), 'reader': float('inf')}
for _ in range(int(sys.argv[2])):
    for name, run in (('floor', floor), ('reader', reader)):
        start = cpu()
        result = run(paths)
        best[name] = min(best[name], cpu() - start)
        del result
dataset = reader(paths)
assert not dataset.issues, dataset.issues[:3]
best.update(files=len(paths), annotations=dataset.n_annotations)
print(json.dumps(best))
"""


def kitti_alternated(root: Path, runs: int, tree: Path | None) -> dict:
    """The KITTI floor and reader timed in one fresh process (`tree` first on PYTHONPATH, if given)."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
    done = subprocess.run(
        [sys.executable, "-c", KITTI_ALTERNATED, str(root), str(runs)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"KITTI timing with {tree or 'this tree'} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def kitti_case(temp: Path, args: argparse.Namespace) -> None:
    root = args.kitti_data or temp / "kitti"
    if not (root / "training").exists():
        start = time.perf_counter()
        files, dont_care = kitti(root, args.annotations, random.Random(0))
        took = time.perf_counter() - start
        print(f"kitti: generated {files} files ({dont_care} DontCare) in {took:.1f} s", file=sys.stderr)
    trees = [("this tree", None)] + ([("base", args.base_tree)] if args.base_tree else [])
    for _ in range(2 if args.base_tree else 1):  # base and this tree alternated, twice each
        for label, tree in trees:
            r = kitti_alternated(root, args.runs, tree)
            print(
                f"| kitti ({label}) | {r['annotations']} in {r['files']} files | | {r['reader']:.2f} | | "
                f"{r['floor']:.2f} | | {r['reader'] / r['floor']:.2f}x |",
                flush=True,
            )


CASES = {
    "cvat": (cvat, ".xml"),
    "box_csv": (box_csv, ".csv"),
    "image_csv": (image_csv, ".csv"),
    "conll": (conll, ".conll"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=[*sorted(CASES), "kitti"], default=[*sorted(CASES), "kitti"])
    parser.add_argument("--base-tree", type=Path, help="KITTI: also time the reader of this checkout's root")
    parser.add_argument("--kitti-data", type=Path, help="KITTI: folder to generate into once and reuse")
    args = parser.parse_args()
    print("| reader | records | reader best s | reader CPU s | floor best s | floor CPU s | wall ratio | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temp:
        for name in args.only:
            if name == "kitti":
                kitti_case(Path(temp), args)
                continue
            write, suffix = CASES[name]
            path = Path(temp) / f"{name}{suffix}"
            start = time.perf_counter()
            write(path, args.annotations, random.Random(0))
            print(
                f"{name}: generated {path.stat().st_size >> 20} MiB in {time.perf_counter() - start:.1f} s",
                file=sys.stderr,
            )
            ours = measure([sys.executable, "-c", READ, name, str(path)], args.runs)
            floor = measure([sys.executable, "-c", FLOORS[name], str(path)], args.runs)
            print(
                f"| {name} | {args.annotations} | {ours['best']:.2f} | {ours['cpu']:.2f} | {floor['best']:.2f} | "
                f"{floor['cpu']:.2f} | {ours['best'] / floor['best']:.2f}x | {ours['cpu'] / floor['cpu']:.2f}x |",
                flush=True,
            )
            path.unlink()


if __name__ == "__main__":
    main()
