"""`labellint suspects --embeddings`: kNN disagreement, conflicting near-duplicates and outliers."""

from __future__ import annotations

import json

import numpy as np
from helpers import run_cli
from test_cli_suspects import write_labels

from labellint.quality.embedding_suspects import embedding_suspects

NAMES = ["ant", "bee", "cow", "dog"]


def clustered(seed: int = 0):
    """Four tight clusters in 16-d; 4 flipped labels, 2 duplicate pairs with different labels, 1 outlier."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(4, 16)) * 5
    truth = np.arange(400) % 4
    vectors = centres[truth] + rng.normal(size=(400, 16)) * 0.5
    labels = truth.copy()
    flipped = [3, 101, 202, 303]
    labels[flipped] = (truth[flipped] + 1) % 4
    # Near-duplicates: rows 398/399 copy rows 10/11 (tiny jitter) but carry another label.
    vectors[398] = vectors[10] + 1e-5
    vectors[399] = vectors[11] + 1e-5
    labels[398] = (labels[10] + 2) % 4
    labels[399] = (labels[11] + 2) % 4
    # An outlier: a vector orthogonal-ish to every centre.
    direction = rng.normal(size=16)
    for centre in centres:
        direction -= direction @ centre / (centre @ centre) * centre
    vectors[50] = direction / np.linalg.norm(direction) * 5
    return vectors, labels, truth, flipped


def test_each_kind_is_found(tmp_path):
    vectors, labels, truth, flipped = clustered()
    write_labels(tmp_path / "labels.csv", [f"e{i}" for i in range(400)], labels, NAMES)
    np.save(tmp_path / "emb.npy", vectors)
    result = run_cli("suspects", "labels.csv", "--embeddings", "emb.npy", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    kinds: dict[str, set[str]] = {}
    for s in report["suspects"]:
        kinds.setdefault(s["reason"], set()).add(s["item"])
    # The near-duplicates carry a label their neighbourhood disagrees with, so kNN flags them too.
    assert kinds["knn-disagreement"] == {f"e{i}" for i in [*flipped, 398, 399]}
    assert kinds["conflicting-duplicate"] == {"e10", "e11", "e398", "e399"}
    assert kinds["outlier"] == {"e50"}
    suggested = {s["item"]: s["suggested"] for s in report["suspects"] if s["reason"] == "knn-disagreement"}
    assert suggested == {f"e{i}": NAMES[truth[i]] for i in [*flipped, 398, 399]}


def test_blocks_do_not_change_the_result():
    vectors, labels, _, _ = clustered(1)
    whole = embedding_suspects(vectors, labels, 4, block=10_000)
    blocked = embedding_suspects(vectors, labels, 4, block=7)
    assert [(s.row, s.kind, s.suggested) for s in whole] == [(s.row, s.kind, s.suggested) for s in blocked]


def test_clean_clusters_have_no_suspects():
    rng = np.random.default_rng(2)
    truth = np.arange(200) % 4
    vectors = rng.normal(size=(4, 8))[truth] * 5 + rng.normal(size=(200, 8)) * 0.3
    assert embedding_suspects(vectors, truth, 4) == []


def test_embedding_shape_is_checked(tmp_path):
    write_labels(tmp_path / "labels.csv", ["a", "b"], [0, 1], NAMES)
    np.save(tmp_path / "emb.npy", np.zeros((3, 4)))
    result = run_cli("suspects", "labels.csv", "--embeddings", "emb.npy", cwd=tmp_path)
    assert result.exit_code == 2 and "shape (3, 4), expected (2, d)" in result.stderr


def test_no_labels_reads_the_configured_datasets_with_their_reader_options(tmp_path):
    vectors, labels, _truth, flipped = clustered()
    (tmp_path / ".git").mkdir()
    (tmp_path / "data").mkdir()
    write_labels(tmp_path / "data" / "labels.csv", [f"e{i}" for i in range(400)], labels, NAMES)
    # The label column is `tag`: only the config's reader options say so.
    text = (tmp_path / "data" / "labels.csv").read_text().replace("id,text,label", "id,text,tag", 1)
    (tmp_path / "data" / "labels.csv").write_text(text)
    (tmp_path / "labellint.toml").write_text(
        '[[datasets]]\npath = "data/*.csv"\nreader = "csv"\noptions = {label = "tag", id = "id"}\n'
    )
    np.save(tmp_path / "emb.npy", vectors)
    result = run_cli("suspects", "--embeddings", "emb.npy", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    found = {s["item"] for s in json.loads(result.stdout)["suspects"] if s["reason"] == "knn-disagreement"}
    assert {f"e{i}" for i in flipped} <= found
