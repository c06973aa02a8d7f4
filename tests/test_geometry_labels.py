"""YOLO segmentation/pose, COCO keypoints and RLE, and the geometry and class rules (LL207, LL208,
LL301, LL302) on real data, with expectations computed independently of labellint's code."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import numpy as np
from conftest import shared_path
from helpers import problems_of, run_cli, write_coco

from labellint.readers.base import ReadContext
from labellint.readers.yolo import YoloReader
from labellint.rules._segmentation import decode_compressed_counts, decode_rle, rle_area_and_box
from labellint.spec.loader import parse_yaml, to_plain


def _context() -> ReadContext:
    return ReadContext(read_bytes=Path.read_bytes, is_file=Path.is_file, display=str)


def _plain_lines(files: list[Path]) -> list[tuple[Path, int, list[str]]]:
    out = []
    for path in files:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if line.split():
                out.append((path, number, line.split()))
    return out


# ----------------------------------------------------------------------------- YOLO readers
def test_yolo_segmentation_counts_and_polygons() -> None:
    root = shared_path("data", "yolo/coco128_lightly/instance_segmentation")
    files = sorted(root.rglob("*.txt"))
    lines = _plain_lines(files)
    assert len(files) == 200 and sum(1 for f in files if not f.read_text().strip()) == 2
    dataset = YoloReader().read(files, _context())
    assert (dataset.n_items, dataset.n_annotations) == (200, 1458) == (len(files), len(lines))
    assert not dataset.issues
    # Every line is a polygon, kept normalized as written.
    assert len(dataset.ann_segmentation) == 1458
    for a, (_, _, fields) in enumerate(lines):
        assert dataset.ann_segmentation[a] == [float(v) for v in fields[1:]]
        xs, ys = [float(v) for v in fields[1::2]], [float(v) for v in fields[2::2]]
        assert np.allclose(dataset.ann_box[a], [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)])
    # Class ids are the non-contiguous COCO ids of config.yaml, kept as the source ids.
    used = Counter(int(fields[0]) for _, _, fields in lines)
    # Every class config.yaml names is a class, used or not (4 of its 80 are unused).
    declared = to_plain(parse_yaml((root / "config.yaml").read_text()))["names"]
    assert {ref.source_id for ref in dataset.classes} == set(declared) > set(used)
    assert len(set(declared) - set(used)) == 4
    assert max(used) > len(used)  # really non-contiguous
    per_class = Counter(dataset.classes[c].source_id for c in dataset.ann_class.tolist())
    assert per_class == used


def test_yolo_pose_keypoints_from_kpt_shape() -> None:
    root = shared_path("data", "yolo/mtddh_hip_pose_sample")
    files = sorted((root / "data").glob("*.txt"))
    lines = _plain_lines(files)
    dataset = YoloReader().read(files, _context())
    assert (dataset.n_items, dataset.n_annotations, len(lines)) == (5, 20, 20)
    assert not dataset.issues and not dataset.ann_segmentation
    assert sorted(dataset.class_names) == ["hip_femour", "hip_pelvis"]
    for a, (_, _, fields) in enumerate(lines):
        assert dataset.ann_keypoints[a] == [float(v) for v in fields[5:]]  # 2 keypoints x (x, y, v)
        cx, cy, w, h = (float(v) for v in fields[1:5])
        assert np.allclose(dataset.ann_box[a], [cx - w / 2, cy - h / 2, w, h])


def test_yolo_pose_wrong_field_count_is_ll002_with_line(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text("kpt_shape: [2, 3]\nnames: [pelvis, femur]\n")
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "a.txt").write_text(
        "0 0.5 0.5 0.2 0.2 0.4 0.4 2 0.6 0.6 2\n1 0.5 0.5 0.2 0.2 0.4 0.4 2\n0 0.5 0.5 0.2 0.2\n"
    )
    dataset = YoloReader().read([labels / "a.txt"], _context())
    assert dataset.n_annotations == 1 and dataset.ann_keypoints == {0: [0.4, 0.4, 2.0, 0.6, 0.6, 2.0]}
    assert [(i.code, i.location.line) for i in dataset.issues] == [("LL002", 2), ("LL002", 3)]
    assert "kpt_shape [2, 3]" in dataset.issues[0].message and "found 8" in dataset.issues[0].message


def test_yolo_classes_txt_names() -> None:
    root = shared_path("data", "yolo/ls_converter_import_yolo")
    names = [n.strip() for n in (root / "classes.txt").read_text().splitlines() if n.strip()]
    files = sorted((root / "labels").glob("*.txt"))
    lines = _plain_lines(files)
    dataset = YoloReader().read(files, _context())
    assert (dataset.n_items, dataset.n_annotations) == (7, len(lines))
    written = Counter(names[int(fields[0])] for _, _, fields in lines)
    assert Counter(dataset.class_name(a) for a in range(dataset.n_annotations)) == written


# ----------------------------------------------------------------------------- COCO keypoints
def test_coco_keypoints_and_num_keypoints_checked(tmp_path: Path) -> None:
    path = write_coco(
        tmp_path / "pose.json",
        [{"id": 1, "file_name": "a.jpg", "width": 100, "height": 100}],
        [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [0, 0, 50, 50],
                "keypoints": [10, 10, 2, 0, 0, 0],
                "num_keypoints": 1,
            },
            {
                "id": 2,
                "image_id": 1,
                "category_id": 1,
                "bbox": [0, 0, 50, 50],
                "keypoints": [10, 10, 2, 20, 20, 1],
                "num_keypoints": 1,
            },
            {"id": 3, "image_id": 1, "category_id": 1, "bbox": [0, 0, 50, 50], "keypoints": [10, 10, 2, 20]},
        ],
        [{"id": 1, "name": "person"}],
    )
    result = run_cli("check", str(path), "--format", "json", "--select", "LL002", cwd=tmp_path)
    found = [(p["pointer"], p["message"]) for p in problems_of(result)]
    assert found == [
        ("/annotations/1/num_keypoints", "`num_keypoints` is 1 but 2 of the 2 keypoints are labelled (visibility > 0)"),
        ("/annotations/2/keypoints", "`keypoints` must be [x, y, v] triples, found 4 numbers"),
    ]


# ----------------------------------------------------------------------------- RLE
def _encode_counts(runs: list[int]) -> str:
    """COCO's compressed RLE string, written from the format description (test oracle)."""
    out = []
    for i, run in enumerate(runs):
        value = run - runs[i - 2] if i > 2 else run
        more = True
        while more:
            group = value & 0x1F
            value >>= 5
            more = not ((value == 0 and not group & 0x10) or (value == -1 and group & 0x10))
            out.append(chr(group + (0x20 if more else 0) + 48))
    return "".join(out)


def test_compressed_rle_round_trips_random_masks() -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        runs = rng.integers(0, 3000, size=int(rng.integers(1, 40))).tolist()
        assert decode_compressed_counts(_encode_counts(runs)).tolist() == runs


def test_rle_area_and_box_against_a_dense_mask() -> None:
    rng = np.random.default_rng(3)
    for _ in range(100):
        height, width = int(rng.integers(1, 30)), int(rng.integers(1, 30))
        mask = rng.random((height, width)) < rng.random()
        flat = mask.flatten(order="F").astype(int)  # COCO runs go down the columns
        runs = [len(list(g)) for _, g in itertools.groupby(flat)]
        if flat[0] == 1:
            runs = [0, *runs]
        area, box = rle_area_and_box(height, width, np.asarray(runs))
        assert area == mask.sum()
        if area:
            ys, xs = np.nonzero(mask)
            assert box == (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1)
        decoded = decode_rle({"size": [height, width], "counts": _encode_counts(runs)})
        assert decoded[2].tolist() == runs


# ----------------------------------------------------------------------------- real COCO geometry
def _segments_cross(p1, p2, p3, p4) -> bool:
    """Plain-Python segment test (shared point counts), written separately from the rule."""

    def orient(a, b, c):
        value = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (value > 0) - (value < 0)

    def within(a, b, c):
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    d1, d2, d3, d4 = orient(p3, p4, p1), orient(p3, p4, p2), orient(p1, p2, p3), orient(p1, p2, p4)
    if d1 * d2 < 0 and d3 * d4 < 0:
        return True
    return (
        (d1 == 0 and within(p3, p4, p1))
        or (d2 == 0 and within(p3, p4, p2))
        or (d3 == 0 and within(p1, p2, p3))
        or (d4 == 0 and within(p1, p2, p4))
    )


def _self_crossing(flat: list[float]) -> bool:
    points = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
    points = [p for i, p in enumerate(points) if p != points[(i + 1) % len(points)]]
    edges = [(points[i], points[(i + 1) % len(points)]) for i in range(len(points))]
    n = len(edges)
    return any(
        _segments_cross(*edges[i], *edges[j]) for i in range(n) for j in range(i + 2, n) if not (i == 0 and j == n - 1)
    )


def test_coco128_real_polygon_and_rle_faults() -> None:
    path = shared_path("data", "coco/coco128/instances_train2017.json")
    document = json.loads(path.read_text())
    images = {im["id"]: im for im in document["images"]}
    crossing, area_off, box_off = [], [], []
    for index, ann in enumerate(document["annotations"]):
        seg = ann["segmentation"]
        if isinstance(seg, list):
            if any(_self_crossing(part) for part in seg):
                crossing.append(f"/annotations/{index}")
            continue
        # RLE (uncompressed here): area is the pixel count of the odd runs.
        counts = seg["counts"]
        mask = np.zeros(seg["size"][0] * seg["size"][1], bool)
        position = 0
        for k, run in enumerate(counts):
            if k % 2:
                mask[position : position + run] = True
            position += run
        mask = mask.reshape(seg["size"][1], seg["size"][0]).T
        assert (images[ann["image_id"]]["height"], images[ann["image_id"]]["width"]) == mask.shape
        if abs(ann["area"] - mask.sum()) / max(ann["area"], mask.sum()) > 0.1:
            area_off.append(f"/annotations/{index}")
        ys, xs = np.nonzero(mask)
        x, y, w, h = ann["bbox"]
        if max(x - xs.min(), y - ys.min(), xs.max() + 1 - (x + w), ys.max() + 1 - (y + h)) > 1:
            box_off.append(f"/annotations/{index}")
    assert len(crossing) == 4 and len(area_off) == 3 and box_off == []
    result = run_cli("check", str(path), "--format", "json", "--select", "LL207,LL208")
    got = Counter((p["code"], p["pointer"]) for p in problems_of(result))
    expected = Counter([("LL207", p) for p in crossing] + [("LL208", p) for p in area_off])
    assert got == expected


def test_taco_v1_unused_categories_with_a_spec_from_its_categories(tmp_path: Path) -> None:
    path = shared_path("data", "coco/taco/annotations_v1_a56f6cb.json")
    document = json.loads(path.read_text())
    used = {a["category_id"] for a in document["annotations"]}
    unused = sorted(c["name"] for c in document["categories"] if c["id"] not in used)
    assert len(unused) == 3
    classes = "".join(f"  {json.dumps(c['name'])}: {{id: {c['id']}}}\n" for c in document["categories"])
    spec = tmp_path / "labelspec.yaml"
    spec.write_text(f"spec: 1\nversion: 1.0.0\ntask: segmentation\nclasses:\n{classes}")
    result = run_cli("check", str(path), "--spec", str(spec), "--format", "json", "--select", "LL301")
    found = problems_of(result)
    assert sorted(p["message"].split("'")[1] for p in found) == unused
    assert all(p["severity"] == "warning" and p["path"].endswith("labelspec.yaml") and p["line"] for p in found)


def test_class_imbalance_uses_the_median(tmp_path: Path) -> None:
    counts = {"a": 40, "b": 30, "c": 20, "d": 3, "e": 1}  # median 20 -> limit 2
    annotations = []
    for cls, (_name, count) in enumerate(counts.items(), start=1):
        annotations += [{"image_id": 1, "category_id": cls, "bbox": [0, 0, 5, 5]} for _ in range(count)]
    for a, ann in enumerate(annotations):
        ann["id"] = a + 1
    path = write_coco(
        tmp_path / "l.json",
        [{"id": 1, "file_name": "x.jpg", "width": 10, "height": 10}],
        annotations,
        [{"id": i, "name": n} for i, n in enumerate(counts, start=1)],
    )
    found = problems_of(run_cli("check", str(path), "--format", "json", "--select", "LL302", cwd=tmp_path))
    assert [p["message"].split("'")[1] for p in found] == ["e"]


# ----------------------------------------------------------------------------- init
def test_init_scaffolds_a_valid_spec_and_config_from_real_labels(tmp_path: Path) -> None:
    root = shared_path("data", "yolo/coco128_lightly/instance_segmentation")
    result = run_cli("init", "--from", str(root), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    spec_text = (tmp_path / "labelspec.yaml").read_text()
    names = to_plain(parse_yaml((root / "config.yaml").read_text()))["names"]
    used = Counter(
        int(line.split()[0]) for f in root.rglob("*.txt") for line in f.read_text().splitlines() if line.strip()
    )
    for class_id, count in used.items():
        name = names[class_id]
        assert f"# class {name!r}: {count} annotations" in spec_text
        assert f"    id: {class_id}\n" in spec_text
    assert run_cli("spec", "validate", "labelspec.yaml", cwd=tmp_path).exit_code == 0
    check = run_cli("check", "--format", "json", "--select", "LL401,LL403,LL101,LL102", cwd=tmp_path)
    assert check.exit_code in (0, 1)
    codes = Counter(p["code"] for p in problems_of(check))
    # TODOs are flagged for every declared class (unused ones are kept); ids and names all agree.
    assert codes == {"LL401": len(names), "LL403": 1}
    for class_id in set(names) - set(used):
        assert f"# class {names[class_id]!r}: declared by the labels, unused (0 annotations)" in spec_text
    # Never overwrites: a second run fails with one line and leaves the files as they were.
    before = (tmp_path / "labelspec.yaml").read_bytes()
    again = run_cli("init", "--from", str(root), cwd=tmp_path)
    assert again.exit_code == 2 and "never overwrites" in again.output
    assert (tmp_path / "labelspec.yaml").read_bytes() == before
    assert run_cli("init", "--force", cwd=tmp_path).exit_code == 2


def test_init_with_a_forced_reader_skips_the_names_file(tmp_path: Path) -> None:
    root = shared_path("data", "yolo/ls_converter_import_yolo")
    names = [n.strip() for n in (root / "classes.txt").read_text().splitlines() if n.strip()]
    lines = _plain_lines(sorted((root / "labels").glob("*.txt")))
    result = run_cli("init", "--from", str(root), "--reader", "yolo", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    spec_text = (tmp_path / "labelspec.yaml").read_text()
    for index, name in enumerate(names):
        count = sum(1 for _, _, fields in lines if int(fields[0]) == index)
        assert f"# class {name!r}: {count} annotation" in spec_text
    check = run_cli("check", "--format", "json", cwd=tmp_path)
    assert check.exit_code == 0 and json.loads(check.stdout)["summary"]["items"] == 7
    assert not [p for p in problems_of(check) if p["severity"] == "error"]


def test_yolo_seg_self_crossings_match_a_brute_force_count() -> None:
    # Ultralytics joins the parts of a multi-part COCO object with back-and-forth bridges, which
    # touch themselves: the count is computed here pair by pair in plain Python.
    root = shared_path("data", "yolo/coco128_lightly/instance_segmentation")
    lines = _plain_lines(sorted(root.rglob("*.txt")))
    expected = sorted(
        (path.relative_to(root).as_posix(), number)
        for path, number, fields in lines
        if _self_crossing([float(v) for v in fields[1:]])
    )
    result = run_cli("check", str(root), "--format", "json", "--select", "LL207", cwd=root)
    found = sorted((p["path"], p["line"]) for p in problems_of(result))
    assert found == expected and len(found) == 292


def test_bad_kpt_shape_is_reported_once_at_the_data_yaml(tmp_path: Path) -> None:
    (tmp_path / "data.yaml").write_text("kpt_shape: [2]\nnames: [x]\n")
    for folder in ("a", "b"):
        (tmp_path / "labels" / folder).mkdir(parents=True)
        (tmp_path / "labels" / folder / "1.txt").write_text("0 0.5 0.5 0.1 0.1\n")
    found = problems_of(run_cli("check", ".", "--format", "json", cwd=tmp_path))
    assert [(p["code"], p["path"]) for p in found] == [("LL002", "data.yaml")]
    assert "kpt_shape" in found[0]["message"]
