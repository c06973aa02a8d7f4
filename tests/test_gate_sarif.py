"""`labellint gate --format sarif`: each gate short of passing is a SARIF result at its key in the spec."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import jsonschema
from conftest import SARIF_SCHEMA, shared_path
from helpers import run_cli

RTE = ("data", "agreement", "snow2008", "rte.standardized.tsv")
COLUMNS = ("--item-col", "orig_id", "--annotator-col", "!amt_worker_ids", "--label-col", "response")
SPEC = """version: 1.0.0
classes:
  "0": {definition: does not follow}
  "1": {definition: follows}
quality:
  agreement: {metric: fleiss_kappa, min: 0.99}
  golden: {min_accuracy: 0.0}
  unsure:
    max_rate: 0.5
    severity: warning
"""


def _repo(folder: Path) -> None:
    """A git repository with the RTE ratings, their gold column as a golden set and the spec."""
    rows = list(csv.DictReader(shared_path(*RTE).open(), delimiter="\t"))
    (folder / "gold.tsv").write_text("".join(f"{r['orig_id']}\t{r['gold']}\n" for r in rows))
    (folder / "labels").mkdir()
    (folder / "labels" / "issues.jsonl").write_text('{"text": "a", "cats": {"0": 1}}\n')
    (folder / "labelspec.yaml").write_text(SPEC)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=folder, check=True)


def test_failed_gates_are_schema_valid_sarif_results_at_their_key_in_the_spec(tmp_path: Path) -> None:
    _repo(tmp_path)
    args = ("gate", "labels", "--ratings", str(shared_path(*RTE)), "--gold", "gold.tsv", *COLUMNS)
    document = json.loads(run_cli(*args, "--format", "json", cwd=tmp_path).stdout)
    short = {g["name"]: g for g in document["gates"] if not g["ok"]}
    # agreement fails (kappa is far below 0.99), golden passes at 0, unsure is undefined (no unsure path).
    assert set(short) == {"agreement", "unsure"} and short["unsure"]["status"] == "undefined"
    result = run_cli(*args, "--format", "sarif", cwd=tmp_path)
    assert result.exit_code == 1, result.stderr
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    (run,) = log["runs"]
    lines = SPEC.splitlines()
    results = {r["ruleId"]: r for r in run["results"]}
    assert set(results) == {"quality/agreement", "quality/unsure"}
    for name, level in (("agreement", "error"), ("unsure", "warning")):
        entry = results[f"quality/{name}"]
        physical = entry["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "labelspec.yaml", "uriBaseId": "SRCROOT"}
        # The gate's own key under `quality:`, found by plain text.
        start = next(i for i, line in enumerate(lines, 1) if line.startswith(f"  {name}:"))
        assert physical["region"] == {"startLine": start, "startColumn": 3}
        assert entry["level"] == level and short[name]["status"].replace("_", " ") in entry["message"]["text"]
        rule = run["tool"]["driver"]["rules"][entry["ruleIndex"]]
        assert rule["id"] == f"quality/{name}"
    value = f"{short['agreement']['value']:.4g}"
    assert f"fleiss_kappa = {value}, threshold 0.99" in results["quality/agreement"]["message"]["text"]


def test_all_gates_passing_is_an_empty_sarif_run(tmp_path: Path) -> None:
    _repo(tmp_path)
    (tmp_path / "labelspec.yaml").write_text(SPEC.split("quality:")[0] + "quality:\n  golden: {min_accuracy: 0}\n")
    args = ("gate", "--ratings", str(shared_path(*RTE)), "--gold", "gold.tsv", *COLUMNS, "--format", "sarif")
    result = run_cli(*args, cwd=tmp_path)
    log = json.loads(result.stdout)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()), cls=jsonschema.Draft7Validator)
    assert result.exit_code == 0 and log["runs"][0]["results"] == []
