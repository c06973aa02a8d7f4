"""`labellint gate --since REV`: golden accuracy of the ratings new or changed since REV, in a real git repository."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest
from conftest import shared_path
from helpers import run_cli

RTE = ("data", "agreement", "snow2008", "rte.standardized.tsv")
COLUMNS = ("--item-col", "orig_id", "--annotator-col", "!amt_worker_ids", "--label-col", "response")
FIRST, FLIPPED = 5000, 100  # rows in the v1 commit; of those, rows whose response the next commit flips


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, header, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, list[dict]]:
    """v1: the first RTE rows; HEAD: every row, the first FLIPPED responses flipped (a relabel)."""
    table = shared_path(*RTE)
    with table.open() as stream:
        reader = csv.DictReader(stream, delimiter="\t")
        header, rows = list(reader.fieldnames), list(reader)
    folder = tmp_path_factory.mktemp("rte")
    _git(folder, "init", "-q", "-b", "main")
    _git(folder, "config", "user.email", "t@example.invalid")
    _git(folder, "config", "user.name", "T")
    (folder / "gold.tsv").write_text(
        "".join(f"{r['orig_id']}\t{r['gold']}\n" for r in {r["orig_id"]: r for r in rows}.values())
    )
    _write(folder / "ratings.tsv", header, rows[:FIRST])
    _git(folder, "add", ".")
    _git(folder, "commit", "-q", "-m", "v1")
    _git(folder, "tag", "v1")
    head = [dict(r, response=str(1 - int(r["response"]))) if i < FLIPPED else r for i, r in enumerate(rows)]
    _write(folder / "ratings.tsv", header, head)
    _git(folder, "commit", "-q", "-am", "more ratings, a relabel")
    changed = head[:FLIPPED] + head[FIRST:]
    return folder, changed


def _spec(folder: Path, golden: str) -> None:
    classes = '  "0": {definition: does not follow}\n  "1": {definition: follows}\n'
    (folder / "labelspec.yaml").write_text(f"version: 1.0.0\nclasses:\n{classes}quality:\n  golden: {golden}\n")


def _gate(folder: Path, *extra: str) -> tuple[int, dict]:
    args = ("gate", "--ratings", "ratings.tsv", "--gold", "gold.tsv", *COLUMNS, *extra, "--format", "json")
    result = run_cli(*args, cwd=folder)
    assert result.exit_code in (0, 1), result.output + result.stderr
    (entry,) = json.loads(result.stdout)["gates"]
    return result.exit_code, entry


def test_golden_since_judges_only_the_ratings_changed_since_the_revision(repo) -> None:
    folder, changed = repo
    # Hand count with plain csv: the new rows and the flipped ones against the gold column.
    accuracy = sum(r["response"] == r["gold"] for r in changed) / len(changed)
    _spec(folder, "{min_accuracy: 0.5}")
    _exit, whole = _gate(folder)
    assert whole["n"] == 8000 and whole["value"] != pytest.approx(accuracy)
    for offset, expected in ((-0.01, 0), (0.01, 1)):
        _spec(folder, f"{{min_accuracy: {accuracy + offset:.6f}, min_items: {len(changed)}}}")
        exit_code, entry = _gate(folder, "--since", "v1")
        assert exit_code == expected and entry["metric"] == "accuracy since v1"
        assert entry["n"] == len(changed) and entry["value"] == pytest.approx(accuracy, abs=1e-12)
    # Per annotator: only those whose ratings changed since v1, each on their changed ratings.
    _spec(folder, "{min_accuracy: 0, per_annotator: true, min_items: 1}")
    _exit, entry = _gate(folder, "--since", "v1")
    per_annotator = {d["name"][len("golden[") : -1]: d["n"] for d in entry["details"]}
    workers = [r["!amt_worker_ids"] for r in changed]
    assert per_annotator == {w: workers.count(w) for w in set(workers)}


def test_golden_since_head_has_nothing_to_judge_and_a_bad_revision_is_a_configuration_error(repo) -> None:
    folder, _changed = repo
    _spec(folder, "{min_accuracy: 0}")
    exit_code, entry = _gate(folder, "--since", "HEAD")
    assert (
        exit_code == 1 and entry["status"] == "not_enough_data" and entry["reason"] == "no ratings changed since HEAD"
    )
    result = run_cli("gate", "--ratings", "ratings.tsv", "--gold", "gold.tsv", *COLUMNS, "--since", "nope", cwd=folder)
    assert result.exit_code == 2 and "nope" in result.stderr and "Traceback" not in result.stderr
