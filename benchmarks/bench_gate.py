"""Time `labellint gate` against the commands whose figures it judges, and the cheapest read (a script)."""

# Run from anywhere:  .venv/bin/python benchmarks/bench_gate.py [--part ratings|labels|both] [--repeat K]
# ratings: a ratings CSV (string ids, as a real export has), a golden set and a spec with the
#   agreement and golden gates; fresh processes of the cheapest read of the table (the csv
#   module's rows, nothing else), `labellint agree`, `labellint golden` and `labellint gate`.
# labels: a COCO file of --annotations images with one annotation each (a class per item, so
#   confident learning applies), every annotation with CVAT-style attributes (occluded, unsure),
#   predicted probabilities (.npy) and a spec with the unsure, coverage (per class and per edge
#   case) and noise gates; fresh processes of the cheapest read (json.load), `labellint stats
#   --no-history`, `labellint suspects --predictions` and `labellint gate --predictions`.
#   --rework: the labels in a git repository, a second commit relabelling 5%, the rework gate
#   added, and `stats` with its history (where the rework rate comes from).
# Best of --repeat; wall from perf_counter, CPU from the children's rusage.

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FLOOR = "import csv, sys\nwith open(sys.argv[1], newline='') as f:\n    rows = sum(1 for _ in csv.reader(f))\n"
JSON_FLOOR = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    document = json.load(f)\n"


def write_inputs(folder: Path, n_items: int, n_raters: int, n_classes: int, n_gold: int, seed: int) -> Path:
    """ratings.csv (raters copy a hidden class 70% of the time), gold.csv and labelspec.yaml."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_items)
    noise = rng.integers(0, n_classes, (n_items, n_raters))
    labels = np.where(rng.random((n_items, n_raters)) < 0.7, truth[:, None], noise).ravel()
    items = np.repeat(np.arange(n_items), n_raters).astype(str)
    raters = np.tile(np.arange(n_raters), n_items).astype(str)
    rows = np.char.add(np.char.add(np.char.add("item", items), ",worker"), raters)
    rows = np.char.add(np.char.add(rows, ",class"), labels.astype(str))
    table = folder / "ratings.csv"
    table.write_text("item,annotator,label\n" + "\n".join(rows.tolist()) + "\n")
    gold = "".join(f"item{i},class{truth[i]}\n" for i in range(min(n_gold, n_items)))
    (folder / "gold.csv").write_text("item,label\n" + gold)
    classes = "".join(f"  class{k}: {{definition: class {k}}}\n" for k in range(n_classes))
    quality = (
        "quality:\n  agreement: {metric: krippendorff_alpha, min: 0.3, per_class_min: 0.3}\n"
        "  golden: {min_accuracy: 0.5, per_annotator: true}\n"
    )
    (folder / "labelspec.yaml").write_text(f"version: 1.0.0\ntask: classification\nclasses:\n{classes}{quality}")
    return table


def write_label_inputs(folder: Path, n_annotations: int, n_classes: int, seed: int, rework: bool) -> Path:
    """labels.json (COCO, 10% of labels flipped, 12% occluded, 3% unsure), preds.npy and labelspec.yaml.

    With `rework`, a git repository whose second commit relabels every 20th annotation (5% rework)."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_annotations)
    given = truth.copy()
    flipped = rng.random(n_annotations) < 0.10
    given[flipped] = (truth[flipped] + rng.integers(1, n_classes, int(flipped.sum()))) % n_classes
    occluded, unsure = rng.random(n_annotations) < 0.12, rng.random(n_annotations) < 0.03
    boxes = np.round(rng.uniform(10, 300, (n_annotations, 4)), 1).tolist()
    path = folder / "labels.json"
    path.write_text(_coco(given, boxes, occluded, unsure, n_classes))
    logits = rng.normal(0, 1, (n_annotations, n_classes))
    logits[np.arange(n_annotations), truth] += 3.0
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.save(folder / "preds.npy", probs / probs.sum(axis=1, keepdims=True))
    classes = "".join(f"  c{k}: {{id: {k + 1}, definition: class {k}}}\n" for k in range(n_classes))
    spec = (
        f"version: 1.0.0\ntask: detection\nclasses:\n{classes}"
        "edge_cases:\n  - {id: occlusion, rule: box the visible part, attribute: {occluded: true}}\n"
        "unsure:\n  attribute: unsure\n"
        "quality:\n  unsure: {max_rate: 0.05}\n  noise: {max_rate: 0.2}\n"
        "  coverage: {min_per_class: 1000, min_per_edge_case: 1000}\n"
    )
    (folder / "labelspec.yaml").write_text(spec + ("  rework: {max_rate: 0.1}\n" if rework else ""))
    if rework:
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
        subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
        subprocess.run([*git, "add", "labels.json", "labelspec.yaml"], cwd=folder, check=True)
        subprocess.run([*git, "commit", "-qm", "labels"], cwd=folder, check=True)
        given[::20] = (given[::20] + 1) % n_classes
        path.write_text(_coco(given, boxes, occluded, unsure, n_classes))
        subprocess.run([*git, "commit", "-qam", "relabel 5%"], cwd=folder, check=True)
    return path


def _coco(given: np.ndarray, boxes: list, occluded: np.ndarray, unsure: np.ndarray, n_classes: int) -> str:
    """One image per annotation; every annotation with CVAT-style attributes."""
    import json

    images = [{"id": i + 1, "file_name": f"img{i:07d}.jpg", "width": 640, "height": 480} for i in range(len(given))]
    annotations = [
        {
            "id": i + 1,
            "image_id": i + 1,
            "category_id": int(given[i]) + 1,
            "bbox": boxes[i],
            "area": round(boxes[i][2] * boxes[i][3], 2),
            "iscrowd": 0,
            "attributes": {"occluded": bool(occluded[i]), "unsure": bool(unsure[i])},
        }
        for i in range(len(given))
    ]
    categories = [{"id": k + 1, "name": f"c{k}"} for k in range(n_classes)]
    return json.dumps({"images": images, "annotations": annotations, "categories": categories})


def run(command: list[str], cwd: Path, repeat: int) -> tuple[float, float]:
    """Best (wall s, CPU s) of `repeat` fresh processes."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (wall, cpu))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=["ratings", "labels", "both"], default="both")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--raters", type=int, default=10)
    parser.add_argument("--classes", type=int, default=5)
    parser.add_argument("--gold", type=int, default=10_000, help="Items in the golden set.")
    parser.add_argument("--annotations", type=int, default=1_000_000, help="Annotations in the label file.")
    parser.add_argument("--rework", action="store_true", help="Labels in git with 5%% relabelled: the rework gate.")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.part in ("ratings", "both"):
        on_ratings(args)
    if args.part in ("labels", "both"):
        on_labels(args)


LABELLINT = [sys.executable, "-m", "labellint"]


def on_ratings(args: argparse.Namespace) -> None:
    """The agreement and golden gates against `agree` + `golden` on the same table."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        table = write_inputs(folder, args.items, args.raters, args.classes, args.gold, args.seed)
        print(f"{args.items * args.raters:,} ratings ({table.stat().st_size / 1e6:.1f} MB), {args.gold:,} gold items")
        given = ["--ratings", "ratings.csv", "--gold", "gold.csv", "--format", "json"]
        steps = {
            "csv.reader rows (floor)": [sys.executable, "-c", FLOOR, str(table)],
            "labellint agree": [*LABELLINT, "agree", "ratings.csv", "--format", "json"],
            "labellint golden": [*LABELLINT, "golden", "ratings.csv", "--gold", "gold.csv", "--format", "json"],
            "labellint gate": [*LABELLINT, "gate", *given],
        }
        times = {label: run(command, folder, args.repeat) for label, command in steps.items()}
    report(times, "csv.reader rows (floor)", ["labellint agree", "labellint golden"])


def on_labels(args: argparse.Namespace) -> None:
    """The unsure, coverage, noise (and rework) gates against `stats` + `suspects` on the same label file."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        labels = write_label_inputs(folder, args.annotations, 10, args.seed, args.rework)
        size = labels.stat().st_size / 1e6
        print(f"{args.annotations:,} annotations ({size:.1f} MB COCO), preds.npy{', 2 commits' if args.rework else ''}")
        history = [] if args.rework else ["--no-history"]  # stats computes the rework rate from history
        steps = {
            "json.load (floor)": [sys.executable, "-c", JSON_FLOOR, str(labels)],
            "labellint stats": [*LABELLINT, "stats", "labels.json", *history, "--format", "json"],
            "labellint suspects": [
                *LABELLINT,
                "suspects",
                "labels.json",
                "--predictions",
                "preds.npy",
                "--format",
                "json",
            ],
            "labellint gate": [*LABELLINT, "gate", "labels.json", "--predictions", "preds.npy", "--format", "json"],
        }
        times = {label: run(command, folder, args.repeat) for label, command in steps.items()}
    report(times, "json.load (floor)", ["labellint stats", "labellint suspects"])


def report(times: dict[str, tuple[float, float]], floor_label: str, parts: list[str]) -> None:
    floor = times[floor_label]
    print("| step | wall s | CPU s | wall / floor | CPU / floor |\n| --- | ---: | ---: | ---: | ---: |")
    for label, (wall, cpu) in times.items():
        print(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / floor[0]:.2f} | {cpu / floor[1]:.2f} |")
    gate = times["labellint gate"]
    wall_sum, cpu_sum = sum(times[p][0] for p in parts), sum(times[p][1] for p in parts)
    print(f"gate / ({' + '.join(parts)}): wall {gate[0] / wall_sum:.2f}, CPU {gate[1] / cpu_sum:.2f}")


if __name__ == "__main__":
    main()
