"""`check --jobs 2` (local processes) and `--executor dask` (a real scheduler and two workers on
127.0.0.1) give the single-process JSON report, including LL003, LL302 and LL303 findings whose
records sit in different shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

# 200 files, YOLO then VOC; with one file per shard (--shard-size 1) the pairs below sit in different shards.
YOLO_FILES, VOC_FILES = 150, 50


def _voc(name: str, image: str, box: tuple[int, int, int, int]) -> str:
    x0, y0, x1, y1 = box
    return (
        f"<annotation><folder>lot</folder><filename>{image}</filename>"
        "<size><width>64</width><height>64</height><depth>3</depth></size>"
        f"<object><name>{name}</name><bndbox><xmin>{x0}</xmin><ymin>{y0}</ymin>"
        f"<xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object></annotation>\n"
    )


def make_dataset(root: Path) -> Path:
    """150 YOLO label files (one class used once: LL302) and 50 VOC files with their images (two
    images byte-identical and labelled differently: LL303; two files naming one image: LL003)."""
    from PIL import Image

    labels, voc = root / "yolo" / "labels", root / "voc"
    for folder in (labels, voc):
        folder.mkdir(parents=True)
    (labels / "classes.txt").write_text("car\ntruck\nbus\nbike\n")
    for k in range(YOLO_FILES):
        cls = 3 if k == 149 else k % 3
        extra = "0 0.2 0.2 0.1 0.1\n" if k % 2 else "1 0.95 0.5 0.3 0.3\n"  # out of the image: LL201
        (labels / f"im{k:03d}.txt").write_text(f"{cls} 0.5 0.5 0.25 0.25\n{extra}")
    for k in range(VOC_FILES):
        image = "v003.png" if k == 45 else f"v{k:03d}.png"
        colour = (7, 7, 7) if k in (7, 40) else (k, 255 - k, (k * 37) % 256)
        Image.new("RGB", (64, 64), colour).save(voc / image) if k != 45 else None
        name = "truck" if k in (40, 45) else "car"
        (voc / f"v{k:03d}.xml").write_text(_voc(name, image, (1, 1, 9 + k % 40, 20)))
    return root


def _check(root: Path, *extra: str) -> dict:
    result = run_cli("check", "--format", "json", "--exit-zero", "--select", "ALL", "yolo", "voc", *extra, cwd=root)
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    document["tool"].pop("version")
    return document


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = make_dataset(tmp_path_factory.mktemp("shards"))
    single = _check(root)
    codes = {p["code"] for p in single["problems"]}
    assert {"LL003", "LL302", "LL303", "LL201"} <= codes, codes  # LL201 runs on the workers
    # The findings span shards: each names a record of another file than its own.
    spanning = [p for p in single["problems"] if p["code"] in ("LL003", "LL303")]
    assert any("v003.xml" in p["message"] and p["path"].endswith("v045.xml") for p in spanning), spanning
    assert any("v007.xml" in p["message"] and p["path"].endswith("v040.xml") for p in spanning), spanning
    assert single["summary"]["files"] == YOLO_FILES + VOC_FILES
    return root, single


def test_jobs_2_gives_the_single_process_report(dataset: tuple[Path, dict]) -> None:
    root, single = dataset
    assert _check(root, "--jobs", "2", "--shard-size", "1") == single
    assert _check(root, "--jobs", "2") == single  # automatic shard size (8 shards)
