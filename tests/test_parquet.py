"""The Parquet / Hugging Face datasets reader, on real parquet files written here with pyarrow and
counted independently with pyarrow."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from conftest import shared_path
from helpers import run_cli
from parquet_tables import SEED, SEED_ROWS, classification, detection, with_features

from labellint.readers import Candidate, available_readers

CPPE = ["Coverall", "Face_Shield", "Gloves", "Goggles", "Mask"]


def check_json(*args: str, cwd: Path) -> dict:
    result = run_cli("check", *args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def read(path: Path):
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import Config
    from labellint.sources import WorkTree

    dataset, crashes = read_dataset(LabelSelection(paths=[str(path)]), Config(root=path.parent), None, WorkTree())
    assert crashes == []
    return dataset


def test_hf_image_classification_names_classes_from_the_classlabel(tmp_path):
    path = tmp_path / "train.parquet"
    labels = [0, 2, 1, 2, -1, 0]
    pq.write_table(classification([f"img{k}.jpg" for k in range(6)], labels, ["cat", "dog", "bird"]), path)
    table = pq.read_table(path)
    names = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]["label"]["names"]
    expected = [names[v] for v in table.column("label").to_pylist() if v != -1]  # -1: datasets' "no label"
    dataset = read(path)
    assert dataset.n_items == table.num_rows
    assert [dataset.classes[c].name for c in dataset.ann_class] == expected
    assert list(dataset.item_ids) == [r["path"] for r in table.column("image").to_pylist()]
    report = check_json(path.name, cwd=tmp_path)
    assert (report["summary"]["items"], report["summary"]["annotations"]) == (table.num_rows, len(expected))


def test_plain_parquet_with_string_labels_and_text(tmp_path):
    path = tmp_path / "reviews.parquet"
    pq.write_table(pa.table({"text": ["good", "bad", "fine", "meh"], "label": ["pos", "neg", None, "neg"]}), path)
    table = pq.read_table(path)
    dataset = read(path)
    assert dataset.item_text == table.column("text").to_pylist()
    assert [dataset.classes[c].name for c in dataset.ann_class] == [v for v in table.column("label").to_pylist() if v]
    assert [int(i) for i in dataset.ann_item] == [k for k, v in enumerate(table.column("label").to_pylist()) if v]


def test_hf_detection_objects_struct_of_lists(tmp_path):
    rows = [*SEED_ROWS, {"image_id": 4, "file": "d.jpg", "width": 100, "height": 100, "objects": []}]
    path = tmp_path / "cppe5.parquet"
    pq.write_table(detection(rows, CPPE), path)
    table = pq.read_table(path)
    objects = table.column("objects").to_pylist()
    boxes = [b for row in objects for b in row["bbox"]]
    categories = [CPPE[c] for row in objects for c in row["category"]]
    dataset = read(path)
    assert dataset.n_items == table.num_rows
    assert dataset.ann_box.tolist() == boxes
    assert [dataset.classes[c].name for c in dataset.ann_class] == categories
    assert list(dataset.item_width) == table.column("width").to_pylist()
    assert list(dataset.item_ids) == table.column("image_id").to_pylist()


def test_objects_as_a_list_of_structs_and_a_box_past_the_image(tmp_path):
    objects = [[{"bbox": [0, 0, 10, 10], "category": "car"}], [{"bbox": [90, 90, 30, 30], "category": "bus"}]]
    table = pa.table({"file_name": ["a.png", "b.png"], "width": [100, 100], "height": [100, 100], "objects": objects})
    path = tmp_path / "boxes.parquet"
    pq.write_table(table, path)
    report = check_json(path.name, cwd=tmp_path)
    assert report["summary"]["annotations"] == sum(len(o) for o in pq.read_table(path).column("objects").to_pylist())
    out = [p for p in report["problems"] if p["code"] == "LL201"]
    assert [(p["pointer"], p["item"]) for p in out] == [("/rows/1", "b.png")]


def test_a_shards_folder_is_read_shard_by_shard(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for k in range(3):
        labels = [k, (k + 1) % 3]
        paths = [f"s{k}_{j}.jpg" for j in range(2)]
        pq.write_table(classification(paths, labels, ["a", "b", "c"]), data / f"train-0000{k}-of-00003.parquet")
    total = sum(pq.ParquetFile(p).metadata.num_rows for p in data.glob("*.parquet"))
    report = check_json("data", cwd=tmp_path)
    assert report["summary"]["items"] == total == report["summary"]["annotations"]


def test_bad_parquet_is_ll001_and_bad_rows_ll002_naming_the_row(tmp_path):
    good = classification(["a.jpg", "b.jpg", "c.jpg"], [0, 1, 7], ["x", "y"])  # 7 has no name
    pq.write_table(good, tmp_path / "bad_index.parquet")
    broken = bytearray((tmp_path / "bad_index.parquet").read_bytes())
    (tmp_path / "truncated.parquet").write_bytes(bytes(broken[: len(broken) // 2]))
    three = [[{"bbox": [1, 2, 3], "category": 0}], [{"bbox": [1, 2, 3, 4], "category": 0}]]
    pq.write_table(pa.table({"objects": three}), tmp_path / "three.parquet")
    report = check_json(".", cwd=tmp_path)
    found = sorted(
        (p["path"], p["code"], p.get("pointer")) for p in report["problems"] if p["code"] in ("LL001", "LL002")
    )
    assert found == [
        ("bad_index.parquet", "LL002", "/rows/2"),
        ("three.parquet", "LL002", "/rows/0"),
        ("truncated.parquet", "LL001", None),
    ]
    # The bad rows are left out, said so; the other rows of those files are still read.
    assert read(tmp_path / "bad_index.parquet").n_annotations == 2
    assert read(tmp_path / "three.parquet").ann_box.tolist() == [[1, 2, 3, 4]]


def test_claims_parquet_by_name_and_magic_only(tmp_path):
    reader = available_readers()["parquet"]
    pq.write_table(classification(["a.jpg"], [0], None), tmp_path / "t.parquet")
    head = (tmp_path / "t.parquet").read_bytes()[:64]
    assert reader.sniff(Path("t.parquet"), head)
    assert not reader.sniff(Path("t.bin"), head)
    assert not reader.sniff(Path("t.parquet"), b'{"images": []}')
    candidate = Candidate(tmp_path / "t.parquet", Path("t.parquet"), (tmp_path / "t.parquet").read_bytes())
    assert [name for name, r in available_readers().items() if r.claims(candidate)] == ["parquet"]


def test_missing_pyarrow_is_one_line_naming_the_extra(tmp_path):
    pq.write_table(classification(["a.jpg"], [0], None), tmp_path / "t.parquet")
    blocker = tmp_path / "block"
    blocker.mkdir()
    (blocker / "pyarrow.py").write_text("raise ImportError('blocked for this test')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker)}
    done = subprocess.run(
        [sys.executable, "-m", "labellint", "check", "t.parquet"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "labellint-git[parquet]" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_fuzz_seed_is_what_the_script_writes(tmp_path):
    table = pq.read_table(SEED)
    assert table.num_rows == len(SEED_ROWS)
    assert read(SEED).n_annotations == sum(len(r["objects"]) for r in SEED_ROWS)


def test_classlabel_names_reach_init_used_or_not(tmp_path):
    pq.write_table(detection(SEED_ROWS, CPPE), tmp_path / "train.parquet")
    features = json.loads(pq.read_schema(tmp_path / "train.parquet").metadata[b"huggingface"])["info"]["features"]
    declared = features["objects"]["feature"]["category"]["names"]
    result = run_cli("init", "--from", "train.parquet", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    spec = (tmp_path / "labelspec.yaml").read_text()
    assert all(f"# class {name!r}" in spec for name in declared)  # Goggles and Mask are declared, unused


DATASETS = Path(__file__).parent / "data" / "parquet_datasets"  # written by `datasets` 5.2.0 itself


def _feature_names(feature) -> list[str]:
    """ClassLabel names of a feature as `datasets` serializes it (plain dict walking, not labellint's)."""
    while "names" not in feature:
        feature = feature["feature"] if "feature" in feature else feature["category"]
    return feature["names"]


def test_files_written_by_hf_datasets_count_as_pyarrow_does():
    for path in sorted(DATASETS.glob("*.parquet")):
        table = pq.read_table(path)
        features = json.loads(table.schema.metadata[b"huggingface"])["info"]["features"]
        if "objects" in table.column_names:
            names = _feature_names(features["objects"])
            rows = table.column("objects").to_pylist()
            if isinstance(rows[0], dict):  # Sequence({...}): a struct of lists
                objects = [(r, b, c) for r, o in enumerate(rows) for b, c in zip(o["bbox"], o["category"], strict=True)]
            else:  # List({...}): a list of structs
                objects = [(r, o["bbox"], o["category"]) for r, row in enumerate(rows) for o in row]
            expected = [(r, names[c]) for r, _, c in objects]
            boxes = [b for _, b, _ in objects]
        else:
            column = "label" if "label" in table.column_names else "labels"
            names = _feature_names(features[column])
            values = [v if isinstance(v, list) else [v] for v in table.column(column).to_pylist()]
            expected = [(r, names[c]) for r, row in enumerate(values) for c in row if c != -1]
            boxes = None
        dataset = read(path)
        assert dataset.issues == [], path.name
        assert dataset.n_items == table.num_rows, path.name
        assert [
            (int(i), dataset.classes[c].name) for i, c in zip(dataset.ann_item, dataset.ann_class, strict=True)
        ] == expected
        if boxes is not None:
            assert dataset.ann_box.tolist() == boxes
        assert [c.name for c in dataset.classes] == names  # declared names, used or not


def test_suspects_on_an_hf_image_table_with_predictions_keyed_by_file_name(tmp_path):
    data = np.load(shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz"))
    names = [f"d{i}" for i in range(10)]
    files = [f"img{i}.jpg" for i in range(len(data["y_noisy"]))]
    pq.write_table(classification(files, [int(y) for y in data["y_noisy"]], names), tmp_path / "train.parquet")
    with (tmp_path / "labels.csv").open("w", newline="") as stream:
        csv.writer(stream).writerows(
            [["filename", "label"], *([f, names[int(y)]] for f, y in zip(files, data["y_noisy"], strict=True))]
        )
    with (tmp_path / "probs.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["filename", *names])
        writer.writerows([f, *map(repr, map(float, p))] for f, p in zip(files, data["pred_probs"], strict=True))
    runs = {}
    for labels in ("train.parquet", "labels.csv"):
        result = run_cli("suspects", labels, "--predictions", "probs.csv", "--format", "json", cwd=tmp_path)
        runs[labels] = {s["item"] for s in json.loads(result.stdout)["suspects"]}
    # The same labels as a filename,label CSV (checked against cleanlab elsewhere) flag the same files.
    assert runs["train.parquet"] and runs["train.parquet"] == runs["labels.csv"]


def test_options_from_the_config_name_columns_and_the_box_format(tmp_path):
    objects = [[{"bbox": [10, 20, 40, 60], "category": "car"}]]
    pq.write_table(pa.table({"fine_label": ["x", "y"]}), tmp_path / "cifar.parquet")
    pq.write_table(pa.table({"file_name": ["a.png"], "boxes": objects}), tmp_path / "xyxy.parquet")
    (tmp_path / "labellint.toml").write_text(
        '[[datasets]]\npath = "cifar.parquet"\nreader = "parquet"\noptions = { label = "fine_label" }\n'
        '[[datasets]]\npath = "xyxy.parquet"\nreader = "parquet"\n'
        'options = { objects = "boxes", bbox_format = "xyxy" }\n'
    )
    from labellint.commands.labels import LabelSelection, read_dataset
    from labellint.settings.config import load_config
    from labellint.sources import WorkTree

    config = load_config(tmp_path / "labellint.toml")
    dataset, _ = read_dataset(LabelSelection(), config, None, WorkTree())
    assert sorted(c.name for c in dataset.classes) == ["car", "x", "y"]
    corners = pq.read_table(tmp_path / "xyxy.parquet").column("boxes").to_pylist()[0][0]["bbox"]
    x0, y0, x1, y1 = corners
    assert dataset.ann_box[~np.isnan(dataset.ann_box[:, 0])].tolist() == [[x0, y0, x1 - x0, y1 - y0]]


def test_read_with_other_formats_every_item_keeps_its_own_name(tmp_path):
    pq.write_table(pa.table({"id": [7, 8], "label": [1, 0]}), tmp_path / "rows.parquet")
    (tmp_path / "labels.csv").write_text("filename,label\na.jpg,cat\nb.jpg,dog\n")
    dataset = read(tmp_path)
    assert len(dataset.item_names) == dataset.n_items == 4
    files = [dataset.files[int(f)].path for f in dataset.item_file]
    named = dict(zip(dataset.item_names, files, strict=True))
    assert named["a.jpg"].endswith("labels.csv") and named["b.jpg"].endswith("labels.csv")


def test_unsigned_classlabel_indices_with_nulls_are_read(tmp_path):
    path = tmp_path / "train.parquet"
    labels = pa.array([0, None, 2, 1, 2], pa.uint8())  # datasets may store a ClassLabel narrow
    features = {"label": {"names": ["a", "b", "c"], "_type": "ClassLabel"}}
    pq.write_table(with_features(pa.table({"label": labels}), features), path)
    written = pq.read_table(path).column("label").to_pylist()
    dataset = read(path)
    assert dataset.issues == []
    assert [dataset.classes[c].name for c in dataset.ann_class] == [
        ["a", "b", "c"][v] for v in written if v is not None
    ]
    assert dataset.ann_item.tolist() == [row for row, v in enumerate(written) if v is not None]


def test_a_table_without_boxes_holds_none_per_row_across_shards_and_pickles(tmp_path):
    import pickle

    paths = []
    for k in range(3):
        paths.append(tmp_path / f"train-0000{k}-of-00003.parquet")
        pq.write_table(pa.table({"id": pa.array([10 * k, 10 * k + 1], pa.int64()), "label": ["x", "y"]}), paths[-1])
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in paths)
    reader = available_readers()["parquet"]
    from labellint.readers.base import ReadContext

    dataset = reader.read(paths, ReadContext(Path.read_bytes, Path.is_file, str))
    assert dataset.item_ids.tolist() == [v for p in paths for v in pq.read_table(p).column("id").to_pylist()]
    for column, shape in ((dataset.ann_box, (rows, 4)), (dataset.item_width, (rows,)), (dataset.item_height, (rows,))):
        assert column.shape == shape and np.isnan(column).all()
        assert column.strides == (0,) * column.ndim and not column.flags.writeable  # one value, not one per row
    assert dataset.ann_ids.tolist() == [None] * rows and (dataset.annotator_index() == -1).all()
    again = pickle.loads(pickle.dumps(dataset))
    assert np.array_equal(again.ann_box, dataset.ann_box, equal_nan=True)
    assert (
        again.item_ids.tolist() == dataset.item_ids.tolist() and again.ann_class.tolist() == dataset.ann_class.tolist()
    )


def test_a_table_read_beside_a_box_file_keeps_each_file_s_boxes(tmp_path):
    pq.write_table(pa.table({"id": pa.array([7, 8], pa.int64()), "label": ["a", "b"]}), tmp_path / "rows.parquet")
    boxes = "filename,width,height,class,xmin,ymin,xmax,ymax\nx.jpg,100,50,cat,1,2,11,22\ny.jpg,100,50,dog,5,5,6,8\n"
    (tmp_path / "boxes.csv").write_text(boxes)
    dataset = read(tmp_path)
    rows = list(csv.DictReader(boxes.splitlines()))
    files = [dataset.files[int(f)].path for f in dataset.ann_file]
    from_csv = [tuple(dataset.ann_box[a]) for a, path in enumerate(files) if path.endswith("boxes.csv")]
    assert from_csv == [
        (float(r["xmin"]), float(r["ymin"]), float(r["xmax"]) - float(r["xmin"]), float(r["ymax"]) - float(r["ymin"]))
        for r in rows
    ]
    from_table = [a for a, path in enumerate(files) if path.endswith("rows.parquet")]
    assert len(from_table) == pq.read_metadata(tmp_path / "rows.parquet").num_rows
    assert np.isnan(dataset.ann_box[from_table]).all()
    item_files = [dataset.files[int(f)].path for f in dataset.item_file]
    widths = {path.rsplit("/", 1)[-1]: [] for path in item_files}
    for width, path in zip(dataset.item_width.tolist(), item_files, strict=True):
        widths[path.rsplit("/", 1)[-1]].append(width)
    assert widths["boxes.csv"] == [float(r["width"]) for r in rows]
    assert len(widths["rows.parquet"]) == 2 and np.isnan(widths["rows.parquet"]).all()
