"""Random clean datasets with injected defects: every defect found under its code, nothing else."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from helpers import SPEC_TEXT, problems_of, run_cli

CLASS_IDS = {"pedestrian": 1, "cyclist": 2, "car": 3}
# Box sizes that satisfy the test spec's geometry (min sizes, pedestrian aspect ratio 0.1-2.0).
SIZES = {1: ((20, 40), (50, 90)), 2: ((30, 60), (50, 90)), 3: ((60, 140), (40, 80))}


def clean_dataset(rng: random.Random, n_images: int) -> dict:
    """Boxes in separate grid cells of each image: inside it, big enough, never overlapping."""
    images, annotations = [], []
    next_id = 1
    for image_id in range(1, n_images + 1):
        width, height = rng.choice([(640, 480), (1280, 720), (1920, 1080)])
        images.append({"id": image_id, "file_name": f"img_{image_id:04d}.jpg", "width": width, "height": height})
        cells = [(cx, cy) for cx in range(width // 160) for cy in range(height // 120)]
        for cx, cy in rng.sample(cells, rng.randint(0, min(6, len(cells)))):
            category = rng.choice([1, 2, 3])
            (wlo, whi), (hlo, hhi) = SIZES[category]
            w, h = rng.uniform(wlo, whi), rng.uniform(hlo, hhi)
            w, h = min(w, 150), min(h, 110)
            x, y = cx * 160 + rng.uniform(0, 160 - w), cy * 120 + rng.uniform(0, 120 - h)
            annotations.append(
                {
                    "id": next_id,
                    "image_id": image_id,
                    "category_id": category,
                    "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
                    "attributes": {"occluded": rng.random() < 0.3},
                }
            )
            next_id += 1
    categories = [{"id": i, "name": n} for n, i in CLASS_IDS.items()]
    return {"images": images, "annotations": annotations, "categories": categories}


def inject(rng: random.Random, document: dict) -> set[tuple[str, str]]:
    """Injects one defect of each kind on random annotations; returns (code, annotation id)."""
    annotations = document["annotations"]
    sizes = {im["id"]: (im["width"], im["height"]) for im in document["images"]}
    victims = rng.sample(annotations, 10)
    expected: set[tuple[str, str]] = set()
    next_id = max(a["id"] for a in annotations) + 1

    def add(annotation: dict) -> dict:
        nonlocal next_id
        annotation["id"] = next_id
        next_id += 1
        annotations.append(annotation)
        return annotation

    out, flat, tiny, dup, conflict, unknown, dangling, attribute, wide, dup_id = victims
    width = sizes[out["image_id"]][0]
    out["bbox"][0] = width - out["bbox"][2] / 2  # half the box past the right edge
    expected.add(("LL201", str(out["id"])))
    flat["bbox"][3] = 0
    expected.add(("LL202", str(flat["id"])))
    tiny["category_id"], tiny["bbox"][2], tiny["bbox"][3] = 1, 3, 7
    expected.add(("LL203", str(tiny["id"])))

    def nudged(annotation: dict, step: float) -> list[float]:
        """The box moved `step` px sideways, towards the image centre so it stays inside."""
        x, y, w, h = annotation["bbox"]
        direction = -1 if x + w / 2 > sizes[annotation["image_id"]][0] / 2 else 1
        return [x + direction * step, y, w, h]

    copy = add({**dup, "bbox": nudged(dup, 0.5)})
    # A pair is reported once, on whichever of its two boxes comes later in the file.
    expected.add(("LL205", f"{dup['id']}|{copy['id']}"))
    # A car box on a cyclist: no priority between them, so the later box is reported.
    conflict["category_id"] = 2
    other = add({**conflict, "category_id": 3, "bbox": nudged(conflict, 1.0)})
    expected.add(("LL206", f"{conflict['id']}|{other['id']}"))
    unknown["category_id"] = 99
    expected.add(("LL004", str(unknown["id"])))
    dangling["image_id"] = 10_000
    expected.add(("LL004", str(dangling["id"])))
    attribute["attributes"] = {"occluded": "maybe"}
    expected.add(("LL103", str(attribute["id"])))
    wide["category_id"] = 1
    wide["bbox"][2], wide["bbox"][3] = 100, 40  # a pedestrian 2.5x wider than tall
    wide["bbox"][0] = min(wide["bbox"][0], sizes[wide["image_id"]][0] - 100)
    expected.add(("LL204", str(wide["id"])))
    dup_id["id"] = out["id"]
    expected.add(("LL003", str(out["id"])))
    return expected


@pytest.mark.parametrize("seed", range(12))
def test_injected_defects_found_exactly(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    document = clean_dataset(rng, 40)
    (tmp_path / "clean.json").write_text(json.dumps(document))
    clean = run_cli("check", "clean.json", "--format", "json", cwd=tmp_path)
    assert problems_of(clean) == [] and clean.exit_code == 0

    expected = inject(rng, document)
    rng.shuffle(document["annotations"])  # order must not matter
    (tmp_path / "dirty.json").write_text(json.dumps(document, indent=rng.choice([None, 1, 2])))
    result = run_cli("check", "dirty.json", "--format", "json", cwd=tmp_path)
    pairs = {c: ids.split("|") for c, ids in expected if "|" in ids}
    found = {
        (
            p["code"],
            "|".join(pairs[p["code"]]) if p["annotation"] in pairs.get(p["code"], ()) else p["annotation"],
        )
        for p in problems_of(result)
    }
    # LL003 reports the later of the two records that share an id; either may come first.
    dup = next(c for c in expected if c[0] == "LL003")
    assert found == expected | {dup} and len(problems_of(result)) == len(expected)
    assert result.exit_code == 1
    assert all(p["line"] for p in problems_of(result))


def test_yolo_defects_found_and_clean_lines_quiet(tmp_path: Path) -> None:
    labels = tmp_path / "labels"
    labels.mkdir()
    (tmp_path / "data.yaml").write_text("names: [pedestrian, cyclist, car]\n")
    (labels / "a.txt").write_text("0 0.5 0.5 0.1 0.2\n2 0.2 0.2 0.1 0.1\n")
    (labels / "b.txt").write_text(
        "0 0.95 0.5 0.2 0.2\n"  # line 1: right edge at 1.05
        "1 0.5 0.5 0.0 0.1\n"  # line 2: zero width
        "2 0.3 0.3 0.1 0.1\n"  # line 3
        "2 0.3 0.3 0.1 0.1\n"  # line 4: duplicate of line 3
        "7 0.6 0.6 0.1 0.1\n"  # line 5: class 7 has no name
        "1 0.5 0.5 0.1\n"  # line 6: four fields
    )
    result = run_cli("check", "labels", "--format", "json", cwd=tmp_path)
    found = sorted((Path(p["path"]).name, p["line"], p["code"]) for p in problems_of(result))
    assert found == [
        ("b.txt", 1, "LL201"),
        ("b.txt", 2, "LL202"),
        ("b.txt", 4, "LL205"),
        ("b.txt", 5, "LL004"),
        ("b.txt", 6, "LL002"),
    ]


def test_voc_defects_found_with_lines(tmp_path: Path) -> None:
    def voc(objects: str, size: str = "<width>500</width><height>375</height>") -> str:
        return f"<annotation><filename>x.jpg</filename><size>{size}<depth>3</depth></size>\n{objects}</annotation>\n"

    box = (
        "<object><name>{}</name><bndbox><xmin>{}</xmin><ymin>{}</ymin>"
        "<xmax>{}</xmax><ymax>{}</ymax></bndbox></object>\n"
    )
    (tmp_path / "ok.xml").write_text(voc(box.format("car", 10, 10, 200, 100)).replace("x.jpg", "ok.jpg"))
    (tmp_path / "bad.xml").write_text(
        voc(
            box.format("car", 10, 10, 520, 100)
            + box.format("car", 30, 30, 30, 90)
            + "<object><name>car</name></object>\n"
        )
    )
    (tmp_path / "nosize.xml").write_text(voc(box.format("car", 1, 1, 50, 50), size="").replace("x.jpg", "n.jpg"))
    result = run_cli("check", ".", "--format", "json", "--reader", "voc", cwd=tmp_path)
    found = sorted((p["path"], p["line"], p["code"]) for p in problems_of(result))
    assert found == [
        ("bad.xml", 2, "LL201"),
        ("bad.xml", 3, "LL202"),
        ("bad.xml", 4, "LL002"),
        ("nosize.xml", 1, "LL005"),
    ]
