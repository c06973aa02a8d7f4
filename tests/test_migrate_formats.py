"""`migrate` per format on real data in real git repositories: YOLO, VOC, Label Studio, JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import yaml
from conftest import shared_path
from helpers import run_cli


def _repo(path: Path, spec: str, datasets: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for args in (["init", "-q"], ["config", "user.email", "t@example.invalid"], ["config", "user.name", "T"]):
        subprocess.run(["git", *args], cwd=path, check=True)
    (path / "pyproject.toml").write_text(f'[tool.labellint]\ndatasets = [{{path = "{datasets}"}}]\n')
    (path / "labelspec.yaml").write_text(spec)
    subprocess.run(["git", "add", "-A"], cwd=path, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "v1"], cwd=path, check=True)
    return path


def _spec(version: str, classes: dict[str, dict], task: str = "detection", note: str = "") -> str:
    text = f"spec: 1\nversion: {version}\ntask: {task}\nclasses:\n"
    for name, body in classes.items():
        text += f"  {json.dumps(name)}: {json.dumps(body)}\n"
    if note:
        text += f"changelog:\n  - {{version: {version}, changes: {json.dumps(note)}}}\n"
    return text


def _migrate(repo: Path, *args: str) -> dict:
    result = run_cli("migrate", "--format", "json", *args, cwd=repo)
    assert result.exit_code == 0, result.output + result.stderr
    return json.loads(result.stdout)


def _class_problems(repo: Path) -> list[str]:
    problems = json.loads(run_cli("check", "--format", "json", cwd=repo).stdout)["problems"]
    return [p["code"] for p in problems if p["code"].startswith("LL1") or p["code"] == "LL004"]


def test_yolo_merge_rewrites_names_and_closes_the_gap(tmp_path: Path) -> None:
    source = shared_path("data", "yolo", "coco128_lightly", "object_detection")
    names = yaml.safe_load((source / "config.yaml").read_text())["names"]
    v1 = {n: {"id": i, "definition": f"COCO {n}."} for i, n in sorted(names.items())}
    repo = tmp_path / "yolo"
    repo.mkdir()
    shutil.copy(source / "config.yaml", repo / "config.yaml")
    shutil.copytree(source / "labels", repo / "labels")
    _repo(repo, _spec("1.0.0", v1), "labels")
    # bus (5) and truck (7) merge into a new class; every later class moves down one index.
    kept = [n for _, n in sorted(names.items()) if n != "bus"]
    v2 = {}
    for i, n in enumerate(kept):
        v2["motor vehicle" if n == "truck" else n] = {"id": i, "definition": f"COCO {n}."}
    v2["motor vehicle"]["aliases"] = ["bus", "truck"]
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="bus and truck merged into motor vehicle"))
    before = {p.relative_to(repo): p.read_text() for p in (repo / "labels").rglob("*.txt")}
    _migrate(repo)
    new_names = yaml.safe_load((repo / "config.yaml").read_text())["names"]
    assert new_names == {i: ("motor vehicle" if n == "truck" else n) for i, n in enumerate(kept)}
    # Each line's class index now names the same class (or the merged one); the coordinates are the same text.
    index_of = {n: i for i, n in new_names.items()}
    counts = Counter()
    for relative, old_text in before.items():
        new_lines = (repo / relative).read_text().splitlines()
        for old, new in zip(old_text.splitlines(), new_lines, strict=True):
            old_class, _, rest = old.partition(" ")
            name = names[int(old_class)]
            counts[name] += 1
            expected = index_of["motor vehicle" if name in ("bus", "truck") else name]
            assert new == f"{expected} {rest}"
    assert _class_problems(repo) == []
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == counts["bus"] + counts["truck"] > 0
    assert {t["to"] for t in diff["transitions"]} == {"motor vehicle"}


def test_voc_rename_lists_removed_then_drops_them(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "voc"
    (repo / "ann").mkdir(parents=True)
    for path in sorted(source.glob("*.xml"))[:30]:
        shutil.copy(path, repo / "ann" / path.name)
    definitions = {"RBC": "A red blood cell.", "WBC": "A white blood cell.", "Platelets": "A platelet."}
    _repo(repo, _spec("1.0.0", {n: {"definition": d} for n, d in definitions.items()}), "ann")
    v2 = {"red blood cell": {"definition": "A red blood cell.", "aliases": ["RBC"]}, "WBC": {"definition": "A WBC."}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="RBC renamed; platelets no longer labelled"))
    originals = {p.name: p.read_text() for p in (repo / "ann").glob("*.xml")}
    platelets = sum(text.count("<name>Platelets</name>") for text in originals.values())
    rbc = sum(text.count("<name>RBC</name>") for text in originals.values())
    report = _migrate(repo)
    assert sum(f["relabelled"] for f in report["files"]) == rbc
    assert sum(len(f["listed"]) for f in report["files"]) == platelets > 0
    for name, text in originals.items():
        # Only the names changed: everything else is the same text.
        assert (repo / "ann" / name).read_text() == text.replace("<name>RBC</name>", "<name>red blood cell</name>")
    subprocess.run(["git", "checkout", "-q", "--", "ann"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    for name, text in originals.items():
        new = (repo / "ann" / name).read_text()
        assert new.count("<object>") == text.count("<object>") - text.count("<name>Platelets</name>")
        assert "Platelets" not in new
    assert _class_problems(repo) == []


def test_label_studio_merge_changes_only_the_merged_labels(tmp_path: Path) -> None:
    source = shared_path("data", "labelstudio", "leoka_ml", "LEOKA_team_6.pseudonymized.json")
    tasks = json.loads(source.read_text())
    spans = Counter(
        label
        for task in tasks
        for annotation in task["annotations"]
        for result in annotation["result"]
        if result["type"] == "labels"
        for label in result["value"]["labels"]
    )
    repo = tmp_path / "ls"
    repo.mkdir()
    shutil.copy(source, repo / "tasks.json")
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in spans}, "ner"), "tasks.json")
    v2 = {n: {"definition": f"A {n}."} for n in spans if n not in ("Firearm", "Other_weapon")}
    v2["Weapon"] = {"definition": "A weapon.", "aliases": ["Firearm", "Other_weapon"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "ner", "Firearm and Other_weapon merged into Weapon"))
    _migrate(repo)
    text = (repo / "tasks.json").read_text()
    # Byte for byte the export, with the two merged labels written as the new class.
    assert text == re.sub(r'"(Firearm|Other_weapon)"', '"Weapon"', source.read_text())
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == spans["Firearm"] + spans["Other_weapon"]
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


def test_jsonl_rename_dry_run_then_apply(tmp_path: Path) -> None:
    source = shared_path("data", "ner_textcat", "explosion_projects", "ner_fashion_brands_eval.prodigy.jsonl")
    repo = tmp_path / "jsonl"
    repo.mkdir()
    shutil.copy(source, repo / "brands.jsonl")
    _repo(repo, _spec("1.0.0", {"FASHION_BRAND": {"definition": "A brand."}}, "ner"), "brands.jsonl")
    v2 = {"BRAND": {"definition": "A brand.", "aliases": ["FASHION_BRAND"]}}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "ner", "FASHION_BRAND renamed BRAND"))
    spans = sum(len(json.loads(line).get("spans") or []) for line in source.read_text().splitlines())
    dry = _migrate(repo, "--dry-run")
    assert (
        dry["diff"]["annotations"]["relabeled"] == spans and (repo / "brands.jsonl").read_bytes() == source.read_bytes()
    )
    _migrate(repo)
    assert (repo / "brands.jsonl").read_text() == source.read_text().replace(
        '"label":"FASHION_BRAND"', '"label":"BRAND"'
    ).replace('"label": "FASHION_BRAND"', '"label": "BRAND"')
    # The spec declares the rename, so relabelling every span is no mass relabel (LL505).
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0


def test_a_split_is_queued_for_review_and_left_as_written(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "split"
    (repo / "ann").mkdir(parents=True)
    for path in sorted(source.glob("*.xml"))[:10]:
        shutil.copy(path, repo / "ann" / path.name)
    v1 = {"RBC": {"definition": "A red blood cell."}, "WBC": {"definition": "A white cell."}}
    v1["Platelets"] = {"definition": "A platelet."}
    _repo(repo, _spec("1.0.0", v1), "ann")
    v2 = {"RBC": v1["RBC"], "Platelets": v1["Platelets"]}
    v2["neutrophil"] = {"definition": "A WBC with a lobed nucleus.", "aliases": ["WBC"]}
    v2["lymphocyte"] = {"definition": "A WBC with a round nucleus.", "aliases": ["WBC"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="WBC split into neutrophil and lymphocyte"))
    originals = {p.name: p.read_bytes() for p in (repo / "ann").glob("*.xml")}
    wbc = sum(text.count(b"<name>WBC</name>") for text in originals.values())
    report = _migrate(repo, "--queue", "review.csv")
    assert {p.name: p.read_bytes() for p in (repo / "ann").glob("*.xml")} == originals
    with open(repo / "review.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(report["review"]) == wbc > 0
    assert {row["class"] for row in rows} == {"WBC"} and all("split" in row["reason"] for row in rows)
    _migrate(repo, "--queue", "review.json")
    tasks = json.loads((repo / "review.json").read_text())
    regions = [r for task in tasks for r in task["predictions"][0]["result"]]
    assert len(regions) == wbc and {r["value"]["rectanglelabels"][0] for r in regions} == {"WBC"}


WOMEN_CLOTHING = ("data", "peers", "datumaro", "tabular_dataset", "women-clothing", "women_clothing.csv")
CLOTHING_OPTIONS = '{text = "Review Text", label = "Class Name"}'


def _csv_repo(tmp_path: Path, name: str, data: bytes, options: str = CLOTHING_OPTIONS) -> tuple[Path, Counter]:
    """A repo holding the table `name` (reader csv with `options`) and a spec of its classes at v1."""
    repo = tmp_path / "csv"
    repo.mkdir()
    (repo / name).write_bytes(data)
    delimiter = "\t" if name.endswith(".tsv") else ","
    rows = list(csv.DictReader(data.decode("utf-8-sig").splitlines(keepends=True), delimiter=delimiter))
    classes = Counter(p.strip() for r in rows if r["Class Name"] for p in r["Class Name"].split("|"))
    _repo(repo, _spec("1.0.0", {n: {"definition": f"Clothes: {n}."} for n in classes}, "classification"), "")
    entry = f'[tool.labellint]\ndatasets = [{{path = "{name}", reader = "csv", options = {options}}}]\n'
    (repo / "pyproject.toml").write_text(entry)
    subprocess.run(["git", "commit", "-q", "-am", "csv entry"], cwd=repo, check=True)
    return repo, classes


def _clothing_v2(classes: Counter) -> dict[str, dict]:
    """Blouses and Fine gauge merge into Knits, Sleep is renamed Sleepwear, Swim is removed."""
    v2 = {n: {"definition": f"Clothes: {n}."} for n in classes if n not in ("Blouses", "Fine gauge", "Sleep", "Swim")}
    v2["Knits"]["aliases"] = ["Blouses", "Fine gauge"]
    v2["Sleepwear"] = {"definition": "Clothes: Sleep.", "aliases": ["Sleep"]}
    return v2


RELABEL = {"Blouses": "Knits", "Fine gauge": "Knits", "Sleep": "Sleepwear"}


def test_csv_merge_rewrites_only_the_label_cells(tmp_path: Path) -> None:
    source = shared_path(*WOMEN_CLOTHING)
    original = source.read_bytes()
    with open(source, newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    # The table has the cells a naive rewrite breaks: quoted commas and quoted newlines in the reviews.
    assert sum("\n" in c for r in rows for c in r) > 0 and sum("," in c for r in rows for c in r) > 0
    repo, classes = _csv_repo(tmp_path, "clothes.csv", original)
    (repo / "labelspec.yaml").write_text(
        _spec("2.0.0", _clothing_v2(classes), "classification", "Blouses, Fine gauge merged; Sleep renamed")
    )
    relabelled = sum(classes[n] for n in RELABEL)
    dry = _migrate(repo, "--dry-run")
    assert (repo / "clothes.csv").read_bytes() == original
    assert dry["diff"]["annotations"]["relabeled"] == relabelled > 0
    report = _migrate(repo)
    assert sum(f["relabelled"] for f in report["files"]) == relabelled
    listed = [x for f in report["files"] for x in f["listed"]]
    assert [(x["class"], x["reason"]) for x in listed] == [("Swim", "removed")] * classes["Swim"]
    with open(repo / "clothes.csv", newline="", encoding="utf-8") as stream:
        new_rows = list(csv.reader(stream))
    label = rows[0].index("Class Name")
    expected = [[*r[:label], RELABEL.get(r[label], r[label]), *r[label + 1 :]] if len(r) > label else r for r in rows]
    assert new_rows[1:] == expected[1:] and new_rows[0] == rows[0]
    # Byte for byte the table, with the label cells (unquoted, last in each record) renamed.
    text = original.decode("utf-8")
    assert (repo / "clothes.csv").read_bytes().decode("utf-8") == re.sub(
        r",(Blouses|Fine gauge|Sleep)(?=\r?\n|$)", lambda m: "," + RELABEL[m.group(1)], text
    )
    assert _class_problems(repo) == ["LL101"] * classes["Swim"]  # the removed class's labels, as listed
    assert run_cli("spec", "check", "--base", "HEAD", cwd=repo).exit_code == 0
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == relabelled and diff["annotations"]["removed"] == 0
    assert {t["to"] for t in diff["transitions"]} == {"Knits", "Sleepwear"}


def test_csv_drop_removed_deletes_the_rows_and_keeps_the_rest(tmp_path: Path) -> None:
    original = shared_path(*WOMEN_CLOTHING).read_bytes()
    repo, classes = _csv_repo(tmp_path, "clothes.csv", original)
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", _clothing_v2(classes), "classification", "Swim removed"))
    report = _migrate(repo, "--drop-removed")
    assert [x["reason"] for f in report["files"] for x in f["listed"]] == ["dropped"] * classes["Swim"] == ["dropped"]
    with open(repo / "clothes.csv", newline="", encoding="utf-8") as stream:
        new_rows = list(csv.reader(stream))
    old_rows = list(csv.reader(original.decode("utf-8").splitlines(keepends=True)))
    kept = [r for r in old_rows if len(r) < 10 or r[9] != "Swim"]
    assert len(new_rows) == len(old_rows) - classes["Swim"]
    assert new_rows == [[*r[:9], RELABEL.get(r[9], r[9])] if len(r) == 10 else r for r in kept]
    assert _class_problems(repo) == []


def test_csv_keeps_bom_crlf_quoting_and_tabs_and_merges_labels_in_one_cell(tmp_path: Path) -> None:
    with open(shared_path(*WOMEN_CLOTHING), newline="", encoding="utf-8") as stream:
        rows = [r for r in csv.reader(stream) if len(r) == 10]
    # The same table as a spreadsheet might save it: BOM, CRLF, every cell quoted, tabs; and some
    # rows labelled twice in one cell ("Blouses|Knits" becomes one Knits, "Sleep | Blouses" keeps its spaces).
    for i, row in enumerate(rows[1:], start=1):
        if i % 7 == 0 and row[9] != "Knits":
            row[9] = f"{row[9]}|Knits"
        elif row[9] == "Sleep":
            row[9] = "Sleep | Blouses"
    stream = io.StringIO(newline="")
    csv.writer(stream, delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerows(rows)
    data = b"\xef\xbb\xbf" + stream.getvalue().encode("utf-8")
    options = '{text = "Review Text", label = "Class Name", separator = "|"}'
    repo, classes = _csv_repo(tmp_path, "clothes.tsv", data, options)
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", _clothing_v2(classes), "classification", "merged"))
    report = _migrate(repo)
    new = (repo / "clothes.tsv").read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") and new.count(b"\r\n") == data.count(b"\r\n")
    assert new.count(b"\n") == data.count(b"\n")  # the reviews' own newlines too
    new_rows = list(csv.reader(new.decode("utf-8-sig").splitlines(keepends=True), delimiter="\t"))
    records = new.decode("utf-8-sig").split("\r\n")[:-1]  # the reviews' newlines are bare \n
    assert len(records) == len(rows) and all(r.startswith('"') and r.endswith('"') for r in records)
    merged_once = 0
    for old, now in zip(rows, new_rows, strict=True):
        assert now[:9] == old[:9]
        labels = [p.strip() for p in old[9].split("|")]
        migrated = list(dict.fromkeys(RELABEL.get(n, n) for n in labels))
        merged_once += len(labels) - len(migrated)
        assert [p.strip() for p in now[9].split("|")] == migrated
        assert old[9] != "Sleep | Blouses" or now[9] == "Sleepwear | Knits"
    notes = [n for f in report["files"] for n in f["notes"]]
    assert len(notes) == merged_once > 0 and all("kept once" in n for n in notes)
    assert _class_problems(repo) == ["LL101"] * classes["Swim"]


def test_csv_quotes_a_new_name_that_needs_it_and_refuses_one_hot_renames(tmp_path: Path) -> None:
    original = shared_path(*WOMEN_CLOTHING).read_bytes()
    repo, classes = _csv_repo(tmp_path, "clothes.csv", original)
    v2 = {n: {"definition": f"Clothes: {n}."} for n in classes if n != "Sleep"}
    v2['Sleep, "lounge"'] = {"definition": "Night clothes.", "aliases": ["Sleep"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "classification", "Sleep renamed"))
    _migrate(repo)
    with open(repo / "clothes.csv", newline="", encoding="utf-8") as stream:
        labels = Counter(r[9] for r in csv.reader(stream) if len(r) == 10)
    assert labels['Sleep, "lounge"'] == classes["Sleep"] > 0 and "Sleep" not in labels
    assert '"Sleep, ""lounge"""' in (repo / "clothes.csv").read_text(encoding="utf-8")

    onehot = tmp_path / "onehot"
    onehot.mkdir()
    (onehot / "tags.csv").write_text('text,dog,cat\n"a dog, asleep",1,0\nnothing,0,0\n', encoding="utf-8")
    _repo(onehot, _spec("1.0.0", {"dog": {"definition": "A dog."}, "cat": {"definition": "A cat."}}, "multilabel"), "")
    config = '[tool.labellint]\ndatasets = [{path = "tags.csv", reader = "csv", options = {labels = ["dog", "cat"]}}]\n'
    (onehot / "pyproject.toml").write_text(config)
    v2 = {"hound": {"definition": "A dog.", "aliases": ["dog"]}, "cat": {"definition": "A cat."}}
    (onehot / "labelspec.yaml").write_text(_spec("2.0.0", v2, "multilabel", "dog renamed"))
    refused = run_cli("migrate", cwd=onehot)
    assert refused.exit_code == 2 and "tags.csv:1: the one-hot label columns 'dog'" in refused.stderr
    assert "Traceback" not in refused.output and (onehot / "tags.csv").read_text().startswith("text,dog,cat\n")


LABELME_SEED = Path(__file__).parent / "data" / "fuzz" / "labelme" / "frame_0001.json"


def test_labelme_rename_and_merge_keep_every_other_byte_then_drop_removed(tmp_path: Path) -> None:
    original = LABELME_SEED.read_bytes()
    document = json.loads(original)
    repo = tmp_path / "labelme"
    (repo / "ann").mkdir(parents=True)
    (repo / "ann" / "frame_0001.json").write_bytes(original)
    # The same shapes written compactly, with a BOM, for another image.
    other = dict(document, imagePath="frame_0002.jpg")
    compact = b"\xef\xbb\xbf" + json.dumps(other, separators=(",", ":")).encode()
    (repo / "ann" / "frame_0002.json").write_bytes(compact)
    labels = Counter(s["label"] for s in document["shapes"])
    _repo(repo, _spec("1.0.0", {n: {"definition": f"A {n}."} for n in labels}, "segmentation"), "ann")
    v2 = {"vehicle": {"definition": "A car.", "aliases": ["car"]}, "part": {"definition": "A part."}}
    v2["part"]["aliases"] = ["wheel", "nose"]
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, "segmentation", "classes renamed, merged and removed"))
    new_name = {"car": "vehicle", "wheel": "part", "nose": "part"}
    report = _migrate(repo)
    assert sum(f["relabelled"] for f in report["files"]) == 2 * sum(labels[n] for n in new_name)
    assert [x["class"] for f in report["files"] for x in f["listed"]] == ["lane"] * 2 * labels["lane"]
    text = original.decode()
    for old, new in new_name.items():
        text = text.replace(f'"label": "{old}"', f'"label": "{new}"')
    assert (repo / "ann" / "frame_0001.json").read_text() == text
    compact_text = compact.decode("utf-8")
    for old, new in new_name.items():
        compact_text = compact_text.replace(f'"label":"{old}"', f'"label":"{new}"')
    assert (repo / "ann" / "frame_0002.json").read_bytes() == compact_text.encode("utf-8")
    assert set(_class_problems(repo)) == {"LL101"}  # the removed class's labels, as listed
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == 2 * sum(labels[n] for n in new_name)

    subprocess.run(["git", "checkout", "-q", "--", "ann"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    for name in ("frame_0001.json", "frame_0002.json"):
        shapes = json.loads((repo / "ann" / name).read_text(encoding="utf-8-sig"))["shapes"]
        kept = [dict(s, label=new_name.get(s["label"], s["label"])) for s in document["shapes"] if s["label"] != "lane"]
        assert shapes == kept
    assert _class_problems(repo) == []


CVAT_EXPORTS = ("data", "peers", "datumaro", "cvat_dataset")


def test_cvat_xml_merge_renames_shapes_tracks_and_declarations(tmp_path: Path) -> None:
    source = shared_path(*CVAT_EXPORTS)
    repo = tmp_path / "cvat"
    (repo / "ann").mkdir(parents=True)
    project = (source / "for_images" / "export_project" / "annotations.xml").read_bytes()
    video = (source / "for_video" / "annotations.xml").read_bytes()
    (repo / "ann" / "project.xml").write_bytes(project)
    (repo / "ann" / "video.xml").write_bytes(video)
    names = set()
    for data in (project, video):
        names |= {label.findtext("name") for label in ET.fromstring(data).find("meta").iter("label")}
    _repo(repo, _spec("1.0.0", {n: {"definition": f"The {n}."} for n in sorted(names)}), "ann")
    # label1 and label2 (the image export) merge into `thing`; the video's II is renamed; klhg is removed.
    v2 = {n: {"definition": f"The {n}."} for n in sorted(names - {"label1", "label2", "II", "klhg"})}
    v2["thing"] = {"definition": "A thing.", "aliases": ["label1", "label2"]}
    v2["two"] = {"definition": "The II.", "aliases": ["II"]}
    (repo / "labelspec.yaml").write_text(_spec("2.0.0", v2, note="classes merged, renamed and removed"))
    new_name = {"label1": "thing", "label2": "thing", "II": "two"}

    def labelled(data: bytes) -> list[str]:
        return [e.get("label") for e in ET.fromstring(data).iter() if e.tag != "attribute" and e.get("label")]

    relabelled = sum(n in new_name for data in (project, video) for n in labelled(data))
    removed = sum(n == "klhg" for n in labelled(video))
    report = _migrate(repo)
    assert sum(f["relabelled"] for f in report["files"]) == relabelled > 0
    assert [x["class"] for f in report["files"] for x in f["listed"]] == ["klhg"] * removed
    for name, data in (("project.xml", project), ("video.xml", video)):
        new = (repo / "ann" / name).read_bytes()
        assert labelled(new) == [new_name.get(n, n) for n in labelled(data)]
        meta = [label.findtext("name") for label in ET.fromstring(new).find("meta").iter("label")]
        old_meta = [label.findtext("name") for label in ET.fromstring(data).find("meta").iter("label")]
        # One declaration of the merged class, where the first merged label was; the others as they were.
        assert meta == list(dict.fromkeys(new_name.get(n, n) for n in old_meta))
    # Only the label attributes and names changed: the project export, byte for byte.
    text = project.decode()
    text = text.replace('label="label1"', 'label="thing"').replace('label="label2"', 'label="thing"')
    text = text.replace("<name>label1</name>", "<name>thing</name>")
    text = re.sub(r"\n *<label>\s*<name>label2</name>\s*</label>", "", text)
    assert (repo / "ann" / "project.xml").read_text() == text
    assert set(_class_problems(repo)) <= {"LL101"}
    diff = json.loads(run_cli("diff", "HEAD", "--format", "json", cwd=repo).stdout)
    assert diff["annotations"]["relabeled"] == relabelled

    subprocess.run(["git", "checkout", "-q", "--", "ann"], cwd=repo, check=True)
    _migrate(repo, "--drop-removed")
    new = (repo / "ann" / "video.xml").read_bytes()
    assert "klhg" not in new.decode() and labelled(new) == [new_name.get(n, n) for n in labelled(video) if n != "klhg"]
    assert _class_problems(repo) == []
