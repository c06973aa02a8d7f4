"""Times the team-format readers (CVAT, box CSV, image CSV, CoNLL) against the standard library's parse.

Each case generates one file of `--annotations` records (CVAT boxes, box-CSV rows, image-CSV rows,
CoNLL tokens), then runs, one fresh process per run, the labellint reader alone (`Reader.read`, no
rules) and the floor: the cheapest full parse of the same bytes (`xml.etree.ElementTree.parse`,
`csv.reader`, `str.split` per line). Ratios are reader / floor, wall and CPU.
"""

# .venv/bin/python benchmarks/bench_team_readers.py [--annotations 1000000] [--runs 3] [--only cvat conll]

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

NAMES = ["car", "truck", "pedestrian", "cyclist", "bus", "traffic_light", "sign", "dog"]
TAGS = ["PER", "ORG", "LOC", "MISC"]
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
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), default=sorted(CASES))
    args = parser.parse_args()
    print("| reader | records | reader best s | reader CPU s | floor best s | floor CPU s | wall ratio | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as temp:
        for name in args.only:
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
