"""`labellint suspects` for classification: cleanlab's sets end to end, inputs, errors, outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path
from helpers import run_cli

from labellint.quality.confident import FILTER_BY_METHODS

CLASSES = [f"d{i}" for i in range(10)]  # sorted names == index order


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    data = np.load(shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz"))
    folder = tmp_path_factory.mktemp("digits")
    write_labels(folder / "labels.csv", [f"img{i}" for i in range(len(data["y_noisy"]))], data["y_noisy"])
    write_probs_csv(folder / "preds.csv", [f"img{i}" for i in range(len(data["y_noisy"]))], data["pred_probs"])
    np.save(folder / "preds.npy", data["pred_probs"])
    return folder, data


def write_labels(path: Path, ids, labels, names=CLASSES) -> None:
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "label"])
        for item, label in zip(ids, labels, strict=True):
            writer.writerow([item, f"text of {item}", names[int(label)]])


def write_probs_csv(path: Path, ids, probs, names=CLASSES, order=None) -> None:
    order = list(range(len(names))) if order is None else order
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["item", *(names[c] for c in order)])
        for row in order_rows(ids, probs):
            writer.writerow([row[0], *(repr(float(row[1][c])) for c in order)])


def order_rows(ids, probs):
    return list(zip(ids, probs, strict=True))


def flagged(result) -> list[int]:
    return sorted(int(s["item"].removeprefix("img")) for s in json.loads(result.stdout)["suspects"])


@pytest.mark.parametrize("filter_by", FILTER_BY_METHODS)
@pytest.mark.parametrize("predictions", ["preds.csv", "preds.npy"])
def test_flags_exactly_cleanlabs_set_for_every_filter(digits, filter_by, predictions):
    folder, data = digits
    result = run_cli(
        "suspects", "labels.csv", "--predictions", predictions, "--filter-by", filter_by, "--format", "json", cwd=folder
    )
    assert result.exit_code == 0, result.stderr
    assert flagged(result) == np.flatnonzero(data[f"mask_{filter_by}"]).tolist()


def test_default_ranking_is_cleanlabs_and_noise_is_reported(digits):
    folder, data = digits
    result = run_cli("suspects", "labels.csv", "--predictions", "preds.csv", "--format", "json", cwd=folder)
    report = json.loads(result.stdout)
    assert report["method"] == "confident-learning" and report["filter_by"] == "prune_by_noise_rate"
    ranked = [int(s["item"].removeprefix("img")) for s in report["suspects"]]
    assert ranked == data["ranked_pbnr_self_confidence"].tolist()
    # Score = 1 - P(given label); suggested = the most probable class.
    first = report["suspects"][0]
    row = int(first["item"].removeprefix("img"))
    assert first["score"] == pytest.approx(1 - data["pred_probs"][row, data["y_noisy"][row]], abs=1e-6)
    assert first["suggested"] == CLASSES[int(data["pred_probs"][row].argmax())]
    assert first["given"] == CLASSES[int(data["y_noisy"][row])]
    calibrated = data["confident_joint_calibrated"].astype(float)
    joint = calibrated / calibrated.sum()
    assert np.allclose(report["noise"]["joint"], joint)
    expected_rates = 1 - np.diag(joint) / joint.sum(axis=1)
    assert np.allclose([report["noise"]["noise_rate"][c] for c in CLASSES], expected_rates)
    assert report["noise"]["estimated_label_issues"] == int(data["num_label_issues_off_diagonal"])


def test_ranking_methods(digits):
    folder, data = digits
    for method, mask in [("self-confidence", "low_self_confidence"), ("normalized-margin", "low_normalized_margin")]:
        result = run_cli(
            "suspects", "labels.csv", "--predictions", "preds.npy", "--method", method, "--format", "json", cwd=folder
        )
        assert flagged(result) == np.flatnonzero(data[f"mask_{mask}"]).tolist()
        scores = [s["score"] for s in json.loads(result.stdout)["suspects"]]
        assert scores == sorted(scores, reverse=True)
    result = run_cli(
        "suspects", "labels.csv", "--predictions", "preds.npy", "--method", "high-loss", "--format", "json", cwd=folder
    )
    report = json.loads(result.stdout)
    row = int(report["suspects"][0]["item"].removeprefix("img"))
    assert report["suspects"][0]["score"] == pytest.approx(
        -np.log(data["pred_probs"][row, data["y_noisy"][row]]), abs=1e-5
    )


def test_columns_in_any_order_and_rows_shuffled(tmp_path):
    rng = np.random.default_rng(3)
    labels = np.arange(300) % 3
    names = ["cat", "dog", "owl"]
    probs = np.full((300, 3), 0.05)
    probs[np.arange(300), labels] = 0.9
    flipped = [5, 50, 100, 200]
    for i in flipped:
        probs[i] = np.roll(probs[i], 1)
    ids = [f"x{i}" for i in range(300)]
    write_labels(tmp_path / "labels.csv", ids, labels, names)
    order = rng.permutation(300)
    write_probs_csv(tmp_path / "p.csv", [ids[i] for i in order], probs[order], names, order=[2, 0, 1])
    result = run_cli("suspects", "labels.csv", "--predictions", "p.csv", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    suspects = json.loads(result.stdout)["suspects"]
    assert sorted(s["item"] for s in suspects) == sorted(f"x{i}" for i in flipped)
    assert {(s["item"], s["given"], s["suggested"]) for s in suspects} == {
        (f"x{i}", names[labels[i]], names[(labels[i] + 1) % 3]) for i in flipped
    }


def test_jsonl_predictions_and_text_output(tmp_path):
    labels = np.arange(200) % 2
    probs = np.column_stack([np.where(labels == 0, 0.9, 0.1), np.where(labels == 0, 0.1, 0.9)])
    probs[[7, 8]] = probs[[7, 8]][:, ::-1]
    ids = [str(i) for i in range(200)]
    write_labels(tmp_path / "labels.csv", ids, labels, ["neg", "pos"])
    lines = [
        json.dumps({"id": i, "probs": {"neg": p[0], "pos": p[1]}}) for i, p in zip(ids, probs.tolist(), strict=True)
    ]
    (tmp_path / "p.jsonl").write_text("\n".join(lines) + "\n")
    result = run_cli("suspects", "labels.csv", "--predictions", "p.jsonl", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "2 suspects" in result.stdout and "noise matrix" in result.stdout
    assert "labels.csv:9" in result.stdout  # item 7 is on line 9 (header + 0-based)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda ids, probs, names: (ids[:-1], probs[:-1], names), "no predictions for 1 labelled items: 'x9'"),
        (lambda ids, probs, names: ([*ids, "zz"], np.vstack([probs, probs[:1]]), names), "items the labels lack: 'zz'"),
        (
            lambda ids, probs, names: (ids, np.column_stack([probs, probs[:, :1]]), [*names, "emu"]),
            "class columns the labels lack: 'emu'",
        ),
        (lambda ids, probs, names: (ids, probs[:, :2], names[:2]), "no probability column for classes 'owl'"),
        (lambda ids, probs, names: (ids, probs * 4, names), "probabilities must be finite and in [0, 1]"),
    ],
)
def test_clear_errors_for_mismatched_predictions(tmp_path, mutate, message):
    names = ["cat", "dog", "owl"]
    labels = np.arange(10) % 3
    ids = [f"x{i}" for i in range(10)]
    probs = np.full((10, 3), 1 / 3)
    write_labels(tmp_path / "labels.csv", ids, labels, names)
    bad_ids, bad_probs, bad_names = mutate(ids, probs, names)
    write_probs_csv(tmp_path / "p.csv", bad_ids, bad_probs, bad_names)
    result = run_cli("suspects", "labels.csv", "--predictions", "p.csv", cwd=tmp_path)
    assert result.exit_code == 2
    assert "p.csv" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_npy_shape_is_checked(tmp_path):
    write_labels(tmp_path / "labels.csv", ["a", "b", "c"], [0, 1, 0], ["cat", "dog"])
    np.save(tmp_path / "p.npy", np.full((4, 2), 0.5))
    result = run_cli("suspects", "labels.csv", "--predictions", "p.npy", cwd=tmp_path)
    assert result.exit_code == 2 and "shape (4, 2), expected (3, 2)" in result.stderr


def test_bad_csv_row_names_its_line(tmp_path):
    write_labels(tmp_path / "labels.csv", ["a", "b"], [0, 1], ["cat", "dog"])
    (tmp_path / "p.csv").write_text("id,cat,dog\na,0.5,0.5\nb,oops,0.5\n")
    result = run_cli("suspects", "labels.csv", "--predictions", "p.csv", cwd=tmp_path)
    assert result.exit_code == 2 and "p.csv:3:" in result.stderr


def test_in_sample_predictions_warn(tmp_path):
    labels = np.arange(100) % 2
    probs = np.eye(2)[labels] * 0.98 + 0.01
    write_labels(tmp_path / "labels.csv", [str(i) for i in range(100)], labels, ["a", "b"])
    np.save(tmp_path / "p.npy", probs)
    result = run_cli("suspects", "labels.csv", "--predictions", "p.npy", cwd=tmp_path)
    assert result.exit_code == 0
    assert "look in-sample" in result.stderr
    honest = probs.copy()
    honest[::10] = honest[::10][:, ::-1]  # the model disagrees with 10% of the labels
    np.save(tmp_path / "p.npy", honest)
    assert "in-sample" not in run_cli("suspects", "labels.csv", "--predictions", "p.npy", cwd=tmp_path).stderr


def test_multilabel_flags_the_flipped_items(tmp_path):
    rng = np.random.default_rng(0)
    names = ["a", "b", "c", "d"]
    truth = rng.random((400, 4)) < 0.35
    probs = np.where(truth, 0.9, 0.05)
    given = truth.copy()
    flipped = {(13, 1), (77, 3), (250, 0)}
    for row, col in flipped:
        given[row, col] = ~given[row, col]
    rows = [
        {"id": f"m{i}", "text": f"t{i}", "labels": [names[c] for c in np.flatnonzero(given[i])]} for i in range(400)
    ]
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    np.save(tmp_path / "p.npy", probs)
    result = run_cli(
        "suspects", "labels.jsonl", "--predictions", "p.npy", "--multi-label", "--format", "json", cwd=tmp_path
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["multi_label"] is True
    got = {s["item"]: (s["given"], s["suggested"]) for s in report["suspects"]}
    assert set(got) == {f"m{row}" for row, _ in flipped}
    for row, _ in flipped:
        assert got[f"m{row}"] == (
            [names[c] for c in np.flatnonzero(given[row])],
            [names[c] for c in np.flatnonzero(truth[row])],
        )
    assert set(report["noise"]["per_class"]) == set(names)


def test_review_queue_outputs(digits, tmp_path):
    folder, data = digits
    args = ("suspects", str(folder / "labels.csv"), "--predictions", str(folder / "preds.npy"), "--top", "5")
    table = run_cli(*args, "--format", "csv", "--output", str(tmp_path / "queue.csv"))
    assert table.exit_code == 0 and table.stdout == ""
    rows = list(csv.DictReader(io.StringIO((tmp_path / "queue.csv").read_text())))
    ranked = data["ranked_pbnr_self_confidence"][:5].tolist()
    assert [r["item"] for r in rows] == [f"img{i}" for i in ranked]
    assert rows[0]["reason"].startswith("likely-label-error") and rows[0]["line"] == str(ranked[0] + 2)
    lines = run_cli(*args, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["item"] for line in lines] == [f"img{i}" for i in ranked]
    tasks = json.loads(run_cli(*args, "--format", "labelstudio").stdout)
    assert len(tasks) == 5
    task = tasks[0]
    assert task["data"]["text"] == f"text of img{ranked[0]}"
    assert task["data"]["labellint"]["reason"].startswith("likely-label-error")
    assert task["predictions"][0]["result"][0]["value"]["choices"] == [CLASSES[int(data["y_noisy"][ranked[0]])]]


def test_needs_exactly_one_input(tmp_path):
    write_labels(tmp_path / "labels.csv", ["a"], [0], ["cat"])
    result = run_cli("suspects", "labels.csv", cwd=tmp_path)
    assert result.exit_code == 2 and "--predictions" in result.stderr


def test_check_runs_ll601_only_when_selected_with_configured_predictions(digits, tmp_path):
    folder, data = digits
    (tmp_path / "models").mkdir()
    (tmp_path / "labels.csv").write_text((folder / "labels.csv").read_text())
    np.save(tmp_path / "models" / "p.npy", data["pred_probs"])
    (tmp_path / "labellint.toml").write_text('[rules.LL601]\npredictions = "models/p.npy"\nfilter-by = "both"\n')
    plain = run_cli("check", "labels.csv", "--format", "json", cwd=tmp_path)
    assert [p for p in json.loads(plain.stdout)["problems"] if p["code"] == "LL601"] == []
    selected = run_cli("check", "labels.csv", "--select", "LL601", "--format", "json", cwd=tmp_path)
    problems = json.loads(selected.stdout)["problems"]
    assert sorted(int(p["item"].removeprefix("img")) for p in problems) == np.flatnonzero(data["mask_both"]).tolist()
    assert all(p["severity"] == "warning" and p["line"] == int(p["item"][3:]) + 2 for p in problems)
    (tmp_path / "labellint.toml").write_text('[rules.LL601]\npredictions = "models/missing.csv"\n')
    broken = run_cli("check", "labels.csv", "--select", "LL601", "--format", "json", cwd=tmp_path)
    [problem] = json.loads(broken.stdout)["problems"]
    assert problem["severity"] == "error" and problem["path"] == "models/missing.csv"
    assert "predictions file not found" in problem["message"]


def test_quoted_ids_blank_lines_and_bad_row_numbers(tmp_path):
    write_labels(tmp_path / "labels.csv", ["a,1", "b"], [0, 1], ["cat", "dog"])
    (tmp_path / "p.csv").write_text('cat,dog,id\n0.9,0.1,"a,1"\n\n0.2,0.8,b\n')
    result = run_cli("suspects", "labels.csv", "--predictions", "p.csv", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["items"] == 2
    (tmp_path / "p.csv").write_text("id,cat,dog\n\na,0.9,0.1\nb,0.2,x\n")
    (tmp_path / "labels.csv").write_text("id,text,label\na,t,cat\nb,u,dog\n")
    result = run_cli("suspects", "labels.csv", "--predictions", "p.csv", cwd=tmp_path)
    assert result.exit_code == 2 and "p.csv:4: expected 2 probabilities" in result.stderr
