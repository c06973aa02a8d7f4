"""`labellint agree` end to end: table loading, the JSON contract, published values, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import REFERENCE, shared_path
from helpers import run_cli

from labellint.quality import agreement as ag
from labellint.quality.tables import TableColumns, load_ratings_table

GAL = ("data", "agreement", "get_another_label")
GAL_OPTIONS = ("--columns", "worker,item,label", "--no-header")
SNOW_OPTIONS = ("--annotator-col", "!amt_worker_ids", "--item-col", "orig_id", "--label-col", "response")
TOP_KEYS = [
    "items",
    "annotators",
    "percent_agreement",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "per_class",
    "confusion_pairs",
    "disagreeing_items",
    "ratings",
    "dropped",
    "merge_advice",
]


def agree_json(*args: str, cwd: Path | None = None) -> dict:
    result = run_cli("agree", *args, "--format", "json", cwd=cwd)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def reference_case(name: str) -> dict:
    path = REFERENCE / "agreement_cases.json"
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return next(case for case in json.loads(path.read_text())["cases"] if case["name"] == name)


def write_long_csv(path: Path, data: list[list]) -> Path:
    """data[r][i] (rater r, item i; None = not rated) as a long item,annotator,label CSV."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["item", "annotator", "label"])
        for rater, row in enumerate(data):
            for item, label in enumerate(row):
                if label is not None:
                    writer.writerow([f"i{item}", f"r{rater}", label])
    return path


def assert_matches(figure: dict, result: ag.AgreementResult) -> None:
    if result.defined:
        assert figure["value"] == pytest.approx(result.value)
    else:
        assert figure["value"] is None
    assert figure["reason"] == result.reason


# --------------------------------------------------------------------------- real crowd data


@pytest.mark.parametrize("dataset", ["BarzanMozafari", "CopyrightInfringement"])
def test_get_another_label_json_equals_library(dataset: str) -> None:
    path = shared_path(*GAL, dataset, "labels.txt")
    report = agree_json(str(path), *GAL_OPTIONS, "--top", "5")
    ratings, problems = load_ratings_table(path, names=["worker", "item", "label"], header=False)

    assert list(report) == TOP_KEYS
    assert report["items"] == ratings.n_items
    assert report["annotators"] == ratings.n_annotators
    assert report["ratings"] == ratings.n_ratings
    assert report["dropped"]["duplicates"] == ratings.n_duplicates_dropped
    assert report["dropped"]["bad_rows"] == len(problems) == 0
    percent = report["percent_agreement"]
    assert percent["definition"] == "item_mean"
    assert percent["value"] == pytest.approx(ag.percent_agreement_item_mean(ratings).value)
    assert_matches(percent["pairable_weighted"], ag.percent_agreement_pairable(ratings))
    assert report["cohen_kappa"]["value"] is None
    assert "two annotators" in report["cohen_kappa"]["reason"]
    assert_matches(report["cohen_kappa"]["mean_pairwise"], ag.mean_pairwise_cohen_kappa(ratings))
    assert_matches(report["fleiss_kappa"], ag.fleiss_kappa(ratings))
    assert_matches(report["krippendorff_alpha"], ag.krippendorff_alpha(ratings, "nominal"))
    specific = ag.specific_agreement(ratings)
    for category in ratings.categories:
        assert_matches(report["per_class"][str(category)]["specific_agreement"], specific[category])
    expected_pairs = [[str(a), str(b), n] for a, b, n in ag.top_confusions(ratings, 5)]
    assert [[p["a"], p["b"], p["count"]] for p in report["confusion_pairs"]] == expected_pairs
    disagreeing = ag.disagreeing_items(ratings)
    assert report["disagreeing_items"]["count"] == len(disagreeing)
    assert report["disagreeing_items"]["items"] == [str(item) for item in disagreeing[:5]]


def test_barzan_mozafari_shape() -> None:
    path = shared_path(*GAL, "BarzanMozafari", "labels.txt")
    report = agree_json(str(path), *GAL_OPTIONS)
    assert (report["ratings"], report["items"], report["annotators"]) == (5000, 1000, 83)
    # Five ratings on every item: Fleiss' kappa is defined and close to nominal alpha.
    assert report["fleiss_kappa"]["value"] == pytest.approx(report["krippendorff_alpha"]["value"], abs=1e-3)


def test_copyright_infringement_fleiss_undefined_alpha_defined() -> None:
    path = shared_path(*GAL, "CopyrightInfringement", "labels.txt")
    report = agree_json(str(path), *GAL_OPTIONS)
    assert report["fleiss_kappa"]["value"] is None
    assert "varies" in report["fleiss_kappa"]["reason"]
    assert report["krippendorff_alpha"]["value"] is not None
    assert report["dropped"]["duplicates"] > 0


def test_snow2008_rte_standardized_tsv() -> None:
    path = shared_path("data", "agreement", "snow2008", "rte.standardized.tsv")
    report = agree_json(str(path), *SNOW_OPTIONS)
    columns = TableColumns(item="orig_id", annotator="!amt_worker_ids", label="response")
    ratings, _ = load_ratings_table(path, columns)
    assert (report["ratings"], report["items"]) == (8000, 800)
    assert report["annotators"] == ratings.n_annotators
    assert_matches(report["fleiss_kappa"], ag.fleiss_kappa(ratings))
    assert_matches(report["krippendorff_alpha"], ag.krippendorff_alpha(ratings))
    assert set(report["per_class"]) == {"0", "1"}


def test_text_output_is_a_short_table() -> None:
    path = shared_path(*GAL, "BarzanMozafari", "labels.txt")
    result = run_cli("agree", str(path), *GAL_OPTIONS)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("5000 ratings of 1000 items by 83 annotators")
    assert "Fleiss' kappa" in result.stdout
    assert "n/a (Cohen's kappa needs exactly two annotators, found 83)" in result.stdout
    assert len(result.stdout.splitlines()) < 30


# --------------------------------------------------------------------------- published values


def test_wikipedia_cohen_grant_case_as_long_csv(tmp_path: Path) -> None:
    case = reference_case("wikipedia_cohen_grant_50")
    table = write_long_csv(tmp_path / "grant.csv", case["data"])
    report = agree_json(str(table))
    assert report["cohen_kappa"]["value"] == pytest.approx(case["expected"], abs=case["tolerance"])
    assert report["cohen_kappa"]["components"]["po"] == pytest.approx(0.7)
    assert report["percent_agreement"]["value"] == pytest.approx(0.7)
    assert "mean_pairwise" not in report["cohen_kappa"]
    assert "weighted_kappa" not in report


def test_declared_scale_weighted_kappa(tmp_path: Path) -> None:
    case = reference_case("edge_weighted_kappa_declared_scale_linear")
    table = write_long_csv(tmp_path / "anxiety.csv", case["data"])
    declared = ",".join(str(c) for c in case["categories"])
    report = agree_json(str(table), "--categories", declared, "--weights", "linear")
    weighted = report["weighted_kappa"]
    assert weighted["value"] == pytest.approx(case["expected"], abs=max(case["tolerance"], 1e-6))
    assert weighted["categories"] == [str(c) for c in case["categories"]]


def test_interval_alpha_with_missing_ratings(tmp_path: Path) -> None:
    case = reference_case("krippendorff_C_interval")
    table = write_long_csv(tmp_path / "c.csv", case["data"])
    report = agree_json(str(table), "--level", "interval")
    assert report["krippendorff_alpha"]["level"] == "interval"
    assert report["krippendorff_alpha"]["value"] == pytest.approx(case["expected"], abs=case["tolerance"])


def test_jsonl_input(tmp_path: Path) -> None:
    case = reference_case("wikipedia_cohen_grant_50")
    lines = [
        json.dumps({"id": f"p{i}", "who": f"r{r}", "answer": label})
        for r, row in enumerate(case["data"])
        for i, label in enumerate(row)
    ]
    (tmp_path / "grant.jsonl").write_text("\n".join(lines) + "\n")
    report = agree_json(
        "grant.jsonl", "--item-col", "id", "--annotator-col", "who", "--label-col", "answer", cwd=tmp_path
    )
    assert report["cohen_kappa"]["value"] == pytest.approx(0.4)


# --------------------------------------------------------------------------- undefined figures and bad input


def test_three_annotators_varying_ratings_fleiss_null(tmp_path: Path) -> None:
    data = [
        ["a", "a", "b", "a", "b"],
        ["a", "b", "b", "a", None],
        ["a", "a", "b", None, "b"],
    ]
    report = agree_json(str(write_long_csv(tmp_path / "three.csv", data)))
    assert report["annotators"] == 3
    assert report["fleiss_kappa"] == {
        "value": None,
        "reason": report["fleiss_kappa"]["reason"],
        "components": {},
    }
    assert "varies (2 to 3)" in report["fleiss_kappa"]["reason"]
    assert report["cohen_kappa"]["value"] is None
    assert report["cohen_kappa"]["mean_pairwise"]["value"] is not None
    assert report["krippendorff_alpha"]["value"] is not None
    for row in report["per_class"].values():
        assert row["fleiss_kappa"]["value"] is None and row["fleiss_kappa"]["reason"]


def test_bad_rows_are_reported_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("item,annotator,label\n1,A,yes\n1,B,yes\n2,A\n2,B,no\n3,A,\n3,B,no\n2,A,no\n")
    result = run_cli("agree", "bad.csv", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "bad.csv:4: expected at least 3 fields, found 2" in result.stderr
    assert "bad.csv:6: empty 'label'" in result.stderr
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    assert report["dropped"]["bad_rows"] == 2
    assert report["ratings"] == 5
    assert report["items"] == 3


def test_bad_jsonl_lines_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text(
        '{"item": 1, "annotator": "A", "label": "x"}\nnot json\n[1]\n'
        '{"item": 1, "annotator": "B", "label": null}\n{"item": 1, "annotator": "B", "label": "x"}\n'
    )
    result = run_cli("agree", "r.jsonl", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    for line in (2, 3, 4):
        assert f"r.jsonl:{line}:" in result.stderr
    assert json.loads(result.stdout)["dropped"]["bad_rows"] == 3


def test_missing_column_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("item,annotator,answer\n1,A,yes\n")
    result = run_cli("agree", "t.csv", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("labellint: error: t.csv: no label column 'label'")
    assert "answer" in lines[0]


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("agree", "nope.csv", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip() == "labellint: error: nope.csv: file not found"


def test_ordinal_without_order_is_a_usage_error(tmp_path: Path) -> None:
    write_long_csv(tmp_path / "t.csv", [["lo", "hi"], ["lo", "lo"]])
    result = run_cli("agree", "t.csv", "--level", "ordinal", cwd=tmp_path)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "declare the category order" in result.stderr


def test_label_outside_declared_categories_is_a_usage_error(tmp_path: Path) -> None:
    write_long_csv(tmp_path / "t.csv", [["lo", "hi"], ["lo", "mid"]])
    result = run_cli("agree", "t.csv", "--categories", "lo,hi", cwd=tmp_path)
    assert result.exit_code == 2
    assert "not in the declared categories" in result.stderr


def test_output_file(tmp_path: Path) -> None:
    write_long_csv(tmp_path / "t.csv", [["a", "b", "a"], ["a", "b", "b"]])
    result = run_cli("agree", "t.csv", "--format", "json", "--output", "out.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads((tmp_path / "out.json").read_text())["items"] == 3


def test_jsonl_key_missing_everywhere_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "r.jsonl").write_text('{"item": 1, "annotator": "A", "answer": "x"}\n')
    result = run_cli("agree", "r.jsonl", cwd=tmp_path)
    assert result.exit_code == 2
    assert "labellint: error: r.jsonl: no label key 'label' in any record" in result.stderr


def test_headerless_table_needs_column_names(tmp_path: Path) -> None:
    (tmp_path / "labels.txt").write_text("w1\ti1\tx\n")
    result = run_cli("agree", "labels.txt", "--no-header", cwd=tmp_path)
    assert result.exit_code == 2
    assert "--columns" in result.stderr
