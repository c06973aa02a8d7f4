"""Times `labellint check` on a CVAT file with turned boxes (the geometry rules and LL303) against the floor.

One CVAT for images 1.1 file of `--annotations` boxes (10 an image, seed 0; every `--every`-th box
turned by a random angle) and a spec with `min_width` and `aspect_ratio`, so LL201, LL203 and LL204
all have work; one fresh process per run of `labellint check`, and of the floor, the cheapest full
parse of the same bytes (`ElementTree.parse` and iterating the boxes). Ratios are check / floor,
wall and CPU. Set PYTHONPATH to another checkout to time that one on the same file.
"""

# .venv/bin/python benchmarks/bench_rotated_check.py [--annotations 200000] [--every 10] [--runs 3] [--keep DIR]

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

from bench_team_readers import FLOORS, NAMES
from run import measure  # this folder's harness: fresh processes, wall/CPU/RSS

SPEC = """spec: 1
name: bench
version: 1.0.0
task: detection
classes:
""" + "".join(
    f"  {name}:\n    id: {k + 1}\n    definition: A {name}.\n    geometry: {{min_width: 8, aspect_ratio: [0.1, 10]}}\n"
    for k, name in enumerate(NAMES)
)


def cvat(path: Path, n: int, every: int, rng: random.Random) -> None:
    """Images of 10 boxes each, every label declared; every `every`-th box turned."""
    labels = "".join(f"<label><name>{name}</name><attributes/></label>" for name in NAMES)
    with path.open("w") as out:
        out.write(f"<annotations><version>1.1</version><meta><task><labels>{labels}</labels></task></meta>\n")
        for image in range(n // 10):
            out.write(f'<image id="{image}" name="img_{image:07d}.jpg" width="1920" height="1080">\n')
            for k in range(10):
                x, y = rng.uniform(0, 1700), rng.uniform(0, 900)
                turned = f' rotation="{rng.uniform(0, 360):.1f}"' if (image * 10 + k) % every == 0 else ""
                out.write(
                    f'<box label="{rng.choice(NAMES)}" occluded="0" source="manual" xtl="{x:.2f}" ytl="{y:.2f}" '
                    f'xbr="{x + rng.uniform(5, 200):.2f}" ybr="{y + rng.uniform(5, 170):.2f}" z_order="0"{turned}>'
                    "</box>\n"
                )
            out.write("</image>\n")
        out.write("</annotations>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=200_000)
    parser.add_argument("--every", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the file and spec here (kept) instead of a temp folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = args.keep or Path(temp)
        folder.mkdir(parents=True, exist_ok=True)
        path, spec = folder / "annotations.xml", folder / "labelspec.yaml"
        cvat(path, args.annotations, args.every, random.Random(0))
        spec.write_text(SPEC)
        check = [sys.executable, "-m", "labellint", "--isolated", "check", "--spec", str(spec), "--quiet", str(path)]
        ours = measure(check, args.runs, ok=(0, 1))
        floor = measure([sys.executable, "-c", FLOORS["cvat"], str(path)], args.runs)
    print("| case | boxes | check best s | check CPU s | floor best s | floor CPU s | wall ratio | CPU ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| cvat, 1 in {args.every} turned | {args.annotations} | {ours['best']:.2f} | {ours['cpu']:.2f} | "
        f"{floor['best']:.2f} | {floor['cpu']:.2f} | {ours['best'] / floor['best']:.2f}x | "
        f"{ours['cpu'] / floor['cpu']:.2f}x |"
    )


if __name__ == "__main__":
    main()
