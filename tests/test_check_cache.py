"""`check`'s incremental cache (.labellint_cache/): a warm run gives the cold run's JSON report
byte for byte, reads only changed files, and never trusts an entry it should not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import run_cli

# A local rule that logs every item it checks (so a test sees which files went through the
# per-item rules) and flags items whose name contains "odd".
COUNTING_RULE = '''\
"""A rule that notes each item it checks."""

from pathlib import Path

from labellint.rules import Finding, Rule, RuleOptions, Scope


class Options(RuleOptions):
    word: str = "odd"


class Noted(Rule):
    """An item whose file name contains a word."""

    code = "TEAM001"
    name = "noted"
    scope = Scope.ITEM
    Options = Options

    def check_item(self, item, context):
        name = context.dataset.item_names[item] or ""
        with open(Path(__file__).with_name("checked.log"), "a") as log:
            log.write(name + "\\n")
        if self.options.word in name:
            yield Finding(f"{name} has {self.options.word}")
'''
FILES = 30
PAST = time.time() - 3600  # stats an hour old are trusted (a stat taken just after a write is not)


def make_project(root: Path) -> Path:
    """A git work tree with 30 YOLO files (boxes out of the image: LL201; an unknown class index:
    LL101; a broken line: LL002; one class used once: LL302), a names file and a local rule."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    labels = root / "data" / "labels"
    labels.mkdir(parents=True)
    (root / "data" / "data.yaml").write_text("names:\n  0: car\n  1: truck\n  2: bus\n  3: bike\n")
    for k in range(FILES):
        cls = 3 if k == 29 else k % 3
        rows = [f"{cls} 0.5 0.5 0.25 0.25\n"]
        rows.append("1 0.95 0.5 0.3 0.3\n" if k % 4 == 0 else "0 0.2 0.2 0.1 0.1\n")
        if k == 7:
            rows.append("9 0.5 0.5 0.1 0.1\n")
        if k == 11:
            rows.append("2 0.5 zero 0.1 0.1\n")
        name = f"odd{k:02d}.txt" if k == 13 else f"im{k:02d}.txt"
        (labels / name).write_text("".join(rows))
    (root / "tools").mkdir()
    (root / "tools" / "team_rules.py").write_text(COUNTING_RULE)
    (root / "labellint.toml").write_text('plugins = ["tools/team_rules.py"]\nselect = ["ALL"]\n')
    age(root)
    return root


def age(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (PAST, PAST))


def check(root: Path, *extra: str) -> str:
    result = run_cli("check", "--format", "json", "--exit-zero", "data", *extra, cwd=root)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def check_in_process_of_its_own(root: Path, *extra: str) -> str:
    command = [sys.executable, "-m", "labellint", "check", "--format", "json", "--exit-zero", "data", *extra]
    run = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    assert "Traceback" not in run.stderr
    return run.stdout


def checked(root: Path) -> list[str]:
    """The items the counting rule saw since the last call."""
    log = root / "tools" / "checked.log"
    seen = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return seen


@pytest.fixture(autouse=True)
def with_the_cache(monkeypatch) -> None:
    monkeypatch.setenv("LABELLINT_CACHE", "1")  # the cache is opt-in


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


def test_warm_run_gives_the_cold_report_and_checks_no_file_again(project: Path) -> None:
    uncached = check(project, "--no-cache")
    assert not (project / ".labellint_cache").exists()  # --no-cache writes nothing
    assert len(checked(project)) == FILES
    codes = {p["code"] for p in json.loads(uncached)["problems"]}
    assert {"LL201", "LL004", "LL002", "LL302", "TEAM001"} <= codes

    assert check(project) == uncached  # cold: reads everything, writes the cache
    assert len(checked(project)) == FILES
    cache = project / ".labellint_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    status = subprocess.run(["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True).stdout
    assert ".labellint_cache" not in status

    assert check(project) == uncached  # warm: every file from the cache
    assert checked(project) == []


def test_an_edited_file_alone_is_read_again(project: Path) -> None:
    check(project)
    checked(project)
    edited = project / "data" / "labels" / "im05.txt"
    edited.write_text("1 0.5 0.5 0.25 0.25\n1 1.2 0.5 0.3 0.3\n")
    warm = check(project)
    assert checked(project) == ["data/labels/im05"]
    assert warm == check(project, "--no-cache")
    lines = [p["line"] for p in json.loads(warm)["problems"] if p["path"].endswith("im05.txt")]
    assert lines == [2]  # the new out-of-image box, on the new line


def test_an_unchanged_stat_is_trusted_and_a_changed_one_is_hashed(project: Path) -> None:
    """Timing-free proof that unchanged files are not read: content swapped behind an unchanged
    size and mtime is not seen (ruff's stat key, too), while a touch without an edit is a hit."""
    first = check(project)
    checked(project)
    sneaky = project / "data" / "labels" / "im06.txt"
    text = sneaky.read_text()
    sneaky.write_text(text.replace("0.5 0.5", "0.4 0.4", 1))  # same size
    os.utime(sneaky, (PAST, PAST))
    assert check(project) == first
    assert checked(project) == []
    touched = project / "data" / "labels" / "im08.txt"
    os.utime(touched, None)  # a new mtime, the same bytes: hashed, a hit
    assert check(project) == first
    assert checked(project) == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage"])
def test_a_damaged_entry_is_a_miss(project: Path, damage: str) -> None:
    expected = check(project)
    entries = sorted((project / ".labellint_cache").glob("*.pickle"))
    assert len(entries) == 2  # the files' pieces, and which reader claimed each file
    for entry in entries:
        data = entry.read_bytes()
        if damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "flip":
            entry.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
        else:
            entry.write_bytes(b"not a cache entry")
    checked(project)
    assert check(project) == expected
    assert len(checked(project)) == FILES
    assert check(project) == expected  # and the entry was written again
    assert checked(project) == []


def test_an_entry_signed_with_another_key_is_never_loaded(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A cache committed to a repository (or planted by a pull request) is not unpickled."""
    expected = check(project)
    checked(project)
    monkeypatch.setenv("LABELLINT_CACHE_KEY_DIR", str(tmp_path / "another-user"))
    assert check(project) == expected
    assert len(checked(project)) == FILES


def test_spec_names_file_rule_option_and_plugin_edits_invalidate(project: Path) -> None:
    check(project)
    checked(project)
    (project / "data" / "data.yaml").write_text("names:\n  0: auto\n  1: lorry\n  2: coach\n  3: bicycle\n")
    after_names = check(project)
    assert len(checked(project)) == FILES
    assert after_names == check(project, "--no-cache")
    assert "'bicycle' has 1 annotation" in after_names
    checked(project)

    (project / "labelspec.yaml").write_text(
        "spec: 1\nname: t\nversion: 1.0.0\ntask: detection\nclasses:\n"
        + "".join(f"  {n}:\n    id: {i}\n    definition: A {n}.\n" for i, n in enumerate(["auto", "lorry"]))
    )
    after_spec = check(project)
    assert len(checked(project)) == FILES
    assert after_spec == check(project, "--no-cache")
    checked(project)

    config = project / "labellint.toml"
    config.write_text(config.read_text() + '\n[rules.TEAM001]\nword = "im1"\n')
    after_option = check(project)
    assert len(checked(project)) == FILES
    assert after_option == check(project, "--no-cache")
    assert sum(p["code"] == "TEAM001" for p in json.loads(after_option)["problems"]) == 9  # im10-im19 but odd13
    checked(project)

    # A plugin edited in place (no version changed): a fresh process imports the new code.
    rule = project / "tools" / "team_rules.py"
    rule.write_text(rule.read_text().replace("in name", "not in name"))
    after_plugin = check_in_process_of_its_own(project)
    assert len(checked(project)) == FILES
    assert after_plugin == check_in_process_of_its_own(project, "--no-cache")
    assert sum(p["code"] == "TEAM001" for p in json.loads(after_plugin)["problems"]) == FILES - 9


def test_added_and_removed_files(project: Path) -> None:
    check(project)
    labels = project / "data" / "labels"
    (labels / "im03.txt").unlink()
    (labels / "im99.txt").write_text("3 0.5 0.5 0.9 0.9\n")
    checked(project)
    warm = check(project)
    assert checked(project) == ["data/labels/im99"]
    assert warm == check(project, "--no-cache")


def test_concurrent_runs_each_get_the_full_report(project: Path) -> None:
    """Runs started together each write whole entries (atomic renames); each report is right."""
    expected = check(project, "--no-cache")
    (project / "data" / "labels" / "im02.txt").write_text("0 0.5 0.5 0.5 0.5\n")
    expected = check(project, "--no-cache")
    command = [sys.executable, "-m", "labellint", "check", "--format", "json", "--exit-zero", "data"]
    checked(project)
    runs = [subprocess.Popen(command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outputs = [run.communicate() for run in runs]
    for stdout, stderr in outputs:
        assert b"Traceback" not in stderr
        assert _without_version(stdout.decode()) == _without_version(expected)
    assert check(project) == expected


def _without_version(text: str) -> dict:
    document = json.loads(text)
    document["tool"].pop("version")
    return document


def test_a_claim_that_rested_on_a_names_file_is_sniffed_again_when_it_goes(project: Path) -> None:
    """Beside a names file (no labels/ folder) a .txt of YOLO rows is YOLO; without one it is not."""
    scans = project / "scans"
    scans.mkdir()
    (scans / "a.txt").write_text("0 0.5 0.5 0.2 0.2\n")
    (scans / "classes.txt").write_text("car\n")
    age(project)
    first = json.loads(check(project, "scans"))
    assert first["summary"]["files"] == FILES + 1
    (scans / "classes.txt").unlink()
    warm = check(project, "scans")
    assert warm == check(project, "scans", "--no-cache")
    assert json.loads(warm)["summary"]["files"] == FILES


def test_a_reader_that_reads_its_files_together_is_read_whole(tmp_path: Path) -> None:
    """Image folders: an image's class is its folder below the images' common root, which no
    file alone tells; such a group is read whole (and still gives the full run's report)."""
    from PIL import Image

    for folder, count in (("cat", 2), ("dog", 1)):
        (tmp_path / "pets" / folder).mkdir(parents=True)
        for k in range(count):
            Image.new("RGB", (8, 8), (k, 0, 0)).save(tmp_path / "pets" / folder / f"{k}.jpg")
    age(tmp_path)

    def summary(*extra: str) -> dict:
        arguments = ["--reader", "imagefolder", "pets", "--format", "json", "--exit-zero", *extra]
        result = run_cli("check", *arguments, cwd=tmp_path)
        return json.loads(result.stdout)["summary"]

    expected = summary("--no-cache")
    assert (expected["items"], expected["annotations"]) == (3, 3)
    assert summary() == expected
    assert summary() == expected


def test_the_cache_is_off_unless_asked_for(project: Path, monkeypatch) -> None:
    monkeypatch.delenv("LABELLINT_CACHE")
    plain = check(project)
    assert not (project / ".labellint_cache").exists()  # the default writes nothing
    assert check(project, "--cache") == plain
    assert (project / ".labellint_cache").is_dir()
    monkeypatch.setenv("LABELLINT_CACHE", "1")
    assert check(project) == plain  # the variable opts in too


def test_a_slice_of_cached_pieces_keeps_polygons_and_areas(tmp_path: Path) -> None:
    # COCO keeps polygons as columns and areas as a dense array (not the plain dicts sliced with the
    # other per-annotation fields): a file's slice of the joined pieces must still hold its own.
    import numpy as np

    from labellint.commands.cache_pieces import FileRecord, join, record_piece, slice_records
    from labellint.readers.base import ReadContext
    from labellint.readers.coco import CocoReader

    pieces, written = [], []
    for k in range(3):
        polygons = [[[k, 0, 10 + k, 0, 10 + k, 10, k, 10]], [[0, 0, 5, 0, 5, 5 + k]]]
        coco = {
            "images": [{"id": 1, "file_name": f"{k}.jpg", "width": 50, "height": 50}],
            "categories": [{"id": 1, "name": "car"}],
            "annotations": [
                {
                    "id": a,
                    "image_id": 1,
                    "category_id": 1,
                    "bbox": [0, 0, 5, 5],
                    "area": 10.0 * k + a,
                    "iscrowd": 0,
                    "segmentation": polygon,
                }
                for a, polygon in enumerate(polygons)
            ],
        }
        path = tmp_path / f"f{k}.json"
        path.write_text(json.dumps(coco))
        written.append(coco["annotations"])
        context = ReadContext(read_bytes=lambda p: p.read_bytes(), is_file=lambda p: p.is_file(), display=str)
        pieces.append(CocoReader().read_one(path, context))
    interned: dict = {}
    records = [record_piece(FileRecord(f"f{k}.json", 0, None, ""), p, interned) for k, p in enumerate(pieces)]
    joined = join(pieces, records)
    counts = [(r.files, r.items, r.annotations, r.issues) for r in records]
    offsets = np.zeros((len(records) + 1, 4), np.int64)
    offsets[1:] = np.cumsum(np.asarray(counts, np.int64), axis=0)
    for k in range(3):
        part = slice_records(joined, k, k + 1, offsets)
        assert [part.ann_segmentation[a] for a in range(2)] == [a["segmentation"] for a in written[k]]
        assert [part.ann_area[a] for a in range(2)] == [a["area"] for a in written[k]]


def _checked_by(root: Path) -> dict[str, list[str]]:
    """The items the counting rule saw since the last call, by the process id that saw them."""
    seen: dict[str, list[str]] = {}
    for line in checked(root):
        pid, _, name = line.partition(":")
        seen.setdefault(pid, []).append(name)
    return seen


def _check_with_jobs(root: Path, *extra: str) -> tuple[str, int]:
    """A real `check --jobs 2` process: its JSON report and its process id."""
    command = [sys.executable, "-m", "labellint", "check", "--format", "json", "--exit-zero", "data", "--jobs", "2"]
    run = subprocess.Popen([*command, *extra], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = run.communicate()
    assert run.returncode == 0, stderr
    assert "Traceback" not in stderr
    return stdout, run.pid


def test_jobs_read_the_changed_files_on_workers_and_share_the_cache(project: Path) -> None:
    """`check --cache --jobs 2`: the misses are read and checked on worker processes, the report is
    the one of a plain single-process run, and the entries it writes serve a run without --jobs."""
    rule = project / "tools" / "team_rules.py"
    rule.write_text(rule.read_text().replace("log.write(name", "log.write(f\"{__import__('os').getpid()}:\" + name"))
    age(project)
    expected = check(project, "--no-cache")
    checked(project)

    cold, parent = _check_with_jobs(project, "--shard-size", "4")
    assert _without_version(cold) == _without_version(expected)
    by_pid = _checked_by(project)
    assert str(parent) not in by_pid and sum(map(len, by_pid.values())) == FILES  # every file, on workers
    assert list((project / ".labellint_cache").glob("files-*.pickle"))

    assert check(project) == expected  # the workers' entries, read by a run without --jobs
    assert checked(project) == []

    for name, row in (("im03.txt", "2 0.5 0.5 0.9 0.9\n"), ("im20.txt", "7 0.5 0.5 0.1 0.1\n")):
        (project / "data" / "labels" / name).write_text(row)
    age(project)
    warm, parent = _check_with_jobs(project, "--shard-size", "1")
    by_pid = _checked_by(project)
    assert str(parent) not in by_pid
    assert sorted(name for names in by_pid.values() for name in names) == ["data/labels/im03", "data/labels/im20"]
    assert _without_version(warm) == _without_version(check(project, "--no-cache"))
    checked(project)

    again, _ = _check_with_jobs(project)
    assert again == warm  # nothing changed: nothing read, on workers or here
    assert checked(project) == []
