"""COCO annotations read in chunks give what the whole-document path gives, and the polygons as shared columns."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import msgspec
import numpy as np
import pytest
from conftest import shared_path

from labellint.model import Dataset, DenseValues
from labellint.readers import _coco_stream
from labellint.readers.base import ReadContext
from labellint.readers.coco import CocoReader
from labellint.segmentation.columns import SegmentationColumns
from labellint.support.mapped import map_file

CONTEXT = ReadContext(read_bytes=lambda p: p.read_bytes(), is_file=lambda p: p.is_file(), display=str)
ARRAYS = ("ann_ids", "ann_item", "ann_class", "ann_box", "ann_index", "item_ids", "item_width", "item_height")
SPARSE = ("ann_area", "ann_attributes", "ann_keypoints", "unresolved_item", "unresolved_class")


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> Dataset:
    with monkeypatch.context() as patch:
        patch.setattr(_coco_stream, "CHUNK_BYTES", chunk)
        return CocoReader().read_one(path, CONTEXT)


def _read_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    """The whole-document path, as the reader takes it for files the chunks cannot vouch for."""

    def refuse(data: bytes) -> None:
        raise _coco_stream.NotStreamable("whole document wanted")

    with monkeypatch.context() as patch:
        patch.setattr("labellint.readers.coco.decode_head", refuse)
        return CocoReader().read_one(path, CONTEXT)


def _issues(dataset: Dataset) -> list[tuple]:
    return [(i.code, i.message, i.location.pointer, i.location.line, i.location.column) for i in dataset.issues]


def _assert_same(streamed: Dataset, whole: Dataset) -> None:
    for name in ARRAYS:
        a, b = getattr(streamed, name), getattr(whole, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    for name in SPARSE:
        assert getattr(streamed, name) == getattr(whole, name), name
    assert dict(streamed.ann_segmentation.items()) == dict(whole.ann_segmentation.items())
    flat_a, flat_b = streamed.ann_segmentation.flat, whole.ann_segmentation.flat
    for name in ("points", "part_start", "part_size", "part_ann", "part_number"):
        assert getattr(flat_a, name).tobytes() == getattr(flat_b, name).tobytes(), name
    assert (flat_a.odd_parts, flat_a.malformed) == (flat_b.odd_parts, flat_b.malformed)
    assert flat_a.rle.keys() == flat_b.rle.keys()
    assert _issues(streamed) == _issues(whole)


@pytest.mark.parametrize("name", ["coco128/instances_train2017.json", "taco/annotations_v4_508da01.json"])
def test_real_files_in_small_chunks_read_as_the_whole_document(name, monkeypatch):
    path = shared_path("data", "coco", *name.split("/"))
    document = json.loads(path.read_text())
    streamed = _read(path, monkeypatch, chunk=7)
    assert streamed.n_annotations == len(document["annotations"])
    with_segmentation = [i for i, a in enumerate(document["annotations"]) if a.get("segmentation")]
    assert list(streamed.ann_segmentation) == with_segmentation
    _assert_same(streamed, _read_whole(path, monkeypatch))


def _annotation(i: int, **fields) -> dict:
    record = {"id": i, "image_id": 1 + i % 3, "category_id": 1 + i % 2, "bbox": [i, i, 5, 5], "area": 25.0}
    record["segmentation"] = [[i, i, i + 5, i, i + 5, i + 5]]
    record.update(fields)
    return record


def _tricky_file(tmp_path: Path) -> tuple[Path, str]:
    """Strings with brackets, braces, escaped quotes and backslashes; odd records of every kind;
    a key written twice inside the 12th annotation. Returns the path and the text."""
    annotations = [_annotation(i) for i in range(20)]
    annotations[1]["attributes"] = {"note": 'a } ] [ { " \\ " \\\\'}
    annotations[2]["bbox"] = [1, 2, 3]
    del annotations[3]["bbox"]
    annotations[4]["segmentation"] = {"size": [4, 4], "counts": [3, 10, 3]}
    annotations[5]["image_id"] = 99
    annotations[6]["category_id"] = "cat"
    annotations[7]["keypoints"] = [1, 2, 2, 3, 4]
    annotations[8]["keypoints"] = [1, 2, 2, 3, 4, 0]
    annotations[8]["num_keypoints"] = 2
    annotations[9]["segmentation"] = [[1, 2, 3, 4, 5], [0, 0, 4, 0, 4, 4]]
    annotations[10]["segmentation"] = []
    annotations[13]["id"] = "thirteen"
    annotations[14]["segmentation"] = [1, 2, 3, 4, 5, 6]
    del annotations[15]["bbox"]
    annotations[15]["segmentation"] = None
    images = [{"id": k, "file_name": "dir\\\\" + str(k) + '"}.jpg', "width": 50, "height": 50} for k in (1, 2, 3)]
    categories = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 1, "name": "again"}]
    lines = ["{", f' "images": {json.dumps(images)},', ' "annotations": [']
    lines += [f"  {json.dumps(a)}," for a in annotations[:-1]] + [f"  {json.dumps(annotations[-1])}", " ],"]
    lines[3 + 12] = lines[3 + 12].replace('"area": 25.0', '"area": 25.0, "area": 24.0')
    lines += [f' "categories": {json.dumps(categories)}', "}"]
    text = "\n".join(lines)
    path = tmp_path / "instances.json"
    path.write_text(text)
    return path, text


@pytest.mark.parametrize("chunk", [1, 2, 3, 50_000])
def test_tricky_records_in_chunks_give_the_same_columns_and_problems(tmp_path, monkeypatch, chunk):
    path, text = _tricky_file(tmp_path)
    streamed = _read(path, monkeypatch, chunk=chunk)
    whole = _read_whole(path, monkeypatch)
    _assert_same(streamed, whole)
    assert streamed.n_annotations == len(json.loads(text)["annotations"]) == 20
    # The repeated key: found in its chunk, named with its pointer, line and column in the file.
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"area": 24.0' in row)
    column = text.splitlines()[line - 1].index('"area": 24.0') + 1
    repeats = [i for i in streamed.issues if "twice" in i.message]
    assert [(i.location.pointer, i.location.line, i.location.column) for i in repeats] == [
        ("/annotations/12/area", line, column)
    ]
    pointers = {i.location.pointer for i in streamed.issues if i.code == "LL002"}
    assert {"/annotations/2/bbox", "/annotations/7/keypoints", "/annotations/8/num_keypoints"} <= (pointers)
    assert "/annotations/15" in pointers  # no bbox and a `null` segmentation
    assert "/annotations/3" not in pointers  # no bbox, but a polygon
    assert streamed.unresolved_item == {5: 99} and streamed.unresolved_class == {6: "cat"}


def test_keys_twice_before_and_after_the_annotations_are_named_where_they_are(tmp_path, monkeypatch):
    # The head (images before the annotations, categories after them) is searched without the
    # annotations' bytes: offsets, lines and columns must still be those of the file.
    path, text = _tricky_file(tmp_path)
    text = text.replace('"width": 50, "height": 50}', '"width": 50, "width": 51, "height": 50}', 1)
    text = text.replace('"name": "b"}', '"name": "b", "name": "bee"}')
    path.write_text(text)
    streamed = _read(path, monkeypatch, chunk=3)
    _assert_same(streamed, _read_whole(path, monkeypatch))
    rows = text.splitlines()
    expected = []
    for pointer, needle in (
        ("/images/0/width", '"width": 51'),
        ("/annotations/12/area", '"area": 24.0'),
        ("/categories/1/name", '"name": "bee"'),
    ):
        line = next(n for n, row in enumerate(rows, 1) if needle in row)
        expected.append((pointer, line, rows[line - 1].index(needle) + 1))
    repeats = [i for i in streamed.issues if "twice" in i.message]
    assert [(i.location.pointer, i.location.line, i.location.column) for i in repeats] == expected


@pytest.mark.parametrize(
    ("annotations", "pointer"),
    [
        ('[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}, 5]', "/annotations/1"),
        (
            '[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}, {"image_id": 1, "category_id": 1, "bbox": "x"}]',
            None,
        ),
        ("null", "/annotations"),
        ('{"image_id": 1}', "/annotations"),
    ],
)
def test_annotations_the_chunks_cannot_vouch_for_are_worded_by_the_whole_path(
    tmp_path, monkeypatch, annotations, pointer
):
    text = '{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": %s, "categories": [{"id": 1, "name": "a"}]}'
    path = tmp_path / "instances.json"
    path.write_text(text % annotations)
    streamed = _read(path, monkeypatch, chunk=1)
    assert _issues(streamed) == _issues(_read_whole(path, monkeypatch))
    found = [i.location.pointer for i in streamed.issues if i.code == "LL002"]
    assert found and (pointer is None or pointer in found), found
    if pointer is None:  # the second record's bbox is not a list of numbers
        assert any(p.startswith("/annotations/1") for p in found)


def test_broken_json_is_still_ll001_at_its_place(tmp_path, monkeypatch):
    path = tmp_path / "instances.json"
    path.write_text('{"images": [],\n "annotations": [{"image_id": 1,, "category_id": 1}]}')
    dataset = _read(path, monkeypatch, chunk=1)
    assert [(i.code, i.location.line) for i in dataset.issues] == [("LL001", 2)]


RAW = [b"[[1,2,3,4,5,6]]", b"[[10.5,20.25,30,40,50.125,60],[0,0,1,0,1,1,0,1]]", b"[[1,2,3,4,5]]", b"[[],[1,2,3,4,5,6]]"]
RAW += [b"[1,2,3,4,5,6]", b'{"size":[2,2],"counts":[1,2,1]}', b"[[1e400,2,3,4,5,6]]", b'[["x",1]]']


def _raw(text: bytes) -> msgspec.Raw:
    return msgspec.json.decode(b'{"s":' + text + b"}", type=dict[str, msgspec.Raw])["s"]


def test_columns_read_back_every_value_as_json_decodes_it():
    columns = SegmentationColumns.from_values({3 * k: _raw(text) for k, text in enumerate(RAW)})
    assert list(columns) == [3 * k for k in range(len(RAW))] and len(columns) == len(RAW)
    for k, text in enumerate(RAW):
        if b"1e400" in text:
            assert bytes(columns[3 * k]) == text  # no decoder reads it: kept raw, as written
        else:
            assert columns[3 * k] == json.loads(text)
    assert 1 not in columns and columns.get(1) is None
    again = pickle.loads(pickle.dumps(columns))
    assert dict(again.items()) == dict(columns.items())


def test_digests_tell_equal_polygons_from_different_ones():
    base = SegmentationColumns.from_values({0: _raw(b"[[1,2,3,4,5,6]]"), 1: _raw(b"[[1,2,3,4,5,7]]")})
    head = SegmentationColumns.from_values({0: _raw(b"[[1.0, 2.0, 3, 4, 5, 6]]"), 1: _raw(b"[[1,2,3,4],[5,7]]")})
    a, b = base.digests(), head.digests()
    assert a[0] == b[0] and a[0] != a[1] and a[1] != b[1] and (a != 0).all()


def test_concat_keeps_columns_and_shifts_them():
    first = SegmentationColumns.from_values({0: _raw(b"[[1,2,3,4,5,6]]")})
    second = {1: [[7.0, 8.0, 9.0, 10.0, 11.0, 12.0]]}  # a plain dict, as other readers give
    joined = Dataset.concat([_with(first, 2), _with(second, 3)])
    assert isinstance(joined.ann_segmentation, SegmentationColumns)
    assert dict(joined.ann_segmentation.items()) == {0: [[1, 2, 3, 4, 5, 6]], 3: second[1]}
    assert joined.ann_segmentation.flat.part_ann.tolist() == [0, 3]


def _with(segmentation, n: int) -> Dataset:
    dataset = Dataset()
    for name in ("ann_item", "ann_class", "ann_file", "ann_line", "ann_index"):
        setattr(dataset, name, np.zeros(n, np.int32))
    dataset.ann_ids, dataset.ann_box = np.arange(n), np.zeros((n, 4))
    dataset.ann_segmentation = segmentation
    return dataset


def test_dense_areas_read_as_the_areas_present():
    areas = DenseValues(np.array([1.5, np.nan, 0.0, 3.0]))
    assert areas == {0: 1.5, 2: 0.0, 3: 3.0} and len(areas) == 3 and list(areas) == [0, 2, 3]
    with pytest.raises(KeyError):
        areas[1]
    assert areas.get(7) is None and pickle.loads(pickle.dumps(areas)) == areas


@pytest.mark.parametrize(
    "fields",
    ['"iscrowd": 0, "iscrowd": 1', '"id": null, "id": null', '"extra": 1, "extra": 2', '"area": 1.0, "area": null'],
)
def test_a_key_twice_is_found_whatever_the_decoded_fields_say(tmp_path, monkeypatch, fields):
    plain = '{"id": %d, "image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], "area": 1.0, "iscrowd": 0}'
    records = [plain % k for k in range(4)]
    records[2] = '{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1], ' + fields + "}"
    text = '{"images": [{"id": 1, "file_name": "a.jpg"}], "categories": [{"id": 1, "name": "a"}],\n'
    text += ' "annotations": [\n' + ",\n".join(records) + "]}"
    path = tmp_path / "instances.json"
    path.write_text(text)
    key = fields.split('"')[1]
    for chunk in (1, 4):
        repeats = [i for i in _read(path, monkeypatch, chunk=chunk).issues if "twice" in i.message]
        assert [(i.location.pointer, i.location.line) for i in repeats] == [(f"/annotations/2/{key}", 5)]


def _mapped(path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> Dataset:
    """The reader on a map of the file (as the work tree gives files of 64 MiB and more), in runs of `chunk` bytes."""
    context = ReadContext(CONTEXT.read_bytes, CONTEXT.is_file, str, map_file=lambda p: map_file(p, min_size=0))
    with monkeypatch.context() as patch:
        patch.setattr(_coco_stream, "CHUNK_BYTES", chunk)
        return CocoReader().read_one(path, context)


@pytest.mark.parametrize("chunk", [1, 200, 1 << 20])
def test_a_mapped_file_reads_as_the_whole_document(tmp_path, monkeypatch, chunk):
    path, text = _tricky_file(tmp_path)
    mapped = _mapped(path, monkeypatch, chunk)
    _assert_same(mapped, _read_whole(path, monkeypatch))
    assert mapped.ann_ids.tolist()[:13] == [a["id"] for a in json.loads(text)["annotations"]][:13]


def _boundary_file(tmp_path: Path, newline: str, bom: bool) -> tuple[Path, str]:
    """Records whose strings and nested values hold what a run's end looks like (`},`, `}, {`),
    escaped quotes before them, nested segmentation arrays; a key repeated in a category after the
    annotations. Written with `newline` between lines, and a UTF-8 BOM if asked."""
    annotations = []
    for i in range(12):
        record = {"id": 100 + i, "image_id": 1, "category_id": 1, "bbox": [i, 1, 2, 2]}
        record["segmentation"] = [[i, 0, i + 2, 0, i + 2, 2], [0, 0, 1, 0, 1, 1, 0, 1]]
        annotations.append(record)
    annotations[2]["attributes"] = {"note": '}, {"image_id": 7, "category_id": 1},'}
    annotations[4]["attributes"] = {"note": 'a \\" }, ] ,[ "x'}
    annotations[6]["attributes"] = {"parts": [{"a": 1}, {"b": [{"c": 2}, {"d": 3}]}], "z": {"y": {}}}
    annotations[8]["attributes"] = {"note": "\\\\},"}
    body = "," + newline + "  "
    text = newline.join(
        [
            '{"images": [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],',
            ' "annotations": [',
            "  " + body.join(json.dumps(a) for a in annotations),
            " ],",
            ' "categories": [{"id": 1, "name": "a", "name": "again"}]',
            "}",
        ]
    )
    path = tmp_path / "instances.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path, text


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("chunk", [1, 90, 400, 1 << 20])
def test_runs_end_only_between_records(tmp_path, monkeypatch, newline, bom, chunk):
    path, text = _boundary_file(tmp_path, newline, bom)
    expected = json.loads(text)["annotations"]
    whole = _read_whole(path, monkeypatch)
    for dataset in (_read(path, monkeypatch, chunk), _mapped(path, monkeypatch, chunk)):
        assert dataset.ann_ids.tolist() == [a["id"] for a in expected]
        assert dataset.ann_box.tolist() == [a["bbox"] for a in expected]
        assert dataset.ann_attributes == {i: a["attributes"] for i, a in enumerate(expected) if "attributes" in a}
        _assert_same(dataset, whole)
        # The category's repeated `name`, after the annotations: its line and column in the file.
        lines = text.split(newline)
        line = next(n for n, row in enumerate(lines, 1) if '"again"' in row)
        column = lines[line - 1].index('"name": "again"') + 1 + (3 if bom and line == 1 else 0)
        repeats = [
            (i.location.pointer, i.location.line, i.location.column) for i in dataset.issues if "twice" in i.message
        ]
        assert repeats == [("/categories/0/name", line, column)]


def test_a_mapped_file_the_chunks_cannot_vouch_for_is_read_whole(tmp_path, monkeypatch):
    text = (
        '{"images": [{"id": 1, "file_name": "a.jpg"}], "annotations": [\n%s], "categories": [{"id": 1, "name": "a"}]}'
    )
    records = ['{"image_id": 1, "category_id": 1, "bbox": [0, 0, 1, 1]}'] * 3 + ['{"image_id": 1, "bbox": "x"}']
    path = tmp_path / "instances.json"
    path.write_text(text % ",\n".join(records))
    mapped = _mapped(path, monkeypatch, 1)
    assert _issues(mapped) == _issues(_read_whole(path, monkeypatch))
    assert any(i.code == "LL002" and i.location.pointer.startswith("/annotations/3") for i in mapped.issues)
