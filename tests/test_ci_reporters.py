"""CI reporters end to end: SARIF against the official schema, GitHub commands, markdown, JUnit, GitLab."""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from conftest import SARIF_SCHEMA
from helpers import SPEC_TEXT, problems_of, run_cli, write_coco

IMAGE = {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480}
BAD_ANNOTATIONS = [
    {"id": 1, "image_id": 1, "category_id": 3, "bbox": [600, 10, 100, 50]},  # LL201 out of bounds
    {"id": 2, "image_id": 1, "category_id": 3, "bbox": [10, 10, 0, 50]},  # LL202 degenerate
    {"id": 3, "image_id": 1, "category_id": 1, "bbox": [100, 100, 3, 12]},  # LL203 too small (warning)
    {"id": 4, "image_id": 1, "category_id": 9, "bbox": [200, 200, 30, 30]},  # LL004 dangling category
    {"id": 5, "image_id": 1, "category_id": 2, "bbox": [300, 300, 40, 40]},
    {"id": 6, "image_id": 1, "category_id": 2, "bbox": [301, 300, 40, 40]},  # LL205 duplicate
]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # marks the repository root
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    write_coco(tmp_path / "data" / "bad, 100%: v2.json", [IMAGE], BAD_ANNOTATIONS)
    write_coco(tmp_path / "data" / "other.json", [IMAGE], BAD_ANNOTATIONS[:2])
    write_coco(tmp_path / "data" / "clean.json", [IMAGE], BAD_ANNOTATIONS[4:5])
    return tmp_path


def _json_problems(repo: Path, cwd: Path | None = None) -> list[dict]:
    return problems_of(run_cli("check", "data", "--format", "json", cwd=cwd or repo))


def test_sarif_is_valid_against_the_official_schema_with_one_result_per_problem(repo: Path) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text())
    result = run_cli("check", "data", "--format", "sarif", cwd=repo)
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    jsonschema.validate(log, schema, cls=jsonschema.Draft7Validator)  # the schema is draft-07
    (run,) = log["runs"]
    expected = _json_problems(repo)
    assert len(expected) >= 7
    assert len(run["results"]) == len(expected)
    rules = run["tool"]["driver"]["rules"]
    for sarif, problem in zip(run["results"], expected, strict=True):
        assert sarif["ruleId"] == problem["code"]
        assert rules[sarif["ruleIndex"]]["id"] == problem["code"]
        assert sarif["level"] == {"error": "error", "warning": "warning", "info": "note"}[problem["severity"]]
        assert sarif["message"]["text"] == problem["message"]
        physical = sarif["locations"][0]["physicalLocation"]
        # Relative to the repository root, percent-encoded as a URI.
        uri = physical["artifactLocation"]["uri"]
        assert unquote(uri) == problem["path"] and " " not in uri and ":" not in uri
        assert physical["region"] == {"startLine": problem["line"], "startColumn": problem["column"]}
        assert sarif["partialFingerprints"]["labellint/v1"].startswith(problem["fingerprint"])
        if problem["pointer"]:
            assert sarif["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == problem["pointer"]
            assert sarif["properties"]["annotation"] == problem["annotation"]
    ran = {r["id"]: r for r in rules}
    oob = ran["LL201"]
    assert oob["name"] == "bbox-out-of-bounds"
    assert oob["helpUri"].endswith("/rules/LL201-bbox-out-of-bounds")
    assert oob["defaultConfiguration"]["level"] == "error"
    assert oob["shortDescription"]["text"] and oob["fullDescription"]["text"] and oob["help"]["text"]
    assert ran["LL203"]["defaultConfiguration"]["level"] == "warning"
    for rule in (ran[code] for code in {p["code"] for p in expected}):  # helpUri names a real rulebook folder
        folder = Path(__file__).resolve().parents[1] / "rules" / rule["helpUri"].rsplit("/", 1)[1]
        assert (folder / "README.md").is_file(), rule["helpUri"]


def test_sarif_fingerprints_are_stable_and_unique(repo: Path) -> None:
    def fingerprints() -> list[str]:
        log = json.loads(run_cli("check", "data", "--format", "sarif", cwd=repo).stdout)
        return [r["partialFingerprints"]["labellint/v1"] for r in log["runs"][0]["results"]]

    first = fingerprints()
    assert first == fingerprints()
    assert len(set(first)) == len(first)
    # Reformatting a file and reordering its records moves every line but keeps the fingerprints.
    path = repo / "data" / "other.json"
    document = json.loads(path.read_text())
    document["annotations"].reverse()
    path.write_text("\n\n" + json.dumps(document, indent=4))
    moved = json.loads(run_cli("check", "data", "--format", "sarif", cwd=repo).stdout)["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["labellint/v1"] for r in moved) == sorted(first)
    # Run from a subfolder: paths are still relative to the repository root, fingerprints unchanged.
    sub = json.loads(run_cli("check", ".", "--format", "sarif", cwd=repo / "data").stdout)["runs"][0]["results"]
    assert sorted(r["partialFingerprints"]["labellint/v1"] for r in sub) == sorted(first)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sub}
    assert uris == {"data/bad%2C%20100%25%3A%20v2.json", "data/other.json"}


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<message>.*)$")


def test_github_commands_escape_properties_and_messages(repo: Path) -> None:
    result = run_cli("check", "data", "--format", "github", cwd=repo)
    assert result.exit_code == 1
    expected = _json_problems(repo)
    commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert len(commands) == len(expected)
    parsed = []
    for line in commands:
        match = COMMAND.match(line)
        assert match, line
        # Escaped properties never contain the separators themselves.
        props = dict(part.split("=", 1) for part in match["props"].split(","))
        parsed.append((match[1], {k: _unescape(v) for k, v in props.items()}, _unescape(match["message"])))
    level = {"error": "error", "warning": "warning", "info": "notice"}
    # Errors come first; within a severity the report's order is kept.
    ordered = sorted(expected, key=lambda p: p["severity"] != "error")
    for (kind, props, message), problem in zip(parsed, ordered, strict=True):
        assert kind == level[problem["severity"]]
        assert props["file"] == problem["path"]
        assert props["line"] == str(problem["line"]) and props["col"] == str(problem["column"])
        assert props["title"] == f"{problem['code']} {problem['name']}"
        assert message.startswith(problem["message"])
    assert any(p["file"] == "data/bad, 100%: v2.json" for _, p, _ in parsed)
    assert "file=data/bad%2C 100%25%3A v2.json" in result.stdout


def test_github_escaping_of_newlines_and_the_cap() -> None:
    from labellint.problem import Location, Problem, Severity
    from labellint.report import Report
    from labellint.reporters import RenderOptions
    from labellint.reporters.github import GithubReporter, escape_data, escape_property

    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    problems = [
        Problem("LL201", "bbox-out-of-bounds", Severity.ERROR, f"line one\nline {i}", Location("x.json", i + 1, 1))
        for i in range(60)
    ] + [Problem("LL203", "bbox-too-small", Severity.WARNING, "small", Location("x.json", 99, 1))]
    text = GithubReporter().render(Report(problems=problems), RenderOptions())
    lines = text.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 50 and "line one%0Aline 0" in errors[0]
    overflow = [line for line in lines if "more problems" in line]
    assert overflow == [
        "::warning title=labellint::11 more problems (10 error, 1 warning) are not shown as annotations "
        "(limit 50); see the job log or the SARIF/markdown report"
    ]


def test_auto_format_picks_github_under_actions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert run_cli("check", "data", "--format", "auto", cwd=repo).stdout.startswith("::error file=")
    monkeypatch.setenv("GITHUB_ACTIONS", "false")
    assert run_cli("check", "data", "--format", "auto", cwd=repo).stdout.startswith("data/")


def test_several_outputs_in_one_run(repo: Path) -> None:
    result = run_cli(
        "check",
        "data",
        "-o",
        "sarif:out/r.sarif",
        "--output",
        "markdown:out/summary.md",
        "-o",
        "junit:out/junit.xml",
        "-o",
        "gitlab:out/cq.json",
        "-o",
        "json:out/r.json",
        cwd=(repo / "out").mkdir() or repo,
    )
    assert result.exit_code == 1
    assert result.stdout.startswith("data/")  # stdout still gets the text report
    expected = problems_of(run_cli("check", "data", "--format", "json", cwd=repo))
    assert json.loads((repo / "out/r.json").read_text())["problems"] == expected
    assert len(json.loads((repo / "out/r.sarif").read_text())["runs"][0]["results"]) == len(expected)
    assert (repo / "out/summary.md").read_text().startswith("## labellint: ❌")
    # `--format X --output FILE` still writes X to FILE.
    result = run_cli("check", "data", "--format", "json", "--output", "plain.json", cwd=repo)
    assert result.stdout == "" and json.loads((repo / "plain.json").read_text())["problems"] == expected
    bad = run_cli("check", "data", "-o", "sarfi:x.sarif", cwd=repo)
    assert bad.exit_code == 2 and "unknown format 'sarfi'" in bad.stderr
    twice = run_cli("check", "data", "-o", "a.txt", "-o", "b.txt", cwd=repo)
    assert twice.exit_code == 2


def test_gitlab_code_quality(repo: Path) -> None:
    issues = json.loads(run_cli("check", "data", "--format", "gitlab", cwd=repo).stdout)
    expected = _json_problems(repo)
    assert len(issues) == len(expected)
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    for issue, problem in zip(issues, expected, strict=True):
        assert issue["check_name"] == f"{problem['code']} {problem['name']}"
        assert issue["severity"] == {"error": "major", "warning": "minor", "info": "info"}[problem["severity"]]
        assert issue["location"] == {"path": problem["path"], "lines": {"begin": problem["line"]}}
        assert problem["message"] in issue["description"]


def test_junit_has_a_failure_per_problem(repo: Path) -> None:
    root = ET.fromstring(run_cli("check", "data", "--format", "junit", cwd=repo).stdout)
    expected = _json_problems(repo)
    failures = root.findall(".//failure")
    assert len(failures) == len(expected) == int(root.get("failures"))
    assert int(root.get("tests")) == len(root.findall(".//testcase"))
    by_suite = {s.get("name").split()[0]: s for s in root.findall("testsuite")}
    counts: dict[str, int] = {}
    for problem in expected:
        counts[problem["code"]] = counts.get(problem["code"], 0) + 1
    for code, suite in by_suite.items():
        assert int(suite.get("failures")) == counts.get(code, 0)
    # Rules that found nothing show as one passing case.
    assert by_suite["LL003"].find("testcase").find("failure") is None


def test_markdown_summary_counts_and_links(repo: Path) -> None:
    text = run_cli("check", "data", "--format", "markdown", cwd=repo).stdout
    expected = _json_problems(repo)
    errors = sum(p["severity"] == "error" for p in expected)
    assert text.startswith(f"## labellint: ❌ {errors} errors\n")
    assert f"**{len(expected)} problems**" in text
    for code in {p["code"] for p in expected}:
        name = next(p["name"] for p in expected if p["code"] == code)
        count = sum(p["code"] == code for p in expected)
        assert re.search(rf"\| \[{code} {name}\]\(https://\S+/rules/{code}-{name}\) \| \w+ \| {count} \|", text)
    # The pipe-free table: the file name with a comma and a percent sign stays one cell.
    worst = text.split("### Files with the most problems")[1].split("###")[0]
    rows = [r for r in worst.splitlines() if r.startswith("| `")]
    assert rows[0].startswith("| `data/bad, 100%: v2.json` |")
    assert all(r.count(" | ") == 3 for r in rows)
    clean = run_cli("check", "data/clean.json", "--select", "LL2", "--format", "markdown", cwd=repo).stdout
    assert clean.startswith("## labellint: ✅ all checks passed")
    write_coco(repo / "small.json", [IMAGE], [BAD_ANNOTATIONS[2]])
    warnings = run_cli("check", "small.json", "--select", "LL203", "--format", "markdown", cwd=repo).stdout
    assert warnings.startswith("## labellint: ⚠️ no errors\n") and "(0 errors, 1 warning)" in warnings


def test_output_to_a_fifo_writes_through(repo: Path, tmp_path: Path) -> None:
    # Like /dev/null or /dev/stdout: the atomic temp-file-and-rename must not replace the special file.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    result = run_cli("check", "data", "--format", "json", "-o", f"sarif:{fifo}", cwd=repo)
    reader.join(timeout=30)
    assert result.exit_code == 1
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["version"] == "2.1.0"


def test_sarif_short_description_is_a_whole_sentence_for_every_rule() -> None:
    from labellint.report import Report
    from labellint.reporters import get_reporter
    from labellint.reporters.base import RenderOptions
    from labellint.rules import all_rules

    rules = all_rules()
    report = Report(rules={code: rule.info() for code, rule in rules.items()})
    log = json.loads(get_reporter("sarif").render(report, RenderOptions(version="0")))
    described = {r["id"]: r["shortDescription"]["text"] for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert set(described) == set(rules)
    for code, text in described.items():
        # The docstring's whole first paragraph, on one line, ending as a sentence ends.
        first_paragraph = " ".join(rules[code].__doc__.strip().split("\n\n")[0].split())
        assert text == first_paragraph, code
        assert text[-1] in ".?!)" and text[0].isupper(), f"{code}: {text!r}"
