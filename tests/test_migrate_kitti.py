"""`migrate` on KITTI object labels (label_2/*.txt) from datumaro's samples, in a real git repository."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

from conftest import shared_path
from helpers import run_cli
from test_migrate_formats import _class_problems, _migrate, _repo, _spec

KITTI = ("data", "peers", "datumaro", "kitti_dataset")
MERGED = {"Car": "vehicle", "Van": "vehicle"}


def _expected(text: str, gone: set[str] = frozenset()) -> str:
    """Each line's first space-separated field renamed (or the line deleted), computed without labellint."""
    out = []
    for line in text.splitlines(keepends=True):
        kind, _, rest = line.partition(" ")
        if kind in gone:
            continue
        out.append(f"{MERGED.get(kind, kind)} {rest}" if rest else line)
    return "".join(out)


def _kitti_repo(tmp_path: Path) -> tuple[Path, dict[str, str], Counter]:
    repo = tmp_path / "kitti"
    originals: dict[str, str] = {}
    for sample in ("kitti_detection/training/label_2", "kitti_3d_with_subset/label_2"):
        folder = shared_path(*KITTI, *sample.split("/"))
        for path in sorted(folder.rglob("*.txt")):
            relative = Path("label_2", sample.split("/")[0], path.relative_to(folder))
            (repo / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, repo / relative)
            originals[str(relative)] = path.read_text()
    types = Counter(line.split()[0] for text in originals.values() for line in text.splitlines() if line.strip())
    assert {"Car", "Van", "Truck", "Pedestrian", "DontCare"} <= set(types)
    classes = {n: {"definition": f"A {n}."} for n in types if n != "DontCare"}
    _repo(repo, _spec("1.0.0", classes), "label_2")
    return repo, originals, types


def test_kitti_merge_lists_removed_then_drops_them(tmp_path: Path) -> None:
    repo, originals, types = _kitti_repo(tmp_path)
    assert _class_problems(repo) == []
    v2 = {"vehicle": {"definition": "A car or a van.", "aliases": ["Car", "Van"]}, "Pedestrian": {"definition": "A P."}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="Car and Van merged into vehicle; Truck removed"))
    report = _migrate(repo)
    assert report["not_writable"] == []
    assert sum(f["relabelled"] for f in report["files"]) == types["Car"] + types["Van"] > 0
    listed = [(x["class"], x["reason"]) for f in report["files"] for x in f["listed"]]
    assert listed == [("Truck", "removed")] * types["Truck"] and types["Truck"] > 0
    for relative, text in originals.items():
        assert (repo / relative).read_text() == _expected(text), relative
    assert _class_problems(repo) == ["LL101"] * len({r for r, t in originals.items() if "Truck " in t})
    diff = subprocess.run(["git", "diff", "--numstat"], cwd=repo, capture_output=True, text=True, check=True)
    assert diff.stdout  # a real change git sees
    subprocess.run(["git", "checkout", "-q", "--", "label_2"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    for relative, text in originals.items():
        assert (repo / relative).read_text() == _expected(text, {"Truck"}), relative
    assert _class_problems(repo) == []


def test_kitti_refuses_a_type_with_a_blank(tmp_path: Path) -> None:
    repo, originals, types = _kitti_repo(tmp_path)
    v2 = {n: {"definition": f"A {n}."} for n in types if n not in ("DontCare", "Car")}
    v2["passenger car"] = {"definition": "A car.", "aliases": ["Car"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="Car renamed passenger car"))
    refused = run_cli("migrate", cwd=repo)
    assert refused.exit_code == 2 and "'Car' becomes 'passenger car', which is not one token" in refused.stderr
    assert "Traceback" not in refused.output
    assert all((repo / relative).read_text() == text for relative, text in originals.items())


def test_kitti_keeps_bom_and_crlf_and_leaves_a_broken_line_noted(tmp_path: Path) -> None:
    repo, originals, types = _kitti_repo(tmp_path)
    real = next(t for t in originals.values() if "Car " in t and "DontCare " in t).splitlines()
    car = next(line for line in real if line.startswith("Car "))
    broken = " ".join(car.split()[:9])  # a line cut short: the reader reports it, nothing may guess
    data = "\ufeff" + "\r\n".join([car, broken, *real, ""])
    (repo / "label_2" / "edited.txt").write_bytes(data.encode("utf-8"))
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "edited"], cwd=repo, check=True)
    v2 = {MERGED.get(n, n): {"definition": f"A {n}."} for n in types if n != "DontCare"}
    v2["vehicle"]["aliases"] = ["Car", "Van"]
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="Car and Van merged into vehicle"))
    report = _migrate(repo)
    [edited] = [f for f in report["files"] if f["path"].endswith("edited.txt")]
    assert edited["notes"] == ["line 2: not migrated: not a KITTI object line (15 or 16 fields)"]
    assert edited["relabelled"] == sum(line.startswith("Car ") for line in [car, *real])
    expected = "\ufeff" + "\r\n".join([_expected(car), broken, *map(_expected, real), ""])
    assert (repo / "label_2" / "edited.txt").read_bytes() == expected.encode("utf-8")
