"""Times `labellint diff` of two versions of a large COCO file against one msgspec decode of it."""

# .venv/bin/python benchmarks/bench_diff.py [--base benchmarks/data/coco_1m.json] [--runs 3]
# The head versions are derived from the base (seeded) and cached next to it:
#   edit:  2% of boxes moved, 1% relabelled, 1% removed, 1% added; ids kept (a typical commit)
#   reid:  the same edits, then every annotation id reassigned and the file shuffled (as TACO v2 did)

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import msgspec
import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from ref_msgspec import decoder  # noqa: E402


class Annotation(msgspec.Struct, gc=False, omit_defaults=True):
    id: int
    image_id: int
    category_id: int
    bbox: list[float]
    segmentation: msgspec.Raw = msgspec.Raw(b"[]")
    area: float = 0.0
    iscrowd: int = 0


class Coco(msgspec.Struct, gc=False):
    images: list[msgspec.Raw]
    annotations: list[Annotation]
    categories: list[dict]


def make_head(base: Path, out: Path, reassign_ids: bool, seed: int = 7) -> dict[str, int]:
    """A second version of `base` with known edits; returns how many of each were made."""
    rng = np.random.default_rng(seed)
    document = msgspec.json.decode(base.read_bytes(), type=Coco)
    anns = document.annotations
    n = len(anns)
    pick = rng.permutation(n)
    moved, relabelled, removed = np.split(pick[: n // 50 + n // 100 + n // 100], [n // 50, n // 50 + n // 100])
    category_ids = [c["id"] for c in document.categories]
    for k in moved.tolist():
        x, y, w, h = anns[k].bbox
        anns[k].bbox = [x + float(rng.integers(2, 6)), y, w, h]
    for k in relabelled.tolist():
        current = anns[k].category_id
        anns[k].category_id = next(c for c in rng.permutation(category_ids).tolist() if c != current)
    gone = set(removed.tolist())
    kept = [a for k, a in enumerate(anns) if k not in gone]
    next_id = max(a.id for a in anns) + 1
    added = []
    for k in rng.choice(n, n // 100, replace=False).tolist():
        source = anns[k]
        x, y, w, h = source.bbox
        added.append(Annotation(next_id, source.image_id, source.category_id, [x + w / 2 + 1000, y, w / 2, h / 2]))
        next_id += 1
    anns = kept + added
    if reassign_ids:
        order = rng.permutation(len(anns))
        anns = [anns[k] for k in order.tolist()]
        for new_id, ann in zip(rng.permutation(len(anns)).tolist(), anns, strict=True):
            ann.id = new_id + 1
    document.annotations = anns
    out.write_bytes(msgspec.json.encode(document))
    return {"moved": len(moved), "relabeled": len(relabelled), "removed": len(removed), "added": len(added)}


def best(values: list[float]) -> str:
    return f"best {min(values):.2f} s, median {statistics.median(values):.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", type=Path, default=HERE / "data" / "coco_1m.json")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.base.is_file():
        sys.exit(f"{args.base} not found: run benchmarks/generate_coco.py --annotations 1000000 --out {args.base}")

    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.diff import diff_datasets
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    heads = {}
    for scenario, reassign in (("edit", False), ("reid", True)):
        path = args.base.with_name(f"{args.base.stem}_head_{scenario}.json")
        record = path.with_suffix(".edits.json")
        if path.is_file() and record.is_file() and path.stat().st_mtime > args.base.stat().st_mtime:
            made = msgspec.json.decode(record.read_bytes())
        else:
            made = make_head(args.base, path, reassign)
            record.write_bytes(msgspec.json.encode(made))
        heads[scenario] = (path, made)

    data = args.base.read_bytes()
    decode_full, decode_raw = decoder(False), decoder(True)

    def decode_time(which) -> float:
        gc.collect()
        start = time.perf_counter()
        which.decode(data)
        return time.perf_counter() - start

    floor_raw = [decode_time(decode_raw) for _ in range(args.runs)]
    print(f"{args.base.name}: {args.base.stat().st_size / 1e6:.0f} MB")
    print(f"msgspec decode (typed, polygons raw, like labellint's reader): {best(floor_raw)}")

    def read(path: Path):
        return read_dataset(LabelSelection(paths=[str(path)]), Config(), None, WorkTree())[0]

    for scenario, (path, made) in heads.items():
        floors, reads, diffs, totals, ratios = [], [], [], [], []
        for _ in range(args.runs):
            # The reference is timed right before each diff: on a shared machine load drifts, and
            # the ratio of neighbouring measurements is steadier than the ratio of two best times.
            floors.append(decode_time(decode_full))
            gc.collect()
            start = time.perf_counter()
            base, head = read(args.base), read(path)
            middle = time.perf_counter()
            result = diff_datasets(base, head)
            end = time.perf_counter()
            reads.append(middle - start)
            diffs.append(end - middle)
            totals.append(end - start)
            ratios.append(totals[-1] / floors[-1])
            del base, head
        got = {k: result.annotations[k] for k in made}
        print(f"\n[{scenario}] edits made {made}; diff found {got}; ids trusted: {result.matching['ids_trusted']}")
        print(f"  msgspec decode (typed, polygons decoded): {best(floors)}")
        print(f"  read both versions: {best(reads)}")
        print(f"  match + describe:   {best(diffs)}")
        print(f"  total:              {best(totals)}")
        print(
            f"  diff / one decode:  best {min(ratios):.2f}x, median {statistics.median(ratios):.2f}x "
            f"(best times: {min(totals) / min(floors):.2f}x; target <= 3x)"
        )


if __name__ == "__main__":
    main()
