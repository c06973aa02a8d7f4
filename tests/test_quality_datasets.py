"""`agree` and `golden` with no INPUTS read the config's datasets with their reader options, as `check` does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli
from test_git_changes import git

# Three annotators label six texts; the third one's labels are Label Studio drafts, which the
# reader reads only with the dataset's `drafts = true` option.
LABELS = ["pos", "neg", "pos", "pos", "neg", "neg"]
THIRD = ["pos", "neg", "neg", "pos", "pos", "neg"]


def _choices(user: int, label: str) -> dict:
    value = {"choices": [label]}
    return {"completed_by": user, "result": [{"type": "choices", "from_name": "s", "to_name": "t", "value": value}]}


def _export() -> list[dict]:
    return [
        {
            "id": k + 1,
            "data": {"text": f"text {k}"},
            "annotations": [_choices(1, label), _choices(2, label if k != 2 else "neg")],
            "drafts": [_choices(3, THIRD[k])],
        }
        for k, label in enumerate(LABELS)
    ]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "ds"
    (root / "exports").mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    (root / "exports" / "project.json").write_text(json.dumps(_export()))
    (root / "labellint.toml").write_text(
        '[[datasets]]\npath = "exports/project.json"\nreader = "labelstudio"\noptions = { drafts = true }\n'
    )
    (root / "gold.csv").write_text("item,label\n" + "".join(f"{k + 1},{label}\n" for k, label in enumerate(LABELS)))
    git(root, "add", ".")
    git(root, "commit", "-qm", "labels")
    return root


def test_agree_with_no_inputs_reads_the_datasets_with_their_reader_options(repo: Path) -> None:
    result = run_cli("agree", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["annotators"] == 3  # the drafts' annotator is read: the dataset's option held
    assert report["items"] == len(LABELS)
    assert report["ratings"] == 3 * len(LABELS)


def test_golden_with_no_labels_reads_the_datasets_with_their_reader_options(repo: Path) -> None:
    result = run_cli("golden", "--gold", "gold.csv", "--format", "json", cwd=repo)
    assert result.exit_code == 0, result.stderr
    annotators = json.loads(result.stdout)["annotators"]
    assert set(annotators) == {"1", "2", "3"}
    third_correct = sum(a == b for a, b in zip(THIRD, LABELS, strict=True))
    assert annotators["3"]["correct"] == third_correct
    assert annotators["2"]["correct"] == len(LABELS) - 1
    # The same figures when the history walk reads the dataset at each commit.
    history = run_cli("golden", "--gold", "gold.csv", "--since", "HEAD", "--format", "json", cwd=repo)
    assert history.exit_code == 0, history.stderr
    assert json.loads(history.stdout)["history"][0]["annotators"]["3"] == third_correct / len(LABELS)


def test_agree_per_annotator_takes_one_dataset_per_annotator_with_its_names_file(tmp_path: Path) -> None:
    """Two ImageNet-style lists whose class names are in a file only the `names` option points at."""
    root = tmp_path / "ds"
    git_root = root
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    names = ["cat", "dog", "fox"]
    first = [0, 1, 2, 1, 0]
    second = [0, 1, 1, 1, 0]
    for folder, labels in (("a", first), ("b", second)):
        (root / folder / "classes.names").write_text("\n".join(names) + "\n")
        (root / folder / "train.txt").write_text("".join(f"img{k}.jpg {c}\n" for k, c in enumerate(labels)))
    (root / "labellint.toml").write_text(
        "".join(
            f'[[datasets]]\npath = "{f}/train.txt"\nreader = "imagenet_txt"\noptions = {{ names = "classes.names" }}\n'
            for f in ("a", "b")
        )
    )
    git(git_root, "init", "-q", "-b", "main")
    result = run_cli("agree", "--per-annotator", "--format", "json", cwd=root)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["per_class"]) == set(names)  # names, not indices: the option was read
    assert report["annotators"] == 2 and report["items"] == len(first)
    agreeing = sum(a == b for a, b in zip(first, second, strict=True))
    assert report["percent_agreement"]["value"] == pytest.approx(agreeing / len(first))
    # With the same two lists named, the figures are the same.
    given = run_cli("agree", "--per-annotator", "--format", "json", "a/train.txt", "b/train.txt", cwd=root)
    assert json.loads(given.stdout)["annotators"] == 2
