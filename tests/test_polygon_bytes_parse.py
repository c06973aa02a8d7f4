"""The raw-bytes polygon parser gives exactly what decoding every segmentation with msgspec gives."""

from __future__ import annotations

import random

import msgspec
import numpy as np
import pytest

from labellint.segmentation import flatten as _segmentation
from labellint.segmentation.flatten import Segmentations, _parse_raw_polygons
from labellint.segmentation.flatten import flatten as _flatten

PLAIN = [
    b"[[1,2,3,4,5,6]]",
    b"[[10.5,20.25,30,40,50.125,60],[0,0,1,0,1,1,0,1]]",
    b"[ [1 , 2,\n3,4,\t5,6] ,[7,8,9,10,11,12]\r\n]",
    b"[[-0,0.0,-0.0,1e-400,1E+2,2.5e-3]]",
    b"[[18446744073709551616,9007199254740993,123456789012345678901234567890,0.1,0.30000000000000004,1.7976931348623157e308]]",
    b"[[1,2,3,4,5]]",  # odd number of coordinates
    b"[[1,2,3,4,5,6],[1,2,3]]",
]
ODD = [
    b"[[],[1,2,3,4,5,6]]",
    b"[[5],[1,2,3,4,5,6]]",
    b"[1,2,3,4,5,6]",
    b"[[1,2,3,4,5,6],7]",
    b"[7,[1,2,3,4,5,6]]",
    b"[[[1,2]],[1,2,3,4,5,6]]",
    b'[[1,"a]",3,4,5,6]]',
    b'[["[",1]]',
    b"[[true,1,2,3,4,5]]",
    b"[[null]]",
    b'{"size":[2,2],"counts":[1,2,1]}',
    b'{"size":[2,2],"counts":"0"}',
    b"[]",
    b"null",
    b"5",
    b"-5",
    b'"polygon"',
]
OUT_OF_RANGE = [b"[[1e400,2,3,4,5,6]]", b"[[1,2],[3,-1e999,5,6]]"]


def _raw(text: bytes) -> msgspec.Raw:
    """A msgspec.Raw as readers keep it: a slice of a decoded document."""
    return msgspec.json.decode(b'{"s":' + text + b"}", type=dict[str, msgspec.Raw])["s"]


def _old_path(values: dict, monkeypatch: pytest.MonkeyPatch) -> Segmentations:
    with monkeypatch.context() as patch:
        patch.setattr(_segmentation, "_parse_raw_polygons", lambda v: (_segmentation._NO_PARTS, [], v))
        return _flatten(values)


def _assert_identical(new: Segmentations, old: Segmentations) -> None:
    for name in ("points", "part_start", "part_size", "part_ann", "part_number"):
        a, b = getattr(new, name), getattr(old, name)
        assert a.dtype == b.dtype and a.shape == b.shape, name
        assert a.tobytes() == b.tobytes(), name  # bit for bit, the sign of zeros included
    assert new.odd_parts == old.odd_parts
    assert new.malformed == old.malformed
    assert new.rle.keys() == old.rle.keys()
    for key, (height, width, runs) in new.rle.items():
        assert (height, width) == old.rle[key][:2] and np.array_equal(runs, old.rle[key][2])


@pytest.mark.parametrize("text", PLAIN + ODD + OUT_OF_RANGE)
def test_each_record_alone_matches_the_decoding_path(text, monkeypatch):
    values = {3: _raw(text)}
    _assert_identical(_flatten(values), _old_path(values, monkeypatch))


def test_mixed_batch_matches_the_decoding_path(monkeypatch):
    texts = PLAIN * 3 + ODD
    random.Random(7).shuffle(texts)
    values = {index * 2: _raw(text) for index, text in enumerate(texts)}
    values[1] = [[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]]  # an already decoded value among the raw ones
    _assert_identical(_flatten(values), _old_path(values, monkeypatch))


def test_batch_with_a_number_beyond_float_range_keeps_its_message(monkeypatch):
    values = {index: _raw(text) for index, text in enumerate(PLAIN + OUT_OF_RANGE)}
    new = _flatten(values)
    _assert_identical(new, _old_path(values, monkeypatch))
    assert new.malformed[len(PLAIN)] == "polygon 1 has a coordinate that is not a finite number"
    assert new.malformed[len(PLAIN) + 1] == "polygon 2 has a coordinate that is not a finite number"


def test_plain_polygons_take_the_bytes_path_and_odd_records_do_not():
    values = {index: _raw(text) for index, text in enumerate(PLAIN + ODD)}
    parts, _odd, left = _parse_raw_polygons(values)
    assert sorted(left) == list(range(len(PLAIN), len(PLAIN) + len(ODD)))
    assert sorted(set(parts.ann.tolist())) == [i for i, t in enumerate(PLAIN) if t != b"[[1,2,3,4,5]]"]


def test_numbers_parse_to_the_correctly_rounded_double():
    rng = random.Random(11)
    texts = []
    for _ in range(20_000):
        kind = rng.randrange(4)
        if kind == 0:
            texts.append(repr(rng.uniform(-1e4, 1e4)))
        elif kind == 1:
            texts.append(f"{rng.uniform(0, 2000):.{rng.randrange(0, 4)}f}")
        elif kind == 2:
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 30)))
            texts.append(f"{rng.choice(['', '-'])}{int(digits)}.{digits}e{rng.randrange(-340, 270)}")
        else:
            texts.append(str(rng.randrange(-(2**70), 2**70)))
    polygons = [texts[i : i + 6] for i in range(0, len(texts), 6)]
    values = {i: _raw(("[[" + ",".join(p) + "]]").encode()) for i, p in enumerate(polygons)}
    parts, _odd, left = _parse_raw_polygons(values)
    even = [p for p in polygons if len(p) % 2 == 0]
    assert len(left) == 0
    expected = np.array([float(t) for p in even for t in p])
    assert parts.coords.tobytes() == expected.tobytes()
    assert parts.sizes.tolist() == [len(p) // 2 for p in even]
