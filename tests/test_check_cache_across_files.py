"""`check --cache` with findings that span label files: an edit of one file changes LL003, LL302 and
LL303 findings on another file exactly as a `--no-cache` run does, with the group's cache cut into
chunks (two files each here) that are read, stored and damaged apart."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_cli

from labellint.commands import check_cache

PAST = time.time() - 3600  # stats an hour old are trusted (a stat taken just after a write is not)
EDITS = itertools.count()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch) -> None:
    monkeypatch.setenv("LABELLINT_CACHE", "1")  # the cache is opt-in
    monkeypatch.setattr(check_cache, "CHUNK_FILES", 2)


def write(path: Path, text: str) -> None:
    """`text` written with an mtime an hour old and new to this file (so its stat is trusted, and
    an edit of the same size is still seen: the cache keys a file by size and mtime)."""
    path.write_text(text)
    older = PAST - next(EDITS)
    os.utime(path, (older, older))


def check(root: Path, *extra: str) -> str:
    result = run_cli("check", "--format", "json", "--exit-zero", "labels", *extra, cwd=root)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def warm_equals_uncached(root: Path) -> list[dict]:
    """The warm report, checked against a --no-cache run of the same tree; its problems."""
    warm = check(root)
    assert warm == check(root, "--no-cache")
    return json.loads(warm)["problems"]


def entries(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / ".labellint_cache").glob("files-*.pickle")}


def labelme(image: str, labels: list[str]) -> str:
    """A LabelMe file (as LabelMe 5 writes it) boxing each label once in a 640x480 image."""
    shapes = [
        {"label": label, "points": [[10 + k, 10], [60 + k, 50]], "group_id": None, "shape_type": "rectangle"}
        for k, label in enumerate(labels)
    ]
    document = {"version": "5.4.1", "flags": {}, "shapes": shapes, "imagePath": image, "imageData": None}
    return json.dumps({**document, "imageHeight": 480, "imageWidth": 640}, indent=2)


def test_an_edit_that_makes_and_removes_a_duplicate_image_id_in_another_chunk(tmp_path: Path) -> None:
    """LabelMe files share one namespace of image ids: f5 naming f0's image is LL003 on f5,
    pointing back at f0, which sits in another chunk whose entry stays as it was."""
    root = tmp_path / "project"
    labels = root / "labels"
    labels.mkdir(parents=True)
    for k in range(6):
        write(labels / f"f{k}.json", labelme(f"im{k}.jpg", ["car", "truck"]))
    cold = check(root)
    assert cold == check(root, "--no-cache")
    assert len(entries(root)) == 3  # six files, two per chunk
    assert not [p for p in json.loads(cold)["problems"] if p["code"] == "LL003"]
    before = entries(root)

    write(labels / "f5.json", labelme("im0.jpg", ["car", "truck"]))
    duplicates = [p for p in warm_equals_uncached(root) if p["code"] == "LL003"]
    assert [(p["path"], "im0.jpg" in p["message"], "f0.json" in p["message"]) for p in duplicates] == [
        ("labels/f5.json", True, True)
    ]
    after = entries(root)
    assert [name for name in before if before[name] != after[name]] == [max(before)]  # f4-f5's chunk alone

    write(labels / "f5.json", labelme("im5.jpg", ["car", "truck"]))
    assert not [p for p in warm_equals_uncached(root) if p["code"] == "LL003"]


def test_an_edit_that_makes_a_class_rare_across_files(tmp_path: Path) -> None:
    """LL302 counts every file: a class made rare by edits of other files is reported at its first
    annotation, which lies in a file the run did not read again."""
    root = tmp_path / "project"
    labels = root / "labels"
    labels.mkdir(parents=True)
    write(root / "data.yaml", "names:\n  0: car\n  1: truck\n  2: bus\n  3: bike\n")
    rows = {k: f"{k % 4} 0.5 0.5 0.1 0.1\n" * 10 for k in range(8)}  # ten boxes of one class per file
    for k, text in rows.items():
        write(labels / f"{k:02d}.txt", text)
    assert check(root) == check(root, "--no-cache")
    assert not [p for p in json.loads(check(root))["problems"] if p["code"] == "LL302"]

    # The bikes of 03 and 07 (other chunks than 00, the first car) become cars but one.
    write(labels / "03.txt", "3 0.5 0.5 0.1 0.1\n" + "0 0.5 0.5 0.1 0.1\n" * 9)
    write(labels / "07.txt", "0 0.5 0.5 0.1 0.1\n" * 10)
    rare = [p for p in warm_equals_uncached(root) if p["code"] == "LL302"]
    counts = {name: 0 for name in ("car", "truck", "bus", "bike")}
    for path in sorted(labels.glob("*.txt")):
        for line in path.read_text().splitlines():
            counts[["car", "truck", "bus", "bike"][int(line.split()[0])]] += 1
    assert counts == {"car": 39, "truck": 20, "bus": 20, "bike": 1}  # bike under 0.1x the median (20)
    assert [(p["path"], p["line"], "'bike' has 1 annotation" in p["message"]) for p in rare] == [
        ("labels/03.txt", 1, True)
    ]

    write(labels / "07.txt", rows[7])
    assert not [p for p in warm_equals_uncached(root) if p["code"] == "LL302"]


def test_an_edit_that_makes_two_files_disagree_on_one_text(tmp_path: Path) -> None:
    """LL303 across JSONL files: the same text labelled differently in a file of another chunk,
    and agreeing again after the next edit."""
    root = tmp_path / "project"
    labels = root / "labels"
    labels.mkdir(parents=True)

    def rows(*pairs: tuple[str, str]) -> str:
        return "".join(json.dumps({"text": text, "label": label}) + "\n" for text, label in pairs)

    write(labels / "a.jsonl", rows(("Crash on startup", "bug"), ("Typo in the guide", "docs")))
    for name in "bcde":
        write(labels / f"{name}.jsonl", rows((f"Issue {name}", "bug")))
    assert check(root) == check(root, "--no-cache")
    assert len(entries(root)) == 3

    write(labels / "e.jsonl", rows(("Issue e", "bug"), ("crash  on STARTUP", "docs")))
    conflicts = [p for p in warm_equals_uncached(root) if p["code"] == "LL303"]
    assert [(p["path"], p["line"], "labels/a.jsonl line 1" in p["message"]) for p in conflicts] == [
        ("labels/e.jsonl", 2, True)
    ]

    write(labels / "e.jsonl", rows(("Issue e", "bug"), ("crash  on STARTUP", "bug")))
    assert not [p for p in warm_equals_uncached(root) if p["code"] == "LL303"]


def test_a_damaged_chunk_is_a_miss_of_its_own_files(tmp_path: Path) -> None:
    root = tmp_path / "project"
    labels = root / "labels"
    labels.mkdir(parents=True)
    for k in range(6):
        write(labels / f"f{k}.json", labelme(f"im{k % 5}.jpg", ["car"]))  # f5 repeats f0's image: LL003
    expected = check(root, "--no-cache")
    assert check(root) == expected
    first = min(entries(root))
    (root / ".labellint_cache" / first).write_bytes(b"not a cache entry")
    assert check(root) == expected
    assert entries(root)[first] != b"not a cache entry"  # read again and stored again
    assert check(root) == expected


def test_concurrent_runs_over_several_chunks_each_get_the_full_report(tmp_path: Path) -> None:
    """Fresh processes (the real chunk size: 2,050 files make three chunks) started together after
    edits in the first and last chunk: each report is the --no-cache report; the entries left
    behind are whole (the next run reads them and gives the same report)."""
    root = tmp_path / "project"
    labels = root / "labels"
    labels.mkdir(parents=True)
    write(root / "data.yaml", "names:\n  0: car\n  1: truck\n  2: bus\n")
    for k in range(2050):
        write(labels / f"{k:05d}.txt", f"{k % 3} 0.5 0.5 0.1 0.1\n")
    command = [sys.executable, "-m", "labellint", "check", "--format", "json", "--exit-zero", "labels"]
    subprocess.run(command, cwd=root, capture_output=True, check=True, env={**os.environ, "LABELLINT_CACHE": "1"})
    assert len(entries(root)) == 3
    write(labels / "00003.txt", "0 0.5 0.5 0.1 0.1\n1 0.5 0.5 1.5 0.1\n")  # LL201: out of the image
    write(labels / "02049.txt", "0 0.5 0.5 0.1 0.1\n0 0.5 0.5 0.1 0.1\n")  # LL205: a duplicate box
    expected = check(root, "--no-cache")
    assert {"LL201", "LL205"} <= {p["code"] for p in json.loads(expected)["problems"]}
    environment = {**os.environ, "LABELLINT_CACHE": "1"}
    runs = [subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)]
    runs += [subprocess.Popen(command, cwd=root, env=environment, stdout=subprocess.PIPE) for _ in range(3)]
    for run in runs:
        stdout, stderr = run.communicate()
        assert b"Traceback" not in (stderr or b"")
        assert stdout.decode() == expected
    assert check(root) == expected
