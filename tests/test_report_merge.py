"""Report.merge: checking shards one by one and merging gives the report of one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shared_path

from labellint.commands.labels import LabelSelection, read_dataset, rule_context
from labellint.engine import run_rules
from labellint.report import Report
from labellint.rules import all_rules
from labellint.rules.base import Scope
from labellint.settings.config import Config
from labellint.sources import WorkTree

# Rules that look at one annotation or one item at a time: a shard of files is all they need.
PER_RECORD = (Scope.ANNOTATION, Scope.ITEM)


def _check(paths: list[str], folder: Path) -> Report:
    source = WorkTree(folder)
    dataset, crashes = read_dataset(LabelSelection(paths=paths), Config(), None, source)
    assert crashes == []
    rules = [rule() for rule in all_rules().values() if rule.scope in PER_RECORD]
    return run_rules(rules, rule_context(dataset, None, None, Config(), source))


def _as_rows(report: Report) -> list[tuple]:
    return [(p.code, p.severity, p.message, p.location, p.fingerprint) for p in report.problems]


@pytest.mark.parametrize("dataset", ["voc/bccd/BCCD/Annotations"])
def test_merged_shards_equal_one_run(dataset: str, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = shared_path("data", *dataset.split("/"))
    monkeypatch.chdir(folder)
    files = sorted(p.name for p in folder.glob("*.xml"))
    whole = _check(files, folder)
    shards = [files[i : i + 37] for i in range(0, len(files), 37)]
    merged = Report()
    for shard in shards:
        merged = merged.merge(_check(shard, folder))
    assert len(shards) > 3 and whole.problems, "the case must have several shards and some problems"
    assert _as_rows(merged) == _as_rows(whole)
    assert (merged.files, merged.items, merged.annotations) == (whole.files, whole.items, whole.annotations)
    assert merged.files == len(files)
    assert merged.rules == whole.rules
    assert merged.crashes == whole.crashes == []
