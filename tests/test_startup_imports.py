"""What start-up imports: `--version` and a small `check` leave the heavy modules alone (not a timed test)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from labellint.rules.invalid_attribute import _PLAIN_TYPES, _plainly_valid

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "street-detection"

# Runs the command line in a fresh interpreter, then prints the modules it imported.
PROBE = """
import json, sys
from labellint.cli import main
try:
    main(sys.argv[1:], prog_name="labellint")
except SystemExit as exc:
    code = exc.code
print("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

OTHER_COMMANDS = ["labellint.cli.agree", "labellint.cli.diff", "labellint.cli.golden", "labellint.cli.suspects"]
NOT_FOR_CHECK = [
    "jsonschema",  # LL103 decides {type: boolean} itself; jsonschema only for other schemas or a violation
    "jinja2",
    "PIL",
    "labellint.reporters.html",
    "labellint.commands.report",
    "labellint.diff",  # LL505 is a change rule: `spec check` only
    "labellint.quality.suspects",  # LL601 without predictions
    "labellint.spec.tool_config",
    *OTHER_COMMANDS,
]


def probe(*args: str, cwd: Path) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False)
    output, _, last = proc.stdout.rstrip("\n").rpartition("\n")
    result = json.loads(last)
    return result["code"], set(result["modules"]), output


def small_project(folder: Path, annotations: int) -> Path:
    """The street-detection example cut to its first annotations (all valid) and their images."""
    coco = json.loads((EXAMPLE / "labels" / "train.json").read_text())
    coco["annotations"] = coco["annotations"][:annotations]
    used = {a["image_id"] for a in coco["annotations"]}
    coco["images"] = [image for image in coco["images"] if image["id"] in used]
    (folder / "labels").mkdir()
    (folder / "labels" / "good.json").write_text(json.dumps(coco))
    shutil.copy(EXAMPLE / "labelspec.yaml", folder / "labelspec.yaml")
    return folder / "labels" / "good.json"


def test_version_imports_neither_numpy_nor_pydantic_nor_any_command(tmp_path):
    code, modules, output = probe("--version", cwd=tmp_path)
    assert code in (0, None) and "version" in output
    heavy = {"numpy", "pydantic", "ruamel.yaml", "jsonschema", "labellint.readers", "labellint.rules"}
    assert not heavy & modules
    assert not {m for m in modules if m.startswith("labellint.cli.")}


def test_small_check_imports_no_html_no_jsonschema_no_other_command(tmp_path):
    small_project(tmp_path, 13)
    code, modules, output = probe("--isolated", "check", "labels/good.json", cwd=tmp_path)
    assert code == 0, output
    assert "13 annotations" in output
    assert {"numpy", "pydantic", "labellint.cli.check", "labellint.rules.invalid_attribute"} <= modules
    assert not set(NOT_FOR_CHECK) & modules


def test_attribute_violation_still_gets_jsonschemas_message(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "example")
    code, modules, output = probe("check", "labels/train.json", cwd=tmp_path / "example")
    assert code == 1
    raw = json.loads((EXAMPLE / "labels" / "train.json").read_text())
    wrong = [
        i
        for i, a in enumerate(raw["annotations"])
        if not isinstance(a.get("attributes", {}).get("occluded", False), bool)
    ]
    assert wrong  # the example holds an `occluded: "yes"`
    for index in wrong:
        value = raw["annotations"][index]["attributes"]["occluded"]
        assert f"LL103 attribute 'occluded': {value!r} is not of type 'boolean' (/annotations/{index})" in output
    assert "jsonschema" in modules


VALUES = [True, False, 0, 1, -7, 2**70, 1.0, 1.5, float("nan"), float("inf"), "", "yes", None, [], [1], {}, {"a": 1}]


@pytest.mark.parametrize("kind", sorted(_PLAIN_TYPES))
def test_plain_type_shortcut_never_accepts_what_jsonschema_rejects(kind):
    schema = {"type": kind}
    validator = jsonschema.validators.validator_for(schema)(schema)
    accepted = [value for value in VALUES if _plainly_valid(schema, value)]
    assert accepted  # the shortcut decides something for every listed type
    for value in accepted:
        assert validator.is_valid(value), (kind, value)
    for value in VALUES:
        if not validator.is_valid(value):
            assert not _plainly_valid(schema, value)


def test_plain_type_shortcut_leaves_other_schemas_to_jsonschema():
    assert not _plainly_valid({"type": "boolean", "const": True}, False)
    assert not _plainly_valid({"type": ["boolean", "null"]}, None)
    assert not _plainly_valid({"enum": ["a"]}, "b")
