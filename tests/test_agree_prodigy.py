"""`agree` reads a Prodigy multi-annotator export by Prodigy's own keys: the item is the text
(`_input_hash`) or, for binary answers, the question (`_task_hash`); the annotator is
`_annotator_id`, else `_session_id`; the label is the answer (with the accepted choices).

The answers are real crowd judgments (CrowdTruth's relation-extraction tutorial data: 10
sentences x 15 workers, 67 workers), written in the layout Prodigy exports multi-annotator
datasets in; the figures are computed here directly from the CrowdTruth CSV."""

from __future__ import annotations

import csv
import json
import zlib
from collections import Counter, defaultdict

from conftest import shared_path
from helpers import run_cli


def _hash(*parts: str) -> int:
    # Prodigy's hashes are signed 32-bit integers of the content; any stable one will do here.
    value = zlib.crc32(json.dumps(parts).encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def _crowd(name: str) -> list[dict[str, str]]:
    with shared_path("data", "agreement", "crowdtruth", name).open(newline="") as stream:
        return list(csv.DictReader(stream))


def _export(path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path.name


def _fleiss(groups: dict[str, list[str]]) -> tuple[float, float]:
    """Fleiss' P-bar (mean share of agreeing rater pairs per item) and kappa, from first principles."""
    shares, totals = [], Counter()
    for labels in groups.values():
        counts = Counter(labels)
        n = len(labels)
        shares.append(sum(c * (c - 1) for c in counts.values()) / (n * (n - 1)))
        totals.update(counts)
    pbar = sum(shares) / len(shares)
    n_all = sum(totals.values())
    pe = sum((c / n_all) ** 2 for c in totals.values())
    return pbar, (pbar - pe) / (1 - pe)


def test_binary_answers_of_many_annotators(tmp_path):
    rows = _crowd("relex-binary-choice.csv")
    records, truth = [], defaultdict(list)
    for row in rows:
        text, label = row["sentence"], "top_member_employee"
        answer = "accept" if row["top_member_employee"] == "TRUE" else "reject"
        who = f"relex-{row['_worker_id']}"
        records.append(
            {
                "text": text,
                "label": label,
                "meta": {"term1": row["term1"], "term2": row["term2"]},
                "_input_hash": _hash(text),
                "_task_hash": _hash(text, label, row["term1"], row["term2"]),
                "answer": answer,
                # The first half by annotator id, the rest by session only (older Prodigy).
                **({"_annotator_id": who} if len(records) % 2 else {}),
                "_session_id": who,
            }
        )
        truth[row["sent_id"]].append(answer)
    name = _export(tmp_path / "relex.prodigy.jsonl", records)
    result = run_cli("--isolated", "agree", "--format", "json", name, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    pbar, kappa = _fleiss(truth)
    assert document["items"] == len(truth) == 10
    assert document["annotators"] == len({row["_worker_id"] for row in rows}) == 67
    assert abs(document["percent_agreement"]["item_mean"]["value"] - pbar) < 1e-12
    assert abs(document["fleiss_kappa"]["value"] - kappa) < 1e-12


def test_choice_answers_and_ignored_ones(tmp_path):
    rows = _crowd("relex-multiple-choice.csv")
    records, truth = [], defaultdict(list)
    for row in rows:
        chosen = sorted(row["relations"].split())
        records.append(
            {
                "text": row["sentence"],
                "options": [{"id": r, "text": r} for r in chosen],
                "accept": chosen,
                "_view_id": "choice",
                "_input_hash": _hash(row["sentence"]),
                "_task_hash": _hash(row["sentence"], "relations"),
                "answer": "accept",
                "_annotator_id": f"relex-{row['_worker_id']}",
            }
        )
        truth[row["sent_id"]].append(", ".join(chosen))
    # An `ignore` is no decision: skipped, and said so.
    records.append({**records[0], "answer": "ignore", "_annotator_id": "relex-someone-else"})
    name = _export(tmp_path / "relex-choice.prodigy.jsonl", records)
    result = run_cli("--isolated", "agree", "--format", "json", name, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    pbar, kappa = _fleiss(truth)
    assert document["items"] == len(truth)
    assert abs(document["percent_agreement"]["item_mean"]["value"] - pbar) < 1e-12
    assert abs(document["fleiss_kappa"]["value"] - kappa) < 1e-12
    assert f"{name}:{len(records)}: answer 'ignore'" in result.stderr


def test_named_columns_still_read_the_export_as_a_table(tmp_path):
    # --item-col names the key: the user's choice wins over Prodigy's keys.
    records = [
        {"text": "a", "_input_hash": 1, "answer": "accept", "label": "X", "doc": "d1", "who": "p"},
        {"text": "a", "_input_hash": 1, "answer": "reject", "label": "X", "doc": "d1", "who": "q"},
    ]
    name = _export(tmp_path / "p.jsonl", records)
    result = run_cli(
        "--isolated", "agree", "--format", "json", "--item-col", "doc", "--annotator-col", "who", name, cwd=tmp_path
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["percent_agreement"]["value"] == 1.0
