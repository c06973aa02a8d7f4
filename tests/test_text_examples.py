"""The text-classification and NER example repos: every deliberate mistake found, nothing else."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import problems_of, run_cli

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _found(example: str) -> list[tuple[int, str]]:
    result = run_cli("check", "--format", "json", cwd=EXAMPLES / example)
    assert result.exit_code == 1
    return sorted((p["line"], p["code"]) for p in problems_of(result))


def test_text_classification_example() -> None:
    records = _records(EXAMPLES / "text-classification" / "labels" / "issues.jsonl")
    expected = []
    first_by_text: dict[str, tuple[int, set]] = {}
    for line, record in enumerate(records, 1):
        labels = {k for k, v in record["cats"].items() if v >= 0.5}
        expected += [(line, "LL101") for k in labels if k not in ("DOCUMENTATION", "OTHER", "UNSURE")]
        expected += [(line, "LL104") for k in labels if k == "UNSURE"]
        key = " ".join(record["text"].split()).casefold()
        if key in first_by_text and first_by_text[key][1] != labels:
            expected.append((line, "LL303"))
        first_by_text.setdefault(key, (line, labels))
    assert len(expected) == 3
    assert _found("text-classification") == sorted(expected)


def test_ner_example() -> None:
    records = _records(EXAMPLES / "ner" / "labels" / "reddit_fashion.jsonl")
    expected = []
    for line, record in enumerate(records, 1):
        text, spans = record["text"], sorted(record["spans"], key=lambda s: (s["start"], -s["end"]))
        reach = -1
        for span in spans:
            covered = text[span["start"] : span["end"]]
            expected += [(line, "LL304")] if covered != span["text"] else []
            expected += [(line, "LL305")] if span["start"] < reach else []
            expected += [(line, "LL306")] if covered.strip(" ,.;:") != covered else []
            expected += [(line, "LL104")] if span["label"] == "UNSURE" else []
            expected += [(line, "LL101")] if span["label"] not in ("FASHION_BRAND", "UNSURE") else []
            reach = max(reach, span["end"])
    assert len(expected) == 6
    assert _found("ner") == sorted(expected)
