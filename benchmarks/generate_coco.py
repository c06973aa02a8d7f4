"""Seeded generator of realistic COCO detection files (and a matching labelspec.yaml) for benchmarks."""

# .venv/bin/python benchmarks/generate_coco.py --annotations 1000000 --out benchmarks/data/coco_1m.json

from __future__ import annotations

import argparse
from pathlib import Path

import msgspec
import numpy as np

# The 80 COCO categories with their real (gappy) ids; frequency falls off with the id (Zipf).
NAMES = (
    "1 person|2 bicycle|3 car|4 motorcycle|5 airplane|6 bus|7 train|8 truck|9 boat|10 traffic light|"
    "11 fire hydrant|13 stop sign|14 parking meter|15 bench|16 bird|17 cat|18 dog|19 horse|20 sheep|21 cow|"
    "22 elephant|23 bear|24 zebra|25 giraffe|27 backpack|28 umbrella|31 handbag|32 tie|33 suitcase|"
    "34 frisbee|35 skis|36 snowboard|37 sports ball|38 kite|39 baseball bat|40 baseball glove|"
    "41 skateboard|42 surfboard|"
    "43 tennis racket|44 bottle|46 wine glass|47 cup|48 fork|49 knife|50 spoon|51 bowl|52 banana|53 apple|"
    "54 sandwich|55 orange|56 broccoli|57 carrot|58 hot dog|59 pizza|60 donut|61 cake|62 chair|63 couch|"
    "64 potted plant|65 bed|67 dining table|70 toilet|72 tv|73 laptop|74 mouse|75 remote|76 keyboard|"
    "77 cell phone|78 microwave|79 oven|80 toaster|81 sink|82 refrigerator|84 book|85 clock|86 vase|"
    "87 scissors|88 teddy bear|89 hair drier|90 toothbrush"
)
SUPER = [
    (1, "person"),
    (2, "vehicle"),
    (10, "outdoor"),
    (16, "animal"),
    (27, "accessory"),
    (34, "sports"),
    (44, "kitchen"),
    (52, "food"),
    (62, "furniture"),
    (72, "electronic"),
    (78, "appliance"),
    (84, "indoor"),
]
CATEGORIES = [
    (int(i), n, [s for first, s in SUPER if first <= int(i)][-1])
    for i, n in (entry.split(" ", 1) for entry in NAMES.split("|"))
]
RESOLUTIONS = [
    (640, 480),
    (480, 640),
    (640, 427),
    (427, 640),
    (640, 360),
    (1280, 720),
    (1920, 1080),
    (512, 512),
]
RES_WEIGHTS = [0.40, 0.15, 0.15, 0.08, 0.07, 0.08, 0.04, 0.03]
DEFECT_KINDS = ("out_of_bounds", "zero_size", "duplicate", "dangling_image", "unknown_category")
CHUNK = 100_000


def plan(n_ann: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Images (ids, sizes) and one row per annotation (image index, category, box)."""
    # Negative binomial, mean 10, heavy tail; about 3% of images have no annotation.
    counts = rng.negative_binomial(2, 2 / 12, size=n_ann // 8 + 10)
    cut = int(np.searchsorted(np.cumsum(counts), n_ann))
    counts = counts[: cut + 1]
    counts[-1] -= counts.sum() - n_ann
    n_img = len(counts)
    image_ids = np.sort(rng.choice(np.arange(1, 6 * n_img + 2), size=n_img, replace=False))
    res = np.array(RESOLUTIONS, np.float64)[rng.choice(len(RESOLUTIONS), n_img, p=RES_WEIGHTS)]
    ann_img = np.repeat(np.arange(n_img), counts)
    weights = 1.0 / np.arange(1, len(CATEGORIES) + 1)
    category = rng.choice(len(CATEGORIES), n_ann, p=weights / weights.sum())
    W, H = res[ann_img, 0], res[ann_img, 1]
    # Log-normal relative sizes: many small boxes, a few covering most of the image.
    w = np.clip(W * np.exp(rng.normal(-2.2, 0.9, n_ann)), 4, W - 0.02)
    h = np.clip(H * np.exp(rng.normal(-2.0, 0.9, n_ann)), 4, H - 0.02)
    w, h = np.floor(w * 100) / 100, np.floor(h * 100) / 100
    box = np.stack([w, h, w, h], axis=1)
    moved = np.ones(n_ann, bool)
    for _ in range(20):  # place boxes; re-place the few that nearly coincide, so a clean file is clean
        box[moved, 0] = np.floor(rng.uniform(0, W - w - 0.01)[moved] * 100) / 100
        box[moved, 1] = np.floor(rng.uniform(0, H - h - 0.01)[moved] * 100) / 100
        moved = coinciding(ann_img, box)
        if not moved.any():
            break
    return {
        "shape": rng.random(n_ann),
        "image_ids": image_ids,
        "res": res,
        "ann_img": ann_img,
        "category": category,
        "box": box,
    }


def coinciding(img: np.ndarray, box: np.ndarray, limit: float = 0.8) -> np.ndarray:
    """Boxes with IoU >= limit with an earlier box of the same image (rows grouped by image)."""
    x1, y1, x2, y2 = box[:, 0], box[:, 1], box[:, 0] + box[:, 2], box[:, 1] + box[:, 3]
    area = box[:, 2] * box[:, 3]
    found = np.zeros(len(img), bool)
    for d in range(1, len(img)):
        i = np.flatnonzero(img[:-d] == img[d:])
        if not len(i):
            break
        j = i + d
        iw = np.clip(np.minimum(x2[i], x2[j]) - np.maximum(x1[i], x1[j]), 0, None)
        ih = np.clip(np.minimum(y2[i], y2[j]) - np.maximum(y1[i], y1[j]), 0, None)
        found[j[iw * ih >= limit * (area[i] + area[j] - iw * ih)]] = True
    return found


def inject(p: dict[str, np.ndarray], k: int, rng: np.random.Generator) -> dict[str, int]:
    """K defects spread over the five kinds, each on a distinct annotation."""
    n = len(p["ann_img"])
    box, res, img = p["box"], p["res"], p["ann_img"]
    same_as_prev = np.flatnonzero(np.r_[False, img[1:] == img[:-1]])
    per_kind = np.full(len(DEFECT_KINDS), k // len(DEFECT_KINDS))
    per_kind[: k % len(DEFECT_KINDS)] += 1
    # Only odd positions: a duplicate's original (the annotation before it) is never a duplicate itself.
    candidates = same_as_prev[same_as_prev % 2 == 1]
    dup = rng.choice(candidates, min(per_kind[2], len(candidates)), replace=False)
    free = np.setdiff1d(np.arange(n), np.r_[dup, dup - 1])
    rest = rng.choice(free, per_kind.sum() - per_kind[2], replace=False)
    oob, zero, dangling, unknown = np.split(rest, np.cumsum(per_kind[[0, 1, 3]]))
    box[oob, 0] = res[img[oob], 0] - np.round(box[oob, 2] / 2, 2)  # half the box past the right edge
    box[zero, 2 + (zero % 2)] = 0.0
    box[dup] = box[dup - 1]
    p["category"][dup] = p["category"][dup - 1]
    p["shape"][dup] = p["shape"][dup - 1]
    p["dangling"], p["unknown"] = dangling, unknown
    return dict(zip(DEFECT_KINDS, map(len, (oob, zero, dup, dangling, unknown)), strict=True))


def polygons(box: np.ndarray, shape: np.ndarray) -> tuple[list[list[list[float]]], np.ndarray]:
    """A small jittered ellipse polygon (6 to 16 vertices) inside each box, and its area; the
    polygon is a function of (box, shape) so that an exact duplicate gets the same one."""
    k = 6 + (shape * 11).astype(int)
    segs: list[list[list[float]]] = [[]] * len(box)
    area = np.zeros(len(box))
    for size in np.unique(k):
        idx = np.flatnonzero(k == size)
        b, s = box[idx], shape[idx, None]
        theta = np.linspace(0, 2 * np.pi, size, endpoint=False) + 2 * np.pi * s
        r = 0.8 + 0.2 * np.modf(np.abs(np.sin(s * 1e4 + np.arange(size) * 12.9898)) * 43758.5453)[0]
        px = np.round(b[:, :1] + b[:, 2:3] / 2 * (1 + r * np.cos(theta)), 2)
        py = np.round(b[:, 1:2] + b[:, 3:4] / 2 * (1 + r * np.sin(theta)), 2)
        area[idx] = 0.5 * np.abs((px * np.roll(py, -1, 1) - np.roll(px, -1, 1) * py).sum(1))
        for i, row in zip(idx.tolist(), np.stack([px, py], 2).reshape(len(idx), -1).tolist(), strict=True):
            segs[i] = [row]
    return segs, np.round(area, 2)


def write(p: dict[str, np.ndarray], out: Path, rng: np.random.Generator, polygons_too: bool = True) -> None:
    """Streams the file in chunks of annotations; compact JSON on one line, as COCO ships it.
    Without `polygons_too`, annotations have no `segmentation` key (a boxes-only export)."""
    enc = msgspec.json.Encoder()
    n = len(p["ann_img"])
    order = rng.permutation(n)  # real COCO annotations are not grouped by image
    image_id = p["image_ids"][p["ann_img"]]
    image_id[p["dangling"]] = p["image_ids"][-1] + 1 + np.arange(len(p["dangling"]))
    cat_id = np.array([c[0] for c in CATEGORIES])[p["category"]]
    cat_id[p["unknown"]] = 999
    images = [
        {
            "license": int(1 + i % 8),
            "file_name": f"{iid:012d}.jpg",
            "height": int(h),
            "width": int(w),
            "date_captured": "2013-11-14 16:28:13",
            "id": int(iid),
        }
        for i, (iid, (w, h)) in enumerate(zip(p["image_ids"].tolist(), p["res"].tolist(), strict=True))
    ]
    head = {
        "info": {"description": "labellint benchmark (synthetic COCO)", "version": "1.0", "year": 2024},
        "licenses": [{"id": i, "name": f"License {i}", "url": f"https://x.org/{i}"} for i in range(1, 9)],
        "images": images,
        "categories": [{"supercategory": s, "id": i, "name": nm} for i, nm, s in CATEGORIES],
    }
    with out.open("wb") as f:
        f.write(enc.encode(head)[:-1] + b',"annotations":[')
        for start in range(0, n, CHUNK):
            rows = order[start : start + CHUNK]
            box = p["box"][rows]
            segs, area = polygons(box, p["shape"][rows])
            zero = (box[:, 2] == 0) | (box[:, 3] == 0)
            area[zero] = 0.0
            for k in np.flatnonzero(zero):  # a zero-size box comes with no polygon, so it is one defect
                segs[k] = []
            ids, cats = image_id[rows].tolist(), cat_id[rows].tolist()
            columns = zip(segs, area.tolist(), ids, box.tolist(), cats, strict=True)
            anns = [
                {
                    "segmentation": s,
                    "area": a,
                    "iscrowd": 0,
                    "image_id": im,
                    "bbox": b,
                    "category_id": c,
                    "id": start + j + 1,
                }
                for j, (s, a, im, b, c) in enumerate(columns)
            ]
            if not polygons_too:
                for ann in anns:
                    del ann["segmentation"]
            f.write((b"," if start else b"") + enc.encode(anns)[1:-1])
        f.write(b"]}")


def write_spec(path: Path) -> None:
    """A labelspec.yaml naming the 80 categories with their ids, clean under the spec rules."""
    lines = [
        "spec: 1",
        "name: coco-benchmark",
        "version: 1.0.0",
        "task: detection",
        "decision: Box every instance of the 80 COCO object categories.",
        "classes:",
    ]
    for cid, name, sup in CATEGORIES:
        lines += [
            f'  "{name}":',
            f"    id: {cid}",
            f'    definition: "Every visible {name} ({sup}), one box per instance."',
            f'    include: ["a whole {name}", "a {name} partly hidden", "a {name} cut by the image edge"]',
            f'    exclude: ["a picture of a {name}", "a toy {name}", "a {name} seen in a mirror"]',
        ]
    lines += [
        "attributes:",
        "  unsure: {type: boolean}",
        "unsure:",
        "  attribute: unsure",
        "  criteria: [heavy motion blur, less than 10% of the object visible]",
        "geometry:",
        "  inside_image: {tolerance: 0.5}",
        "  min_width: 1",
        "  min_height: 1",
        "  duplicate_iou: 0.95",
        "  conflict_iou: 0.95",
    ]
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--defects", type=int, default=0)
    parser.add_argument("--spec", type=Path, help="where to write labelspec.yaml (default: next to --out)")
    parser.add_argument("--boxes-only", action="store_true", help="no `segmentation` key (the same boxes)")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    p = plan(args.annotations, rng)
    counts = inject(p, args.defects, rng)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(p, args.out, rng, polygons_too=not args.boxes_only)
    write_spec(args.spec or args.out.parent / "labelspec.yaml")
    size = args.out.stat().st_size / 1e6
    n_img = len(p["image_ids"])
    print(f"{args.out}: {n_img} images, {args.annotations} annotations, {size:.1f} MB, defects {counts}")


if __name__ == "__main__":
    main()
