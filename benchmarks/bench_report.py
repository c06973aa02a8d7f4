"""Times `labellint report` (check + HTML page) against `labellint check` on the generated COCO files."""

# .venv/bin/python benchmarks/bench_report.py [--sizes 1m] [--runs 3] [--no-images]
# Uses run.py's generated files (made on first use). The label file is linked into a temporary folder
# whose images/ holds a made JPEG (Pillow, the size the file says) for every image a problem names, so
# the gallery decodes and thumbnails real image files; --no-images draws on blank canvases instead.
# The images are uniform noise, the worst case for JPEG: their thumbnails are larger than a photo's,
# so the page size measured here is an upper bound for 200 drawn items.
# Both commands run on that same folder (LL303 looks for the same images in both).

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import msgspec

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import DATA, DEFECTS, LABELLINT, PY, SIZES, dataset, machine, measure  # noqa: E402

TARGET_RATIO = 1.5  # report at most 1.5x check (issue 16)
TARGET_BYTES = 10_000_000


class _Image(msgspec.Struct):
    id: int
    file_name: str
    width: int
    height: int


class _Images(msgspec.Struct):
    images: list[_Image]


def make_images(labels: Path, folder: Path, check: list[str]) -> int:
    """A JPEG of uniform noise for every image a problem of `check` names."""
    import numpy as np
    from PIL import Image

    out = folder / "problems.json"
    subprocess.run([*check[:-1], str(out)], capture_output=True, check=False)
    named = {p["item"] for p in json.loads(out.read_text())["problems"] if p.get("item")}
    images = {str(i.id): i for i in msgspec.json.decode(labels.read_bytes(), type=_Images).images}
    (folder / "images").mkdir(exist_ok=True)
    made = 0
    rng = np.random.default_rng(0)
    for item in sorted(named):
        image = images.get(item)
        if image is None:
            continue
        pixels = rng.integers(0, 256, (image.height, image.width, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / "images" / image.file_name, quality=85)
        made += 1
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", nargs="+", default=["1m"], choices=list(SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-images", action="store_true")
    args = parser.parse_args()
    spec = str(DATA / "labelspec.yaml")
    lines = [
        f"Run: `{' '.join(sys.argv)}` (best wall of {args.runs} fresh processes, best user+sys CPU, peak RSS)",
        "",
        *machine(),
        "",
        "| size | command | best s | median s | CPU s | peak RSS MiB | / check (wall) | / check (CPU) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    targets = []
    for tag in args.sizes:
        source = dataset(tag, DEFECTS)
        # A hard link, not a symlink: labellint looks for images beside the link's target.
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            folder = Path(tmp)
            labels = folder / source.name
            os.link(source, labels)
            check = [LABELLINT, "check", str(labels), "--spec", spec, "--format", "json", "-o", "/dev/null"]
            made = 0 if args.no_images else make_images(source, folder, check)
            subprocess.run(check, capture_output=True, check=False)  # LL303's image hashes, cached for both
            page = folder / "report.html"
            report = [LABELLINT, "report", str(labels), "--spec", spec, "-o", str(page)]
            floor = [PY, str(HERE / "ref_msgspec.py"), str(source)]
            results = {}
            for name, cmd, ok in (("check", check, (1,)), ("report", report, (0,)), ("msgspec decode", floor, (0,))):
                print(f"{tag}: {name} ...", file=sys.stderr, flush=True)
                results[name] = measure(cmd, args.runs, ok)
            size = page.stat().st_size
            embedded = page.read_text().count("data:image/jpeg;base64,")
        base = results["check"]
        for name, r in results.items():
            cells = [tag, f"labellint {name}" if name != "msgspec decode" else name]
            cells += [f"{r['best']:.2f}", f"{r['median']:.2f}", f"{r['cpu']:.2f}", f"{r['rss']:.0f}"]
            cells += [f"{r['best'] / base['best']:.2f}x", f"{r['cpu'] / base['cpu']:.2f}x"]
            lines.append("| " + " | ".join(cells) + " |")
        wall = results["report"]["best"] / base["best"]
        cpu = results["report"]["cpu"] / base["cpu"]
        targets.append((f"report <= {TARGET_RATIO}x check ({tag})", f"{wall:.2f}x (CPU {cpu:.2f}x)", wall <= 1.5))
        drawn = f"{size / 1e6:.2f} MB, {embedded} thumbnails of {made} images made"
        targets.append((f"page < 10 MB ({tag})", drawn, size < TARGET_BYTES))
    lines += ["", "| target (issue 16) | measured | result |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {'PASS' if ok else 'FAIL'} |" for name, value, ok in targets]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
