"""Seeded fuzzing of every reader: mutated real files never crash a run or hide a good file.

CI runs a fixed seed and a fixed number of cases; a longer run on demand:
    LABELLINT_FUZZ_SEED=7 LABELLINT_FUZZ_CASES=400 python -m pytest -q tests/test_fuzz_readers.py
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest
from helpers import run_cli, write_coco

from labellint.readers import available_readers

SEEDS = Path(__file__).parent / "data" / "fuzz"
SEED = int(os.environ.get("LABELLINT_FUZZ_SEED", "2026"))
CASES_PER_READER = int(os.environ.get("LABELLINT_FUZZ_CASES", "60"))
# Far above any case seen (under 2 s under load): past it, a mutation found a hang.
CASE_BOUND_SECONDS = 30

# Bytes that have broken parsers before: deep nesting, numbers past int64, NUL, BOMs, stray
# quotes and tags, a lone surrogate's UTF-8 form, YAML aliases and tags.
HOSTILE = [
    b"[" * 3000,
    b"{" * 3000,
    b"99999999999999999999999999",
    b"-9223372036854775809",
    b"1e999",
    b"NaN",
    b"\x00\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b'"',
    b"<",
    b"]]>",
    b"<!DOCTYPE a [<!ENTITY b 'c'>]>",
    b"\xed\xa0\x80",
    b"*alias",
    b"!!python/object:os.system",
    b"\r\n",
    b"\n\n\n",
    b" " * 5000,
]


def _mutate(data: bytes, rng: random.Random) -> bytes:
    """One to three random edits of `data`."""
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(data) + 1)
        kind = rng.randrange(7)
        if kind == 0:
            data = data[:at]  # truncated (an interrupted write)
        elif kind == 1 and data:
            flips = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                flips[rng.randrange(len(flips))] = rng.randrange(256)
            data = bytes(flips)
        elif kind == 2:
            data = data[:at] + data[at + rng.randint(1, 64) :]
        elif kind == 3:
            data = data[:at] + data[at : at + rng.randint(1, 200)] * rng.randint(2, 50) + data[at:]
        elif kind == 4:
            data = data[:at] + rng.choice(HOSTILE) + data[at:]
        elif kind == 5:
            data = data.decode("utf-8", "replace").encode(rng.choice(["utf-16", "utf-8-sig", "latin-1"]), "replace")
        else:
            digits = [i for i, byte in enumerate(data) if 0x30 <= byte <= 0x39]
            if digits:
                at = rng.choice(digits)
                data = data[:at] + rng.choice([b"-", b"1e308", b"99999999999999999999", b"0.0000001"]) + data[at + 1 :]
    return data


def _seed_folders() -> dict[str, Path]:
    return {folder.name: folder for folder in sorted(SEEDS.iterdir()) if folder.is_dir()}


# Readers that never claim a file by its bytes (named with --reader), so there is nothing to mutate.
NO_BYTES_TO_MUTATE = {"imagefolder"}


def test_every_reader_has_a_fuzz_seed() -> None:
    readers = set(available_readers()) - NO_BYTES_TO_MUTATE
    assert readers - set(_seed_folders()) == set(), "add a small real file to tests/data/fuzz/<reader>/"


# A numpy warning would leak onto the user's stderr: here it fails the case instead.
@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("reader", sorted(_seed_folders()))
def test_mutated_files_never_crash_and_the_good_file_is_still_checked(tmp_path: Path, reader: str) -> None:
    seed_folder = _seed_folders()[reader]
    files = sorted(p for p in seed_folder.rglob("*") if p.is_file())
    rng = random.Random(f"{SEED}-{reader}")
    failures = []
    for case in range(CASES_PER_READER):
        work = tmp_path / f"case{case}"
        shutil.copytree(seed_folder, work / "labels")
        victim = rng.choice(files)
        target = work / "labels" / victim.relative_to(seed_folder)
        target.write_bytes(_mutate(victim.read_bytes(), rng))
        # A file that must still be read and found wrong, whatever happens to the mutated one.
        write_coco(
            work / "control" / "broken_box.json",
            [{"id": 1, "file_name": "a.jpg", "width": 50, "height": 50}],
            [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, -3, 3]}],
        )
        started = time.monotonic()
        result = run_cli("check", "labels", "control", "--format", "json", cwd=work)
        elapsed = time.monotonic() - started
        where = f"seed {SEED} case {case}: {victim.name} ({reader})"
        if result.exit_code not in (0, 1) or "internal error" in result.stderr or "Traceback" in result.stderr:
            said = [line for line in result.stderr.splitlines() if "error" in line] or [result.stderr.strip()]
            failures.append(f"{where}: exit {result.exit_code}: {said[0][:300]}")
            continue
        report = json.loads(result.stdout)
        control = [p for p in report["problems"] if p["path"] == "control/broken_box.json"]
        # Dataset-wide rules (class balance) may add to it; the box problem must be there.
        if "LL202" not in [p["code"] for p in control]:
            failures.append(f"{where}: the good file's problem is missing: {control}")
        if elapsed > CASE_BOUND_SECONDS:
            failures.append(f"{where}: took {elapsed:.1f} s")
        shutil.rmtree(work)
    assert failures == []
