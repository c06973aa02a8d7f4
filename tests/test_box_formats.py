"""Box formats (KITTI object labels, box CSVs, Open Images CSVs), counted independently with plain
csv/struct on datumaro's samples and on files written from the formats' documentation."""

from __future__ import annotations

import csv
import json
import struct
import zlib
from pathlib import Path

from conftest import shared_path
from helpers import run_cli


def check_json(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    return json.loads(result.stdout)


def jpeg_frame_size(path: Path) -> tuple[int, int]:
    """(width, height) from the baseline SOF0 segment, found by a plain byte search."""
    data = path.read_bytes()
    at = data.index(b"\xff\xc0")
    height, width = struct.unpack(">HH", data[at + 5 : at + 9])
    return width, height


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def write_png(path: Path, width: int, height: int) -> None:
    """A real grey PNG, built from the PNG specification's chunks."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    )


def test_vott_csv_counts_and_only_real_findings():
    folder = shared_path("data", "peers", "datumaro", "vott_csv_dataset", "dataset")
    report = check_json(".", cwd=folder)
    items = annotations = 0
    outside = set()
    for table in sorted(folder.glob("*.csv")):
        rows = list(csv.DictReader(table.open(newline="")))
        items += len({r["image"] for r in rows})
        annotations += len(rows)
        for line, row in enumerate(rows, 2):
            width, height = jpeg_frame_size(folder / row["image"])
            if float(row["xmax"]) > width or float(row["ymax"]) > height:
                outside.add((table.name, line))
    assert (report["summary"]["files"], report["summary"]["items"]) == (2, items)
    assert report["summary"]["annotations"] == annotations
    # Real findings on datumaro's synthetic sample: its images are 5x5 px and byte-identical, so
    # the boxes run off them and one image carries different labels under four names.
    found = {(p["path"], p["line"]) for p in report["problems"] if p["code"] == "LL201"}
    assert found == outside and outside
    others = [p for p in report["problems"] if p["code"] != "LL201"]
    assert {p["code"] for p in others} == {"LL303"}
    assert all("same image file" in p["message"] for p in others)


def test_tf_object_detection_csv_from_the_docs(tmp_path):
    # The layout the TF Object Detection tutorials' xml_to_csv writes (and Roboflow exports).
    (tmp_path / "train_labels.csv").write_text(
        "filename,width,height,class,xmin,ymin,xmax,ymax\n"
        "raccoon-1.jpg,650,417,raccoon,81,88,522,408\n"
        "raccoon-2.jpg,450,495,raccoon,130,2,446,488\n"
        "raccoon-2.jpg,450,495,dog,10,20,60,80\n"
        "raccoon-3.jpg,800,600,raccoon,500,100,820,300\n"
    )
    report = check_json("train_labels.csv", cwd=tmp_path)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (3, 4)
    # xmax 820 on an 800 px wide image: the one real finding, at its row.
    assert [(p["code"], p["line"], p["item"]) for p in report["problems"]] == [("LL201", 5, "raccoon-3.jpg")]


def test_box_csv_size_from_the_image_beside_it(tmp_path):
    write_png(tmp_path / "a.png", 40, 30)
    (tmp_path / "boxes.csv").write_text("image,label,x,y,w,h\na.png,cat,0,0,40,30\na.png,dog,30,20,20,5\n")
    report = check_json("boxes.csv", cwd=tmp_path)
    assert report["summary"]["annotations"] == 2
    assert [(p["code"], p["line"]) for p in report["problems"]] == [("LL201", 3)]
    assert "40x30 image" in report["problems"][0]["message"]


def test_box_csv_bad_rows_are_reported_at_their_line_and_the_rest_is_read(tmp_path):
    (tmp_path / "bad.csv").write_text(
        "filename,width,height,class,xmin,ymin,xmax,ymax\n"
        "a.jpg,9,9,cat,1,2,3,4\nb.jpg,9,9,cat,1,two,3,4\nc.jpg,9,9,cat,1,2\n\n,,,,,,,\n"
    )
    (tmp_path / "good.csv").write_text("filename,width,height,class,xmin,ymin,xmax,ymax\nd.jpg,9,9,dog,1,2,3,4\n")
    report = check_json(".", cwd=tmp_path)
    problems = sorted((p["code"], p["path"], p["line"]) for p in report["problems"])
    # The blank line 5 is no row; the row of empty cells at line 6 is a broken one.
    assert problems == [("LL002", "bad.csv", 3), ("LL002", "bad.csv", 4), ("LL002", "bad.csv", 6)]
    assert report["summary"]["annotations"] == 2
    assert report["crashes"] == []


def open_images_counts(folder: Path) -> tuple[int, int]:
    """(items, annotations): distinct ImageIDs per file; boxes, and image labels not verified absent."""
    items = annotations = 0
    for table in folder.glob("*.csv"):
        rows = list(csv.DictReader(table.open(newline="")))
        if not rows or "LabelName" not in rows[0] or "ImageID" not in rows[0] or "MaskPath" in rows[0]:
            continue
        items += len({r["ImageID"] for r in rows})
        annotations += sum("XMin" in r or r["Confidence"] not in ("0", "0.0") for r in rows)
    return items, annotations


def test_open_images_counts_no_findings_and_class_names(tmp_path):
    folder = shared_path("data", "peers", "datumaro", "open_images_dataset", "v6", "annotations")
    report = check_json(".", cwd=folder)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == open_images_counts(folder)
    # An image's boxes and its image-level labels sit in different files: not duplicate ids.
    assert report["problems"] == []
    result = run_cli("init", "--from", str(folder / "test-annotations-bbox.csv"), cwd=tmp_path)
    assert result.exit_code == 0, result.output
    names = dict(csv.reader((folder / "oidv6-class-descriptions.csv").open(newline="")))
    used = {r["LabelName"] for r in csv.DictReader((folder / "test-annotations-bbox.csv").open(newline=""))}
    spec = (tmp_path / "labelspec.yaml").read_text()
    assert used and all(names[mid] in spec for mid in used)


def test_open_images_normalized_boxes_outside_the_image(tmp_path):
    (tmp_path / "validation-annotations-bbox.csv").write_text(
        "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,IsDepiction,IsInside\n"
        "0001eeaf4aed83f9,xclick,/m/0cmf2,1,0.022673,0.964201,0.071038,0.800546,0,0,0,0,0\n"
        "0004886b7d043cfd,xclick,/m/01g317,1,0.5,1.25,0.1,0.2,1,0,0,0,0\n"
    )
    report = check_json(".", cwd=tmp_path)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (2, 2)
    assert [(p["code"], p["line"]) for p in report["problems"]] == [("LL201", 3)]


def kitti_counts(folder: Path) -> tuple[int, int, int]:
    """(label files, objects, DontCare regions) by splitting the lines."""
    files = sorted(folder.rglob("label_2/**/*.txt"))
    types = [line.split()[0] for f in files for line in f.read_text().splitlines() if line.strip()]
    return len(files), sum(t != "DontCare" for t in types), types.count("DontCare")


def test_kitti_samples_count_as_split_lines_do():
    root = shared_path("data", "peers", "datumaro", "kitti_dataset")
    for name in ("kitti_detection", "kitti_3d", "kitti_3d_with_subset"):
        folder = root / name
        files, objects, dont_care = kitti_counts(folder)
        report = check_json(".", cwd=folder)
        assert (report["summary"]["items"], report["summary"]["annotations"]) == (files, objects), name
        # DontCare regions are not objects; the only findings are boxes past the sample's images
        # (datumaro's 3D samples draw 600 px boxes on 10x10 px PNGs), counted here from IHDR.
        outside = set()
        for label in folder.rglob("label_2/**/*.txt"):
            image = Path(str(label).replace("label_2", "image_2")).with_suffix(".png")
            width, height = png_size(image)
            for line, text in enumerate(label.read_text().splitlines(), 1):
                cells = text.split()
                if cells[0] != "DontCare" and (float(cells[6]) > width or float(cells[7]) > height):
                    outside.add((label.relative_to(folder).as_posix(), line))
        assert {(p["path"], p["line"]) for p in report["problems"]} == outside, name
        assert {p["code"] for p in report["problems"]} <= {"LL201"}
        assert dont_care or name != "kitti_3d"  # the sample that exercises DontCare has one


def test_kitti_bad_lines_at_their_line(tmp_path):
    labels = tmp_path / "training" / "label_2"
    labels.mkdir(parents=True)
    (tmp_path / "training" / "image_2").mkdir()
    for name in ("000001", "000002"):
        write_png(tmp_path / "training" / "image_2" / f"{name}.png", 1242, 375)
    (labels / "000001.txt").write_text(
        "Car 0.00 0 -1.58 587.01 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59\n"
        "Pedestrian 0.00 0 x 10 10 20 40 1.7 0.6 0.8 1 1 10 0\n"
        "Cyclist 0.00 0 -1.58 587.01 173.33\n"
    )
    (labels / "000002.txt").write_text("Van 0.0 1 -1 0 0 2 2 -1 -1 -1 -1 -1 -1 -1\n")
    report = check_json(".", cwd=tmp_path)
    problems = sorted((p["code"], p["line"]) for p in report["problems"])
    assert problems == [("LL002", 2), ("LL002", 3)]
    assert report["summary"]["annotations"] == 2


KITTI_CAR = "Car 0.00 0 -1.58 587.01 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59"
KITTI_FILES = {
    "000001.txt": f"{KITTI_CAR}\nDontCare -1 -1 -10 800 160 825 185 -1 -1 -1 -1000 -1000 -1000 -10\n".encode(),
    "000002.txt": b"",  # an image without objects
    # a BOM, CRLF line ends and a 16th field (a score)
    "000003.txt": f"\ufeff{KITTI_CAR}\r\nVan 0.5 1 -1 0 0 2 2 -1 -1 -1 -1 -1 -1 -1 0.93\r\n".encode(),
    "000004.txt": f"{KITTI_CAR}\nTruck 0 1 x 0 0 2 2 -1 -1 -1 -1 -1 -1 -1\nTram 0 2\n".encode(),
    "000005.txt": b"Cyclist 0.3 nan -1 0 0 2 2 -1 -1 -1 -1 -1 -1 -1\n" + KITTI_CAR.encode() + b"\n",
    "000006.txt": b"caf\xe9 0 0 0 0 0 1 1 0 0 0 0 0 0 0\n",
}


def kitti_objects(files: dict[str, bytes]) -> tuple[list[tuple[str, int, list[float]]], list[tuple[str, int]]]:
    """(objects as (file, line, numbers), DontCare regions as (file, line)) of the UTF-8 files' lines
    with 15 or 16 numeric fields and a whole-number `occluded`, split and parsed in plain Python."""
    objects, dont_care = [], []
    for name, data in sorted(files.items()):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            cells = line.split()
            try:
                values = [float(v) for v in cells[1:]]
            except ValueError:
                continue
            if len(cells) in (15, 16) and cells[0] == "DontCare":
                dont_care.append((name, number))
            elif len(cells) in (15, 16) and values[1] == values[1] and abs(values[1]) != float("inf"):
                objects.append((name, number, values))
    return objects, dont_care


def test_kitti_folder_read_whole_counts_and_places_each_problem(tmp_path):
    labels = tmp_path / "training" / "label_2"
    labels.mkdir(parents=True)
    for name, data in KITTI_FILES.items():
        (labels / name).write_bytes(data)
    objects, dont_care = kitti_objects(KITTI_FILES)
    report = check_json(".", cwd=tmp_path)
    items = sum(1 for data in KITTI_FILES.values() if _utf8(data))
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (items, len(objects))
    codes = ("LL001", "LL002")
    problems = sorted((p["code"], Path(p["path"]).name, p["line"]) for p in report["problems"] if p["code"] in codes)
    # the bad number, the short line, the NaN occlusion (a finding, not a crash); the Latin-1 file
    # is not claimed (no KITTI line in it)
    assert problems == [
        ("LL002", "000004.txt", 2),
        ("LL002", "000004.txt", 3),
        ("LL002", "000005.txt", 1),
    ]
    assert not report.get("crashes")
    assert len(dont_care) == 1


def test_kitti_reader_keeps_each_lines_numbers(tmp_path):
    from labellint.readers.base import ReadContext
    from labellint.readers.kitti import KittiReader

    labels = tmp_path / "training" / "label_2"
    labels.mkdir(parents=True)
    for name, data in KITTI_FILES.items():
        (labels / name).write_bytes(data)
    paths = sorted(labels.iterdir())
    context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), lambda p: p.relative_to(tmp_path).as_posix())
    dataset = KittiReader().read(paths, context)
    objects, _ = kitti_objects(KITTI_FILES)
    assert [
        (dataset.files[f].path.rsplit("/", 1)[1], int(line))
        for f, line in zip(dataset.ann_file, dataset.ann_line, strict=True)
    ] == [(name, line) for name, line, _ in objects]
    for a, (_, _, values) in enumerate(objects):
        left, top, right, bottom = values[3:7]
        assert dataset.ann_box[a].tolist() == [left, top, right - left, bottom - top]
        assert dataset.ann_attributes[a] == {"truncated": values[0], "occluded": int(values[1])}
        expected = dict(
            zip(
                ["alpha", "height_3d", "width_3d", "length_3d", "x_3d", "y_3d", "z_3d", "rotation_y"],
                [values[2], *values[7:14]],
                strict=True,
            )
        )
        if len(values) == 15:
            expected["score"] = values[14]
        assert dataset.ann_fields[a] == expected
    regions = {f.path.rsplit("/", 1)[1]: f.meta["dont_care"] for f in dataset.files if "dont_care" in f.meta}
    issues = [(i.code, i.location.path.rsplit("/", 1)[1], i.location.line) for i in dataset.issues]
    assert issues == [
        ("LL002", "000004.txt", 2),
        ("LL002", "000004.txt", 3),
        ("LL002", "000005.txt", 1),
        ("LL001", "000006.txt", None),
    ]
    assert regions == {"000001.txt": [[800.0, 160.0, 25.0, 25.0]]}
    # each file read alone gives the same annotations, in the same order
    pieces = KittiReader().read_each(paths, context)
    assert sum(p.n_annotations for p in pieces) == dataset.n_annotations
    assert [int(x) for p in pieces for x in p.ann_line] == dataset.ann_line.tolist()


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
