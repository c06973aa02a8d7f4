"""`review apply` on YOLO, VOC and Label Studio files: only the reviewed labels' bytes change, in real git repos."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import shared_path
from helpers import labelstudio_exported, run_cli


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _commit(repo: Path) -> None:
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.invalid")
    _git(repo, "config", "user.name", "Test")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "labels")


def _queue(repo: Path, paths: str, rate: str) -> list[dict]:
    result = run_cli("sample", paths, "--rate", rate, "-o", "queue.csv", "--labelstudio", "queue.json", cwd=repo)
    assert result.exit_code == 0, result.output
    return json.loads((repo / "queue.json").read_text())


def _export(repo: Path, tasks: list[dict], results: dict[int, list[dict]]) -> None:
    """The queue as Label Studio exports it once reviewers submitted `results` (by task index)."""
    exported = [labelstudio_exported(t, n + 1, results.get(n)) for n, t in enumerate(tasks)]
    (repo / "export.json").write_text(json.dumps(exported, indent=2), encoding="utf-8")


def _apply(repo: Path, expected: str) -> None:
    result = run_cli("review", "apply", "export.json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert expected in result.stdout, result.stdout


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _prediction(task: dict) -> list[dict]:
    result = copy.deepcopy(task["predictions"][0]["result"])
    for region in result:
        region["origin"] = "prediction"
    return result


def _entry(task: dict, region_id: str) -> dict:
    return next(e for e in task["data"]["labellint"]["queued"] if e["region"] == region_id)


def test_yolo_round_trip_on_coco128_rewrites_only_the_reviewed_lines(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(shared_path("data", "yolo", "coco128_lightly", "object_detection"), repo / "yolo")
    _commit(repo)
    before = _snapshot(repo / "yolo")
    tasks = _queue(repo, "yolo", "0.02")
    n, task = next((n, t) for n, t in enumerate(tasks) if len(t["predictions"][0]["result"]) >= 3)
    result = _prediction(task)
    relabelled, moved, deleted = result[0], result[1], result.pop(2)
    old_class = relabelled["value"]["rectanglelabels"][0]
    new_class = "person" if old_class != "person" else "car"
    relabelled["value"]["rectanglelabels"] = [new_class]
    moved["value"]["x"] += 1.0  # one percent of the image to the right
    drawn = {"id": "new1", "type": "rectanglelabels", "from_name": "label", "to_name": "image", "origin": "manual"}
    drawn["value"] = {"x": 10.0, "y": 20.0, "width": 30.0, "height": 40.0, "rotation": 0, "rectanglelabels": ["dog"]}
    result.append(drawn)
    _export(repo, tasks, {n: result})
    _apply(repo, "changed 4 labels in 1 files (1 tasks reviewed")

    path = _entry(task, relabelled["id"])["path"]
    after = _snapshot(repo / "yolo")
    changed = [k for k in before if before[k] != after[k]]
    assert changed == [str(Path(path).relative_to("yolo"))]
    old_lines = before[changed[0]].decode().splitlines()
    new_lines = after[changed[0]].decode().splitlines()
    line_of = {region["id"]: _entry(task, region["id"])["line"] for region in (relabelled, moved, deleted)}
    ids = {name: int(i) for i, name in _names(repo / "yolo" / "config.yaml").items()}
    expected = list(old_lines)
    relabel_tokens = old_lines[line_of[relabelled["id"]] - 1].split()
    expected[line_of[relabelled["id"]] - 1] = " ".join([str(ids[new_class]), *relabel_tokens[1:]])
    moved_tokens = old_lines[line_of[moved["id"]] - 1].split()
    assert abs(float(new_lines[line_of[moved["id"]] - 1].split()[1]) - (float(moved_tokens[1]) + 0.01)) < 2e-6
    expected[line_of[moved["id"]] - 1] = new_lines[line_of[moved["id"]] - 1]
    assert new_lines[line_of[moved["id"]] - 1].split()[2:] == moved_tokens[2:]
    del expected[line_of[deleted["id"]] - 1]
    assert new_lines[:-1] == expected
    added = new_lines[-1].split()
    assert added[0] == str(ids["dog"]) and [float(v) for v in added[1:]] == [0.25, 0.4, 0.3, 0.4]


def _names(config: Path) -> dict[str, str]:
    """The `names:` mapping of a YOLO data.yaml, read as plain text (`  0: person`)."""
    text = config.read_text().split("names:", 1)[1]
    pairs = [line.strip().split(":", 1) for line in text.splitlines() if ":" in line]
    return {k.strip(): v.strip() for k, v in pairs if k.strip().isdigit()}


def test_voc_round_trip_on_bccd_edits_only_the_reviewed_objects(tmp_path: Path) -> None:
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    repo = tmp_path / "repo"
    (repo / "voc").mkdir(parents=True)
    for xml in sorted(source.glob("*.xml"))[:12]:
        shutil.copy(xml, repo / "voc" / xml.name)
    _commit(repo)
    before = _snapshot(repo / "voc")
    tasks = _queue(repo, "voc", "0.1")
    n, task = next((n, t) for n, t in enumerate(tasks) if len(t["predictions"][0]["result"]) >= 3)
    result = _prediction(task)
    relabelled, moved, deleted = result[0], result[1], result.pop(2)
    new_class = "WBC" if relabelled["value"]["rectanglelabels"] != ["WBC"] else "RBC"
    relabelled["value"]["rectanglelabels"] = [new_class]
    moved["value"]["y"] += 10 * 100 / moved["original_height"]  # ten pixels down
    drawn = {**copy.deepcopy(relabelled), "id": "new1", "origin": "manual"}
    drawn["value"] = {"x": 10.0, "y": 10.0, "width": 10.0, "height": 10.0, "rotation": 0}
    drawn["value"]["rectanglelabels"] = ["Platelets"]
    result.append(drawn)
    _export(repo, tasks, {n: result})
    _apply(repo, "changed 4 labels in 1 files (1 tasks reviewed")

    name = Path(_entry(task, relabelled["id"])["path"]).name
    after = _snapshot(repo / "voc")
    assert [k for k in before if before[k] != after[k]] == [name]
    old = _objects(before[name])
    new = _objects(after[name])
    index = {r["id"]: _object_index(before[name], _entry(task, r["id"])["line"]) for r in (relabelled, moved, deleted)}
    expected = [dict(o) for o in old]
    expected[index[relabelled["id"]]]["name"] = new_class
    box = expected[index[moved["id"]]]
    box["ymin"], box["ymax"] = str(int(box["ymin"]) + 10), str(int(box["ymax"]) + 10)
    width, height = (int(ET.fromstring(before[name]).findtext(f"size/{k}")) for k in ("width", "height"))
    del expected[index[deleted["id"]]]
    added = {"name": "Platelets", "xmin": str(round(width * 0.1)), "ymin": str(round(height * 0.1))}
    added |= {"xmax": str(round(width * 0.2)), "ymax": str(round(height * 0.2))}
    assert new == [*expected, added]
    # Outside the objects, the file is as written: the same header up to the first object.
    first = before[name].index(b"<object>")
    assert after[name][:first] == before[name][:first]


def _objects(data: bytes) -> list[dict]:
    root = ET.fromstring(data)
    return [
        {
            "name": o.findtext("name").strip(),
            **{k: o.findtext(f"bndbox/{k}").strip() for k in ("xmin", "ymin", "xmax", "ymax")},
        }
        for o in root.iter("object")
    ]


def _object_index(data: bytes, line: int) -> int:
    """Which object (0-based) starts on `line` of the XML, counted in plain text."""
    lines = data.decode().splitlines()
    starts = [k + 1 for k, text in enumerate(lines) if "<object>" in text]
    return starts.index(line)


def test_label_studio_file_round_trip_changes_exactly_the_edited_results(tmp_path: Path) -> None:
    source = shared_path("data", "labelstudio", "ls_converter_fixtures", "test_export_yolo_data.json")
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(source, repo / "labels.json")
    _commit(repo)
    before = (repo / "labels.json").read_bytes()
    tasks = _queue(repo, "labels.json", "1")
    n, task = next((n, t) for n, t in enumerate(tasks) if len(t["predictions"][0]["result"]) == 4)
    result = _prediction(task)
    pointers = {r["id"]: _entry(task, r["id"])["pointer"] for r in result}
    by_pointer = {pointers[r["id"]]: r for r in result}
    by_pointer["/0/annotations/0/result/0"]["value"]["rectanglelabels"] = ["white"]
    by_pointer["/0/annotations/0/result/1"]["value"]["x"] = 12.5
    result.remove(by_pointer["/0/annotations/1/result/0"])
    drawn = {**copy.deepcopy(by_pointer["/0/annotations/0/result/1"]), "id": "new1", "origin": "manual"}
    drawn["value"] = {"x": 1.0, "y": 2.0, "width": 3.0, "height": 4.0, "rotation": 0, "rectanglelabels": ["parasites"]}
    result.append(drawn)
    _export(repo, tasks, {n: result})
    _apply(repo, "changed 4 labels in 1 files")

    old, new = json.loads(before), json.loads((repo / "labels.json").read_text())
    expected = copy.deepcopy(old)
    first = expected[0]["annotations"][0]["result"]
    first[0]["value"]["rectanglelabels"] = ["white"]
    first[1]["value"]["x"] = 12.5
    del expected[0]["annotations"][1]["result"][0]
    added = new[0]["annotations"][0]["result"][2]
    assert added["value"]["rectanglelabels"] == ["parasites"] and added["value"]["rotation"] == 0
    assert [round(added["value"][k], 9) for k in ("x", "y", "width", "height")] == [1.0, 2.0, 3.0, 4.0]
    assert {k: added[k] for k in ("type", "from_name", "to_name", "original_width", "original_height")} == {
        k: first[1][k] for k in ("type", "from_name", "to_name", "original_width", "original_height")
    }
    first.append(added)
    assert new == expected
    # Bytes before the first edited value are the file's own (indentation kept).
    cut = before.index(b'"parasites"')
    assert (repo / "labels.json").read_bytes()[:cut] == before[:cut]


def test_jsonl_round_trip_on_prodigy_ner_changes_only_the_reviewed_spans(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(shared_path("data", "ner_textcat", "explosion_projects", "ner_fashion_brands_eval.prodigy.jsonl"), repo)
    name = "ner_fashion_brands_eval.prodigy.jsonl"
    _commit(repo)
    before = (repo / name).read_bytes().split(b"\n")
    tasks = _queue(repo, name, "0.05")
    relabel_task, move_task, delete_task = tasks[:3]
    lines = {t["data"]["labellint"]["queued"][0]["line"]: t for t in tasks[:3]}
    records = {n: json.loads(before[n - 1]) for n in lines}
    results = {0: _prediction(relabel_task), 1: _prediction(move_task), 2: []}
    results[0][0]["value"]["labels"] = ["PRODUCT"]
    move_line = move_task["data"]["labellint"]["queued"][0]["line"]
    tokens = records[move_line]["tokens"]
    moved = results[1][0]["value"]
    last = next(k for k, t in enumerate(tokens) if t["end"] == moved["end"])
    widened = min(last + 1, len(tokens) - 1)
    moved["end"] = tokens[widened]["end"]
    relabel_line = relabel_task["data"]["labellint"]["queued"][0]["line"]
    first_token = records[relabel_line]["tokens"][0]
    drawn = {"id": "new1", "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual"}
    drawn["value"] = {"start": first_token["start"], "end": first_token["end"], "labels": ["FASHION_BRAND"]}
    results[0].append(drawn)
    _export(repo, tasks, results)
    _apply(repo, "changed 4 labels in 1 files (3 tasks reviewed")

    after = (repo / name).read_bytes().split(b"\n")
    assert len(after) == len(before)
    assert [n + 1 for n in range(len(before)) if before[n] != after[n]] == sorted(lines)
    expected = {n: copy.deepcopy(r) for n, r in records.items()}
    relabelled = expected[relabel_line]["spans"]
    relabelled[_span_index(relabelled, relabel_task)]["label"] = "PRODUCT"
    relabelled.append(
        {"start": first_token["start"], "end": first_token["end"], "token_start": 0, "token_end": 0}
        | {"label": "FASHION_BRAND"}
    )
    spans = expected[move_line]["spans"]
    span = spans[_span_index(spans, move_task)]
    span["end"], span["token_end"] = tokens[widened]["end"], widened
    spans = expected[delete_task["data"]["labellint"]["queued"][0]["line"]]["spans"]
    del spans[_span_index(spans, delete_task)]
    assert {n: json.loads(after[n - 1]) for n in lines} == expected


def _span_index(spans: list[dict], task: dict) -> int:
    """Which of a record's spans the task queued, by the offsets its prediction was made with."""
    value = task["predictions"][0]["result"][0]["value"]
    return next(k for k, span in enumerate(spans) if (span["start"], span["end"]) == (value["start"], value["end"]))


def test_a_yolo_line_changed_since_the_queue_is_a_conflict_and_nothing_is_written(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(shared_path("data", "yolo", "coco128_lightly", "object_detection"), repo / "yolo")
    _commit(repo)
    tasks = _queue(repo, "yolo", "0.02")
    n, task = next((n, t) for n, t in enumerate(tasks) if len(t["predictions"][0]["result"]) >= 2)
    result = _prediction(task)
    result[0]["value"]["rectanglelabels"] = ["person" if result[0]["value"]["rectanglelabels"] != ["person"] else "car"]
    _export(repo, tasks, {n: result})
    entry = _entry(task, result[0]["id"])
    label_file = repo / entry["path"]
    lines = label_file.read_text().splitlines(keepends=True)
    tokens = lines[entry["line"] - 1].split()
    tokens[3] = f"{float(tokens[3]) / 2:.6f}"  # someone halved the box's width after the queue was made
    lines[entry["line"] - 1] = " ".join(tokens) + "\n"
    label_file.write_text("".join(lines))
    _git(repo, "commit", "-qam", "narrower box")
    before = _snapshot(repo / "yolo")
    refused = run_cli("review", "apply", "export.json", cwd=repo)
    assert refused.exit_code == 2
    assert f"{entry['path']}:{entry['line']}): the label changed since" in refused.stderr
    assert _snapshot(repo / "yolo") == before
