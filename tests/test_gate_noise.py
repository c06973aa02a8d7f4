"""`labellint gate`'s noise gate: confident learning's estimate on the digits fixture, as `suspects` reports it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from conftest import shared_path
from helpers import run_cli

CLASSES = [f"d{i}" for i in range(10)]


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """The cleanlab digits fixture (20% injected noise) as a label CSV and a probabilities CSV."""
    data = np.load(shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz"))
    folder = tmp_path_factory.mktemp("digits")
    ids = [f"img{i}" for i in range(len(data["y_noisy"]))]
    with (folder / "labels.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "label"])
        writer.writerows(
            [item, f"text of {item}", CLASSES[int(label)]] for item, label in zip(ids, data["y_noisy"], strict=True)
        )
    with (folder / "preds.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["item", *CLASSES])
        writer.writerows(
            [item, *(repr(float(p)) for p in row)] for item, row in zip(ids, data["pred_probs"], strict=True)
        )
    return folder, data


def _spec(folder: Path, noise: str) -> None:
    classes = "".join(f"  {name}: {{definition: the digit {name[1]}}}\n" for name in CLASSES)
    text = f"version: 1.0.0\ntask: classification\nclasses:\n{classes}quality:\n  noise: {noise}\n"
    (folder / "labelspec.yaml").write_text(text)


def _gate(folder: Path, *args: str):
    result = run_cli("gate", "labels.csv", *args, "--format", "json", cwd=folder)
    assert result.exit_code in (0, 1), result.output + result.stderr
    (entry,) = json.loads(result.stdout)["gates"]
    return result.exit_code, entry


def test_noise_gate_is_the_estimate_suspects_reports_and_exits_either_side(digits) -> None:
    folder, data = digits
    suspects = json.loads(
        run_cli("suspects", "labels.csv", "--predictions", "preds.csv", "--format", "json", cwd=folder).stdout
    )
    # cleanlab 2.9.0's published count for this fixture, over the items (counted with numpy).
    issues, items = int(data["num_label_issues_off_diagonal"]), len(data["y_noisy"])
    assert suspects["noise"]["estimated_label_issues"] == issues and suspects["items"] == items
    rate = issues / items
    # The estimate is near the noise really injected (19.98%), which is what makes it worth gating on.
    assert abs(rate - data["is_injected"].mean()) < 0.03
    for offset, expected in ((0.01, 0), (-0.01, 1)):
        _spec(folder, f"{{max_rate: {rate + offset:.6f}}}")
        exit_code, entry = _gate(folder, "--predictions", "preds.csv")
        assert exit_code == expected
        assert (entry["name"], entry["metric"], entry["n"]) == ("noise", "estimated_noise_rate", items)
        assert entry["value"] == pytest.approx(rate, abs=0) and entry["value"] == issues / items
        assert entry["status"] == ("passed" if expected == 0 else "failed")


def test_noise_gate_reads_predictions_from_the_config_and_needs_min_items(digits) -> None:
    folder, data = digits
    _spec(folder, f"{{max_rate: 0.5, min_items: {len(data['y_noisy']) + 1}}}")
    (folder / "labellint.toml").write_text('[quality]\npredictions = "preds.csv"\n')
    try:
        exit_code, entry = _gate(folder)
        assert exit_code == 1 and entry["status"] == "not_enough_data" and entry["ok"] is False
        assert entry["reason"] == f"not enough data: {len(data['y_noisy'])} < min_items {len(data['y_noisy']) + 1}"
        (folder / "labellint.toml").write_text("")
        exit_code, entry = _gate(folder)
        assert exit_code == 1 and entry["status"] == "not_enough_data" and "no predictions" in entry["reason"]
    finally:
        (folder / "labellint.toml").unlink()


def test_predictions_that_do_not_fit_the_labels_are_a_configuration_error(digits) -> None:
    folder, _data = digits
    _spec(folder, "{max_rate: 0.5}")
    (folder / "short.csv").write_text("item,d0,d1\nimg0,0.5,0.5\n")
    result = run_cli("gate", "labels.csv", "--predictions", "short.csv", cwd=folder)
    assert result.exit_code == 2 and "short.csv" in result.stderr and "Traceback" not in result.stderr
