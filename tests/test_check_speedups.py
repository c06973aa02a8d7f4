"""The shortcuts on `check`'s hot paths give exactly what the plain computation gives: pointer lines
(with and without backslashes in the file), the box pairs that can reach an IoU limit, and LL303's image-hash cache."""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import problems_of, run_cli, write_coco

from labellint.model import Dataset
from labellint.readers import _jsonpos
from labellint.readers._jsonpos import locate_pointers
from labellint.rules import _geometry
from labellint.rules.base import RuleContext
from labellint.rules.conflicting_duplicates import CACHE_DIR, CACHE_FILE

_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


def _offsets(text: str) -> dict[str, int]:
    """Every pointer of a JSON text and the character offset where its value starts, from a
    small recursive parser (independent of the vectorised index)."""
    found: dict[str, int] = {}

    def blank(i: int) -> int:
        while text[i] in " \t\r\n":
            i += 1
        return i

    def value(i: int, pointer: str) -> int:
        i = blank(i)
        found[pointer] = i
        if text[i] == '"':
            return json.decoder.scanstring(text, i + 1)[1]
        if text[i] in "[{":
            closing, i = ("]" if text[i] == "[" else "}"), blank(i + 1)
            index = 0
            while text[i] != closing:
                if closing == "]":
                    i = value(i, f"{pointer}/{index}")
                else:
                    key, i = json.decoder.scanstring(text, blank(i) + 1)
                    i = value(blank(i) + 1, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")
                index += 1
                i = blank(i)
                if text[i] == ",":
                    i = blank(i + 1)
            return i + 1
        return _SCALAR.match(text, i).end()

    value(0, "")
    return found


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _document(rng: random.Random, backslashes: bool) -> dict:
    tricky = ["x]} , {", "k: [v]", "{[,:]}", "plain", ""]
    if backslashes:
        tricky += ['x]}", {', 'q"uo\\"te', "back\\slash\\", "\\", '"]', "tab\there"]
    return {
        "info": {"note": rng.choice(tricky), "a/b": [1, {"~x": rng.choice(tricky)}]},
        "images": [{"id": i, "file_name": rng.choice(tricky) + f"{i}.jpg", "w": 640} for i in range(40)],
        "annotations": [
            {"id": i, "bbox": [rng.random() * 100 for _ in range(4)], "seg": [[1.5, 2, 3]] * rng.randint(0, 2)}
            for i in range(60)
        ]
        + [[], {}, 7, "s", [[]]],
    }


@pytest.mark.parametrize("backslashes", [False, True], ids=["no-backslash", "backslashes"])
@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_every_pointer_gets_the_line_and_column_a_parser_finds(backslashes: bool, indent: int | str | None) -> None:
    rng = random.Random(f"{backslashes}{indent}")
    text = json.dumps(_document(rng, backslashes), indent=indent, ensure_ascii=False)
    assert ("\\" in text) == backslashes
    expected = {p: _line_column(text, offset) for p, offset in _offsets(text).items()}
    # Character offsets equal byte offsets only for ASCII; the documents here are ASCII.
    assert text.isascii()
    missing = ["/annotations/65", "/nope", "/info/note/x", "/images/x", "/annotations/60/0", "/info/a~1b/2"]
    found = locate_pointers(text.encode(), [*expected, *missing])
    assert found == expected
    assert len(expected) > 600


def test_pointer_lines_are_the_same_when_the_index_is_built_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    text = json.dumps(_document(random.Random(5), True), indent=1)
    expected = {p: _line_column(text, offset) for p, offset in _offsets(text).items()}
    monkeypatch.setattr(_jsonpos, "_CHUNK", 7)  # brackets and quotes split across many chunks
    assert locate_pointers(text.encode(), list(expected)) == expected


def test_pairs_reaching_a_limit_are_every_pair_whose_iou_reaches_it() -> None:
    rng = np.random.default_rng(3)
    n = 4000
    boxes = np.column_stack([rng.uniform(0, 50, n), rng.uniform(0, 50, n), rng.lognormal(2, 0.6, (n, 2))])
    # Awkward boxes: exact copies, scaled copies, zero/negative sizes, inf and NaN, huge offsets.
    boxes[1:200:2] = boxes[0:200:2]
    boxes[201:400:2, 2:] = boxes[200:400:2, 2:] * 0.9
    boxes[400:410, 2] = 0
    boxes[410:420, 3] = -3
    boxes[420:425, 0] = np.inf
    boxes[425:427, 0], boxes[425:427, 2] = -np.inf, np.inf
    boxes[427:430, 1] = np.nan
    boxes[430:440, :2] = 1e15
    boxes[440:450, 2:] = np.inf
    items = rng.integers(0, 60, n).astype(np.int32)  # some 130k same-item pairs
    items[:450] = np.arange(450) // 2  # each awkward box beside its twin
    dataset = Dataset(ann_item=items, ann_box=boxes, ann_class=np.zeros(n, np.int32))
    dataset.item_file = np.zeros(300, np.int32)
    context = RuleContext(dataset, None)
    first, second = (np.concatenate(side) for side in zip(*_geometry.same_item_pairs(context), strict=True))
    iou = _geometry.pair_iou(boxes, first, second)  # every pair, plainly
    for floor in (0.0, 0.3, 0.5, 0.81, 0.9, 1.0, -1.0):
        got_first, got_second, got_iou = _geometry.reaching_pairs(context, np.array([np.nan, floor, 1.0]))
        reached = iou >= floor
        assert reached.sum() > 0, floor
        assert got_first.tolist() == first[reached].tolist(), floor  # the same pairs, in the same order
        assert got_second.tolist() == second[reached].tolist(), floor
        assert got_iou.tobytes() == iou[reached].tobytes(), floor  # the same numbers, bit for bit
    assert [len(side) for side in _geometry.reaching_pairs(context, np.array([np.nan]))] == [0, 0, 0]


def _duplicates_dataset(tmp_path: Path) -> Path:
    images = [{"id": i, "file_name": f"{i}.jpg", "width": 10, "height": 10} for i in (1, 2, 3)]
    annotations = [{"id": i, "image_id": i, "category_id": 1 if i == 1 else 2, "bbox": [1, 1, 4, 4]} for i in (1, 2, 3)]
    categories = [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}]
    return write_coco(tmp_path / "labels" / "train.json", images, annotations, categories)


def _ll303_items(tmp_path: Path) -> list[str]:
    result = run_cli("check", "--format", "json", "--select", "LL303", "--exit-zero", "labels/train.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    return [p["item"] for p in problems_of(result)]


def test_images_are_hashed_once_and_cached_by_size_and_mtime(tmp_path: Path) -> None:
    labels = _duplicates_dataset(tmp_path)  # image 1 is a cat, images 2 and 3 are dogs
    assert _ll303_items(tmp_path) == []  # no image files: nothing to compare, and no cache written
    assert not (labels.parent / CACHE_DIR).exists()

    folder = tmp_path / "images"  # ../images, seen from the labels folder
    folder.mkdir()
    for name, content in (("1.jpg", b"AAAA"), ("2.jpg", b"BBBB"), ("3.jpg", b"AAAA")):
        (folder / name).write_bytes(content)
    assert _ll303_items(tmp_path) == ["3"]  # 3 has 1's bytes but another label
    cache = labels.parent / CACHE_DIR / CACHE_FILE
    assert sorted(json.loads(cache.read_text())["files"]) == ["../images/1.jpg", "../images/2.jpg", "../images/3.jpg"]
    assert (labels.parent / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"

    # Same size and mtime: the cached hash is trusted, so 2.jpg is not read again and still differs.
    stat = (folder / "2.jpg").stat()
    (folder / "2.jpg").write_bytes(b"AAAA")
    os.utime(folder / "2.jpg", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _ll303_items(tmp_path) == ["3"]
    # A new mtime means a new hash: now 2.jpg has 1's bytes too.
    os.utime(folder / "2.jpg", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert _ll303_items(tmp_path) == ["2", "3"]
    (folder / "2.jpg").unlink()
    assert _ll303_items(tmp_path) == ["3"]
    assert sorted(json.loads(cache.read_text())["files"]) == ["../images/1.jpg", "../images/3.jpg"]


def test_a_broken_or_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    labels = _duplicates_dataset(tmp_path)
    for name, content in (("1.jpg", b"A"), ("2.jpg", b"B"), ("3.jpg", b"A")):
        (labels.parent / name).write_bytes(content)  # images right next to the JSON
    (labels.parent / CACHE_DIR).mkdir()
    (labels.parent / CACHE_DIR / CACHE_FILE).write_text("{not json")
    assert _ll303_items(tmp_path) == ["3"]
    assert json.loads((labels.parent / CACHE_DIR / CACHE_FILE).read_text())["version"] == 1
    (labels.parent / CACHE_DIR / CACHE_FILE).unlink()
    (labels.parent / CACHE_DIR).chmod(0o500)
    try:
        assert _ll303_items(tmp_path) == ["3"]
    finally:
        (labels.parent / CACHE_DIR).chmod(0o700)
