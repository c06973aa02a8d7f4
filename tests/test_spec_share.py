"""`spec render` and `spec export`: guidelines and tool configs that name every class the spec has."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from browser import browser, open_page  # noqa: F401  (the fixture)
from conftest import REPO_ROOT, shared_path
from helpers import run_cli

EXAMPLE_SPECS = [*sorted(REPO_ROOT.glob("examples/*/labelspec.yaml")), REPO_ROOT / "examples/ci/bccd-labelspec.yaml"]
LABEL_CONTROLS = {"RectangleLabels", "PolygonLabels", "KeyPointLabels", "Labels", "Choices"}


def _plain(spec_path: Path) -> dict:
    """The spec as plain YAML, read without labellint."""
    return yaml.safe_load(spec_path.read_text(encoding="utf-8"))


def _expected_names(document: dict) -> list[str]:
    names = list(document["classes"])
    unsure_class = (document.get("unsure") or {}).get("class")
    return names + ([unsure_class] if unsure_class and unsure_class not in names else [])


def _label_values(config: str) -> tuple[ET.Element, list[str]]:
    root = ET.fromstring(config)
    control = next(e for e in root if e.tag in LABEL_CONTROLS and e.get("name") == "label")
    return root, [child.get("value") for child in control]


def _taco_spec(tmp_path: Path) -> tuple[Path, dict]:
    """A spec with TACO v1's real categories (read with plain json), each with a definition, plus edge cases."""
    document = json.loads(shared_path("data", "coco", "taco", "annotations_v1_a56f6cb.json").read_text())
    lines = ["spec: 1", "name: taco", "version: 1.0.0", "task: segmentation", "classes:"]
    for category in document["categories"]:
        definition = f"Litter of the TACO category {category['name']} ({category['supercategory']})."
        lines += [f"  {json.dumps(category['name'])}:", f"    id: {category['id']}"]
        lines.append(f"    definition: {json.dumps(definition)}")
        lines.append(f"    include: [{json.dumps(category['name'] + ' crushed')}]")
    lines += [
        "attributes:",
        "  material: {enum: [plastic, metal, paper]}",
        "edge_cases:",
        "  - {id: torn, rule: A torn piece is labeled as the object it came from., classes: [Paper bag]}",
        "  - {id: stacked, rule: Cups stacked inside each other are one object per cup.}",
        "unsure:",
        "  attribute: unsure",
        "  criteria: [covered by sand, too small to tell the material]",
        "changelog:",
        "  - {version: 1.0.0, changes: The TACO v1 categories.}",
    ]
    path = tmp_path / "labelspec.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, document


@pytest.mark.parametrize("spec_path", EXAMPLE_SPECS, ids=lambda p: p.parent.name)
def test_labelstudio_config_of_every_example_names_every_class_with_its_definition(spec_path: Path) -> None:
    result = run_cli("spec", "export", "--to", "labelstudio", "--spec", str(spec_path))
    assert result.exit_code == 0, result.output
    document = _plain(spec_path)
    root, values = _label_values(result.stdout)
    assert values == _expected_names(document)
    control = next(e for e in root if e.get("name") == "label")
    for child in control:
        definition = document["classes"].get(child.get("value"), {}).get("definition")
        if definition:
            assert child.get("hint").startswith(definition)
    unsure = (document.get("unsure") or {}).get("attribute")
    if unsure:
        choices = root.find(f"Choices[@name='{unsure}']")
        assert [c.get("value") for c in choices] == ["true", "false"]


@pytest.mark.parametrize("spec_path", EXAMPLE_SPECS, ids=lambda p: p.parent.name)
def test_rendered_guidelines_hold_every_definition_edge_case_and_changelog(spec_path: Path) -> None:
    document = _plain(spec_path)
    markdown = run_cli("spec", "render", "--spec", str(spec_path)).stdout
    page = run_cli("spec", "render", "--format", "html", "--spec", str(spec_path)).stdout
    texts = [c["definition"] for c in document["classes"].values() if c.get("definition")]
    texts += [e for c in document["classes"].values() for e in c.get("include", []) + c.get("exclude", [])]
    texts += [case["rule"] for case in document.get("edge_cases", [])]
    texts += [c for c in (document.get("unsure") or {}).get("criteria", [])]
    texts += [str(entry["version"]) for entry in document.get("changelog", [])]
    assert texts and str(document["version"]) in markdown
    for text in texts:
        assert text in markdown, text
        assert html.escape(text) in page, text
    for order in document.get("priority", []):
        assert " > ".join(order) in markdown
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page


def test_taco_categories_reach_both_tools_and_the_guideline(tmp_path: Path) -> None:
    spec_path, document = _taco_spec(tmp_path)
    names = [c["name"] for c in document["categories"]]
    out = tmp_path / "config.xml"
    result = run_cli("spec", "export", "--to", "labelstudio", "--spec", str(spec_path), "-o", str(out))
    assert result.exit_code == 0, result.output
    root, values = _label_values(out.read_text(encoding="utf-8"))
    assert values == names and len(values) == len(document["categories"])
    assert root.find("PolygonLabels") is not None
    assert [c.get("value") for c in root.find("Choices[@name='material']")] == ["plastic", "metal", "paper"]
    assert "covered by sand" in root.find("Header").get("value")

    cvat = json.loads(run_cli("spec", "export", "--to", "cvat", "--spec", str(spec_path)).stdout)
    assert [label["name"] for label in cvat] == names
    assert {label["type"] for label in cvat} == {"polygon"}
    by_name = {a["name"]: a for a in cvat[0]["attributes"]}
    assert by_name["material"]["input_type"] == "select"
    assert by_name["material"]["values"] == ["plastic", "metal", "paper"]
    assert by_name["unsure"]["input_type"] == "checkbox"

    markdown = run_cli("spec", "render", "--spec", str(spec_path)).stdout
    for category in document["categories"]:
        assert f"Litter of the TACO category {category['name']} ({category['supercategory']})." in markdown
    assert "A torn piece is labeled as the object it came from." in markdown
    assert "Cups stacked inside each other are one object per cup." in markdown


def test_a_missing_or_broken_spec_is_a_clear_message(tmp_path: Path) -> None:
    missing = run_cli("spec", "render", "--spec", str(tmp_path / "none.yaml"))
    assert missing.exit_code == 2 and "none.yaml" in missing.stderr and "Traceback" not in missing.output
    broken = tmp_path / "labelspec.yaml"
    broken.write_text("spec: 1\nversion: 1.0.0\nclasses:\n  car: {colour: red}\n", encoding="utf-8")
    result = run_cli("spec", "export", "--to", "cvat", "--spec", str(broken), "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 2 and "labelspec.yaml:4:" in result.stderr and "colour" in result.stderr
    assert not (tmp_path / "out.json").exists()
    spec_path = REPO_ROOT / "examples/street-detection/labelspec.yaml"
    unwritable = run_cli("spec", "export", "--to", "cvat", "--spec", str(spec_path), "-o", str(tmp_path / "no/x.json"))
    assert unwritable.exit_code == 2 and "no/x.json: cannot write" in unwritable.stderr


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def test_spec_check_flags_a_labelstudio_config_left_behind_by_a_spec_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    spec = repo / "labelspec.yaml"
    shutil.copy(REPO_ROOT / "examples/street-detection/labelspec.yaml", spec)
    assert run_cli("spec", "export", "--to", "labelstudio", "-o", "labelstudio.xml", cwd=repo).exit_code == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "spec and its Label Studio config")
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0

    # The spec gains a class (a minor bump with its changelog entry); the tool config is not re-exported.
    text = spec.read_text(encoding="utf-8").replace("version: 2.1.0", "version: 2.2.0")
    text = text.replace("\nattributes:", "  bus:\n    id: 4\n    definition: A bus or coach.\n\nattributes:", 1)
    text = text.replace("changelog:\n", "changelog:\n  - {version: 2.2.0, changes: Added the bus class.}\n", 1)
    spec.write_text(text, encoding="utf-8")
    stale = run_cli("spec", "check", "--base", "HEAD", "--format", "json", cwd=repo)
    problems = json.loads(stale.stdout)["problems"]
    assert stale.exit_code == 1
    assert [(p["code"], p["path"]) for p in problems] == [("LL506", "labelstudio.xml")]
    assert "'bus'" in problems[0]["message"]

    assert run_cli("spec", "export", "--to", "labelstudio", "-o", "labelstudio.xml", cwd=repo).exit_code == 0
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0
    (repo / "labelstudio.xml").write_text("<View><Image name='image'", encoding="utf-8")
    broken = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert broken.exit_code == 1 and "not a readable Label Studio config" in broken.stdout


def test_html_guideline_opens_offline_in_a_browser_with_one_heading_per_class(tmp_path: Path, browser) -> None:  # noqa: F811
    spec_path = REPO_ROOT / "examples/street-detection/labelspec.yaml"
    out = tmp_path / "guidelines.html"
    assert run_cli("spec", "render", "--format", "html", "--spec", str(spec_path), "-o", str(out)).exit_code == 0
    view = open_page(browser, out)
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    document = _plain(spec_path)
    headings = view.page.locator("h3").all_inner_texts()
    assert [h.split(" (id")[0] for h in headings] == list(document["classes"])
    shown = view.page.inner_text("body")
    for cls in document["classes"].values():
        assert cls["definition"] in shown
    assert "unsure" in view.page.locator("code").all_inner_texts()


def _cvat_findings(repo: Path) -> list[tuple[str, str, str]]:
    result = run_cli("spec", "check", "--base", "HEAD", "--format", "json", cwd=repo)
    problems = json.loads(result.stdout)["problems"]
    assert result.exit_code == (1 if problems else 0), result.output
    return [(p["path"], p.get("pointer") or "", p["message"]) for p in problems if p["code"] == "LL506"]


def test_spec_check_flags_a_cvat_labels_json_left_behind_by_a_spec_change(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "tool").mkdir(parents=True)
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    spec = repo / "labelspec.yaml"
    shutil.copy(REPO_ROOT / "examples/street-detection/labelspec.yaml", spec)
    # Where the CVAT labels live is the rule's `cvat` option, as `labelstudio` is for Label Studio.
    (repo / "labellint.toml").write_text('[rules.LL506]\ncvat = ["tool/cvat.json"]\n', encoding="utf-8")
    cvat = repo / "tool" / "cvat.json"
    assert run_cli("spec", "export", "--to", "cvat", "-o", str(cvat), cwd=repo).exit_code == 0
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "spec and its CVAT labels")
    assert _cvat_findings(repo) == []

    # The spec gains an attribute (minor, with its changelog entry); the CVAT labels are not re-exported.
    text = spec.read_text(encoding="utf-8").replace("version: 2.1.0", "version: 2.2.0")
    text = text.replace("  unsure: {type: boolean}\n", "  unsure: {type: boolean}\n  weather: {enum: [dry, rain]}\n", 1)
    text = text.replace("changelog:\n", "changelog:\n  - {version: 2.2.0, changes: Added the weather attribute.}\n", 1)
    spec.write_text(text, encoding="utf-8")
    labels = json.loads(cvat.read_text(encoding="utf-8"))
    stale = _cvat_findings(repo)
    assert [(path, pointer) for path, pointer, _ in stale] == [
        ("tool/cvat.json", f"/{i}/attributes") for i in range(len(labels))
    ]
    assert all("lacks the attribute 'weather'" in message for *_, message in stale)

    # Re-exported, then edited in CVAT: one value added to the first label's weather, one class added.
    assert run_cli("spec", "export", "--to", "cvat", "-o", str(cvat), cwd=repo).exit_code == 0
    assert _cvat_findings(repo) == []
    labels = json.loads(cvat.read_text(encoding="utf-8"))
    weather = next(j for j, a in enumerate(labels[0]["attributes"]) if a["name"] == "weather")
    labels[0]["attributes"][weather]["values"].append("fog")
    labels.append({"name": "tram", "type": "rectangle", "attributes": []})
    cvat.write_text(json.dumps({"name": "street", "labels": labels}), encoding="utf-8")  # a project JSON
    drifted = _cvat_findings(repo)
    assert [(pointer, "'fog'" in m or "'tram'" in m) for _, pointer, m in drifted] == [
        (f"/labels/0/attributes/{weather}/values", True),
        (f"/labels/{len(labels) - 1}/name", True),
    ]
    cvat.write_text('[{"name": "car"', encoding="utf-8")
    broken = run_cli("spec", "check", "--base", "HEAD", cwd=repo)
    assert broken.exit_code == 1 and "CVAT labels JSON is not readable JSON" in broken.stdout
    assert "Traceback" not in broken.output


def test_cvat_attribute_types_and_ranges_are_compared_with_the_spec(tmp_path: Path) -> None:
    from labellint.rules.tool_config_drift import _cvat_drift
    from labellint.spec.loader import load_spec

    path = tmp_path / "labelspec.yaml"
    path.write_text(
        "spec: 1\nversion: 1.0.0\ntask: detection\nclasses:\n  car: {definition: A car.}\nattributes:\n"
        "  occluded: {type: boolean}\n  speed: {type: number, minimum: 0, maximum: 50}\n  note: {type: string}\n",
        encoding="utf-8",
    )
    spec = load_spec(path, "labelspec.yaml")
    exported = json.loads(run_cli("spec", "export", "--to", "cvat", "--spec", str(path)).stdout)
    assert _cvat_drift(spec, json.dumps(exported).encode()) == []
    attributes = {a["name"]: a for a in exported[0]["attributes"]}
    # A yes/no select for a boolean, another range, fixed choices for free text: each one place.
    attributes["occluded"].update(input_type="select", values=["yes", "no"])
    attributes["speed"]["values"] = ["0", "120", "1"]
    attributes["note"].update(input_type="radio", values=["a", "b"])
    found = dict(_cvat_drift(spec, json.dumps(exported).encode()))
    position = {name: j for j, name in enumerate(attributes)}
    assert sorted(found) == sorted(
        [
            f"/0/attributes/{position['occluded']}/values",
            f"/0/attributes/{position['speed']}/values",
            f"/0/attributes/{position['note']}/input_type",
        ]
    )
    assert "ranges 0..120, the spec 0..50" in found[f"/0/attributes/{position['speed']}/values"]
    # A select of true/false is a boolean too; a checkbox with any default is.
    attributes["occluded"].update(input_type="select", values=["true", "false"])
    assert f"/0/attributes/{position['occluded']}/values" not in dict(_cvat_drift(spec, json.dumps(exported).encode()))
    assert _cvat_drift(spec, b'{"labels": 3}') == [
        (None, "is not a CVAT labels JSON (a list of labels, each with a name)")
    ]
