"""`check --jobs 2` (local processes) and `--executor dask` (a real scheduler and two workers on
127.0.0.1) give the single-process JSON report, including LL003, LL302 and LL303 findings whose
records sit in different shards; `report --jobs 2` / `--scheduler` draw the single-process page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
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


def _report_page(root: Path, *extra: str) -> str:
    """`labellint report` on the dataset; the page without its one varying line (how long it took)."""
    out = root / f"report{len(list(root.glob('report*.html')))}.html"
    result = run_cli("report", "--select", "ALL", "yolo", "voc", "-o", str(out), *extra, cwd=root)
    assert result.exit_code == 0, result.stderr
    return re.sub(r"Made in [0-9.]+ s\.", "Made in _ s.", out.read_text())


@pytest.fixture(scope="module")
def single_page(dataset: tuple[Path, dict]) -> str:
    root, single = dataset
    page = _report_page(root)
    # The page shows the findings that span shards, and draws items from both readers' shards.
    for problem in single["problems"]:
        if problem["code"] in ("LL003", "LL303"):
            assert problem["message"] in page, problem["message"]
    assert "v040.png" in page and "im149" in page
    return page


def test_report_jobs_2_gives_the_single_process_page(dataset: tuple[Path, dict], single_page: str) -> None:
    root, _ = dataset
    assert _report_page(root, "--jobs", "2", "--shard-size", "1") == single_page
    assert _report_page(root, "--jobs", "2") == single_page


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1 (random ports), each
    started in a folder of its own: workers find label files by absolute path, not their cwd."""
    distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")
    home = tmp_path_factory.mktemp("dask")
    address_file = home / "scheduler.json"
    common = ["--no-dashboard"]
    scheduler = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0"]
    processes = [subprocess.Popen([*scheduler, *common, "--scheduler-file", str(address_file)], cwd=home)]
    try:
        deadline = time.monotonic() + 60
        while not address_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(address_file.read_text())["address"]
        for k in range(2):
            (home / f"w{k}").mkdir()
            worker = [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1"]
            processes.append(subprocess.Popen([*worker, *common, "--host", "127.0.0.1"], cwd=home / f"w{k}"))
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_a_dask_cluster_gives_the_single_process_report(dataset: tuple[Path, dict], dask_cluster: str) -> None:
    root, single = dataset
    assert dask_cluster.startswith("tcp://127.0.0.1:")
    assert _check(root, "--executor", "dask", "--scheduler", dask_cluster, "--shard-size", "1") == single
    assert _check(root, "--scheduler", dask_cluster) == single  # an address alone means Dask


def test_the_cache_on_a_dask_cluster_gives_the_single_process_report(
    dataset: tuple[Path, dict], dask_cluster: str, tmp_path: Path
) -> None:
    """`check --cache --scheduler`: the changed files go to workers that run in folders of their
    own (by absolute path), come back under the paths the driver knows, and the entries written
    serve a run without Dask."""
    root, _ = dataset
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    expected = _check(copy)
    assert _check(copy, "--cache", "--scheduler", dask_cluster, "--shard-size", "1") == expected
    assert list((copy / ".labellint_cache").glob("files-*.pickle"))
    assert _check(copy, "--cache") == expected


def test_report_on_a_dask_cluster_gives_the_single_process_page(
    dataset: tuple[Path, dict], single_page: str, dask_cluster: str
) -> None:
    root, _ = dataset
    assert _report_page(root, "--scheduler", dask_cluster, "--shard-size", "1") == single_page


@pytest.mark.parametrize("command", ["check", "report"])
def test_without_dask_installed_the_message_names_the_extra(dataset: tuple[Path, dict], command: str) -> None:
    root, _ = dataset
    code = "import sys; sys.modules['distributed'] = None; from labellint.cli import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, command, "--executor", "dask", "yolo"], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].endswith("pip install 'labellint-git[dask]'"), done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_issue_read_by_several_shards_is_reported_once() -> None:
    from conftest import REPO_ROOT

    folder = REPO_ROOT / "rules" / "LL001-unreadable-file"
    args = ["check", "--format", "json", "--exit-zero", "--select", "ALL", "bad"]
    single = run_cli(*args, cwd=folder)
    sharded = run_cli(*args, "--jobs", "2", "--shard-size", "1", cwd=folder)
    assert sharded.stdout == single.stdout
    assert sum('"bad/yolo/data.yaml"' in line for line in single.stdout.splitlines()) == 1
