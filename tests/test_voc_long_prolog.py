"""A VOC file whose <annotation> starts after the sniffed head (a long licence comment or DTD) is read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import problems_of, run_cli

from labellint.readers.base import SNIFF_BYTES

COMMENT = b"<!-- " + b"Licence: CC BY 4.0, reproduced in full for every file. " * 1900 + b"-->\n"
DTD = b"<!DOCTYPE annotation [\n" + b"<!-- element notes -->\n" * 4500 + b"<!ELEMENT annotation ANY>\n]>\n"


def _broken_voc(prolog: bytes) -> tuple[bytes, int]:
    """A real raccoon VOC file with its first box pushed past the right edge, after `prolog`;
    and the number of boxes it holds (counted with plain xml)."""
    raw = shared_path("data", "voc", "raccoon", "annotations", "raccoon-1.xml").read_bytes()
    root = ET.fromstring(raw)
    width = int(root.findtext("size/width"))
    xmax = root.find("object/bndbox/xmax").text
    broken = raw.replace(f"<xmax>{xmax}</xmax>".encode(), f"<xmax>{width + 50}</xmax>".encode(), 1)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + prolog + broken, len(root.findall("object"))


PI = b"<?xml-stylesheet href='voc.xsl'?>\n"


@pytest.mark.parametrize("prolog", [COMMENT, PI + COMMENT + PI], ids=["comment", "comment-and-instructions"])
def test_voc_after_a_long_prolog_is_read_and_its_broken_box_reported(tmp_path: Path, prolog: bytes) -> None:
    assert len(prolog) > SNIFF_BYTES + 30_000  # the root starts well after what is sniffed
    data, boxes = _broken_voc(prolog)
    (tmp_path / "voc").mkdir()
    (tmp_path / "voc" / "raccoon-1.xml").write_bytes(data)
    for given in ("voc", "voc/raccoon-1.xml"):  # found in a folder scan, and named
        result = run_cli("check", "--format", "json", given, cwd=tmp_path)
        assert result.exit_code == 1, result.stdout + result.stderr
        report = json.loads(result.stdout)
        assert report["summary"]["files"] == 1 and report["summary"]["annotations"] == boxes
        problems = problems_of(result)
        assert [(p["code"], p["path"]) for p in problems] == [("LL201", "voc/raccoon-1.xml")]
        assert "skipped" not in result.stderr


def test_voc_after_a_long_dtd_is_claimed_and_the_dtd_refused(tmp_path: Path) -> None:
    """A DTD is refused in label files (entity expansion); the file is named, never skipped."""
    assert len(DTD) > SNIFF_BYTES
    (tmp_path / "voc").mkdir()
    (tmp_path / "voc" / "raccoon-1.xml").write_bytes(_broken_voc(DTD)[0])
    result = run_cli("check", "--format", "json", "voc", cwd=tmp_path)
    assert result.exit_code == 1
    problems = problems_of(result)
    assert [(p["code"], p["path"], p["line"]) for p in problems] == [("LL001", "voc/raccoon-1.xml", 2)]
    assert "DTD" in problems[0]["message"]


def test_an_xml_file_that_is_all_comment_is_skipped_not_hung_on(tmp_path: Path) -> None:
    """No root element within the bound: still one skipped file in the note, never a hang or a claim."""
    (tmp_path / "voc").mkdir()
    (tmp_path / "voc" / "notes.xml").write_bytes(b"<?xml version='1.0'?>\n<!-- " + b"x" * (SNIFF_BYTES * 3))
    result = run_cli("check", "voc", cwd=tmp_path)
    assert result.exit_code == 1  # paths were given and nothing in them is labels
    assert "no label files found" in result.stdout + result.stderr
