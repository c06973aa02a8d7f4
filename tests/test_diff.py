"""`labellint diff`: matching rules, counts, formats, spec versions and LL505 on small real repos."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
from helpers import SPEC_TEXT, run_cli, write_coco

from labellint.diff import DiffOptions, diff_datasets
from labellint.model import ClassRef, Dataset, SourceFile

IMAGES = [
    {"id": 1, "file_name": "a.jpg", "width": 640, "height": 480},
    {"id": 2, "file_name": "b.jpg", "width": 640, "height": 480},
]


def _ann(ann_id: int, image: int, cls: int, box: list[float], **extra) -> dict:
    return {"id": ann_id, "image_id": image, "category_id": cls, "bbox": box, **extra}


BASE = [
    _ann(1, 1, 1, [10, 10, 20, 40]),
    _ann(2, 1, 2, [100, 100, 30, 30]),
    _ann(3, 1, 3, [300, 200, 100, 50]),
    _ann(4, 2, 1, [50, 50, 20, 40], attributes={"occluded": False}),
    _ann(5, 2, 3, [400, 300, 80, 60]),
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "test@example.invalid")
    _git(tmp_path, "config", "user.name", "Test")
    (tmp_path / "labellint.toml").write_text('spec = "labelspec.yaml"\ndatasets = [{path = "labels.json"}]\n')
    (tmp_path / "labelspec.yaml").write_text(SPEC_TEXT)
    return tmp_path


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)


def _json(result) -> dict:
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_every_kind_of_change_is_counted_once(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write_coco(repo / "labels.json", IMAGES, BASE)
    _commit(repo, "base")
    head = [
        _ann(1, 1, 1, [10, 10, 20, 40]),  # unchanged
        _ann(2, 1, 1, [100, 100, 30, 30]),  # cyclist -> pedestrian
        _ann(3, 1, 3, [310, 200, 100, 50]),  # moved by 10 px
        _ann(4, 2, 1, [50, 50, 20, 40], attributes={"occluded": True}),  # attribute flipped
        _ann(6, 2, 2, [500, 10, 40, 40]),  # added (annotation 5 removed)
    ]
    write_coco(repo / "labels.json", IMAGES, head)
    document = _json(run_cli("diff", "HEAD", "--format", "json", cwd=repo))
    assert document["head"] == "work tree"
    assert document["annotations"] == {
        "added": 1,
        "removed": 1,
        "relabeled": 1,
        "moved": 1,
        "attributes_changed": 1,
        "unchanged": 1,
    }
    assert document["transitions"] == [{"from": "cyclist", "to": "pedestrian", "count": 1}]
    assert document["items"] == {"added": 0, "removed": 0, "changed": 2, "unchanged": 0}
    assert document["classes"]["pedestrian"] == {"base": 2, "head": 3}
    assert document["classes"]["car"] == {"base": 2, "head": 1}
    moved = next(c for c in document["changes"] if c["change"] == ["moved"])
    assert moved["iou"] == round(90 * 50 / (110 * 50), 4) and moved["annotation_head"] == "3"
    assert document["geometry"]["max_shift"] == 10.0
    assert document["spec"] == {"base_version": "1.0.0", "head_version": "1.0.0", "required_bump": "none"}


def test_reassigned_ids_and_renumbered_categories_change_nothing(tmp_path: Path) -> None:
    categories = [{"id": 1, "name": "pedestrian"}, {"id": 2, "name": "cyclist"}, {"id": 3, "name": "car"}]
    base = write_coco(tmp_path / "a.json", IMAGES, BASE, categories)
    # Other annotation ids, other category ids, other image ids, other order: the same labels.
    renumber = {1: 7, 2: 8, 3: 9}
    head_anns = [
        {**a, "id": 100 + k, "category_id": renumber[a["category_id"]], "image_id": 10 + a["image_id"]}
        for k, a in enumerate(reversed(BASE))
    ]
    head_images = [{**im, "id": 10 + im["id"]} for im in IMAGES]
    head_categories = [{"id": renumber[c["id"]], "name": c["name"]} for c in categories]
    head = write_coco(tmp_path / "b.json", head_images, head_anns, head_categories)
    document = _json(run_cli("diff", str(base), str(head), "--format", "json", cwd=tmp_path))
    assert document["annotations"]["unchanged"] == len(BASE)
    assert sum(v for k, v in document["annotations"].items() if k != "unchanged") == 0
    assert document["items"]["unchanged"] == 2 and document["changes"] == []


def test_reused_ids_on_other_objects_are_not_trusted(tmp_path: Path) -> None:
    # Head re-ids everything: annotation 1 is now the car, 3 the pedestrian. Content decides.
    head_anns = [{**a, "id": 6 - a["id"]} for a in BASE]
    head_anns[0]["bbox"] = [12, 10, 20, 40]  # and one box moves a little
    base = write_coco(tmp_path / "a.json", IMAGES, BASE)
    head = write_coco(tmp_path / "b.json", IMAGES, head_anns)
    document = _json(run_cli("diff", str(base), str(head), "--format", "json", cwd=tmp_path))
    assert document["annotations"]["moved"] == 1 and document["annotations"]["relabeled"] == 0
    assert document["annotations"]["unchanged"] == 4
    assert document["matching"]["ids_trusted"] is False


def test_swapped_boxes_are_matched_optimally(tmp_path: Path) -> None:
    # Two overlapping cars each shift a little; greedy matching could cross them, Hungarian must not.
    base_anns = [_ann(1, 1, 3, [0, 0, 100, 100]), _ann(2, 1, 3, [40, 0, 100, 100])]
    head_anns = [_ann(11, 1, 3, [45, 0, 100, 100]), _ann(12, 1, 3, [-5, 0, 100, 100])]
    base = write_coco(tmp_path / "a.json", IMAGES[:1], base_anns)
    head = write_coco(tmp_path / "b.json", IMAGES[:1], head_anns)
    document = _json(run_cli("diff", str(base), str(head), "--format", "json", cwd=tmp_path))
    pairs = {c["annotation_base"]: c["annotation_head"] for c in document["changes"] if c["change"] == ["moved"]}
    assert pairs == {"1": "12", "2": "11"}


def test_added_and_removed_items_and_the_first_commit(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write_coco(repo / "labels.json", IMAGES[:1], BASE[:3])
    _commit(repo, "first labels")
    write_coco(repo / "labels.json", IMAGES[1:], BASE[3:])
    _commit(repo, "swap the image")
    blocks = _json(run_cli("log", "--format", "json", cwd=repo))
    assert [b["message"] for b in blocks] == ["swap the image", "first labels"]
    assert blocks[0]["diff"]["items"] == {"added": 1, "removed": 1, "changed": 0, "unchanged": 0}
    assert blocks[0]["diff"]["items_added"] == ["b.jpg"] and blocks[0]["diff"]["items_removed"] == ["a.jpg"]
    assert blocks[1]["diff"]["annotations"]["added"] == 3 and blocks[1]["diff"]["base"] == "(empty)"
    assert blocks[0]["author"] == "Test" and blocks[0]["date"]


def test_log_skips_commits_that_touch_no_label_or_spec_file(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write_coco(repo / "labels.json", IMAGES, BASE)
    _commit(repo, "labels")
    (repo / "README.md").write_text("notes\n")
    _commit(repo, "docs only")
    (repo / "labelspec.yaml").write_text(SPEC_TEXT.replace("version: 1.0.0", "version: 1.0.1"))
    _commit(repo, "spec patch")
    result = run_cli("log", cwd=repo)
    assert result.exit_code == 0 and result.stderr == ""  # no progress when stderr is no terminal
    assert "spec patch" in result.stdout and "labels" in result.stdout and "docs only" not in result.stdout
    assert "spec:        1.0.0 -> 1.0.1" in result.stdout


def test_spec_versions_and_the_required_bump(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write_coco(repo / "labels.json", IMAGES, BASE)
    _commit(repo, "base")
    # Removing the cyclist class changes how labelled samples are labelled: a major bump.
    spec = SPEC_TEXT.replace("version: 1.0.0", "version: 1.1.0")
    start = spec.index("  cyclist:")
    spec = spec[:start] + spec[spec.index("  car:") :]
    spec = spec.replace("priority:\n  - [cyclist, pedestrian]\n", "")
    (repo / "labelspec.yaml").write_text(spec)
    document = _json(run_cli("diff", "HEAD", "--format", "json", cwd=repo))
    assert document["spec"] == {"base_version": "1.0.0", "head_version": "1.1.0", "required_bump": "major"}
    text = run_cli("diff", "HEAD", cwd=repo).stdout
    assert "1.0.0 -> 1.1.0 (the spec diff requires a major bump)" in text


def test_mass_relabel_exit_code_and_formats(tmp_path: Path) -> None:
    base = write_coco(tmp_path / "a.json", IMAGES, BASE)
    head_anns = [{**a, "category_id": 2} if a["category_id"] == 3 else a for a in BASE]  # cars become cyclists
    head = write_coco(tmp_path / "b.json", IMAGES, head_anns)
    result = run_cli("diff", str(base), str(head), cwd=tmp_path)
    assert result.exit_code == 1
    assert "LL505 [error] mass-relabel: this change relabels 2 of 5 annotations (40.0%" in result.stdout
    assert "        2  car -> cyclist" in result.stdout
    assert run_cli("diff", str(base), str(head), "--max-relabel", "0.5", cwd=tmp_path).exit_code == 0
    markdown = run_cli("diff", str(base), str(head), "--format", "markdown", "--exit-zero", cwd=tmp_path)
    assert markdown.exit_code == 0
    assert "| car | cyclist | 2 |" in markdown.stdout and "| annotations | 0 | 0 | 2 | 3 |" in markdown.stdout
    out = tmp_path / "diff.json"
    run_cli("diff", str(base), str(head), "--format", "json", "-o", str(out), cwd=tmp_path)
    assert json.loads(out.read_text())["problems"][0]["code"] == "LL505"


def test_no_changes_and_bad_revisions(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    write_coco(repo / "labels.json", IMAGES, BASE)
    _commit(repo, "base")
    result = run_cli("diff", "HEAD", cwd=repo)
    assert result.exit_code == 0 and "no label changes" in result.stdout
    bad = run_cli("diff", "no-such-rev", cwd=repo)
    assert bad.exit_code == 2 and "unknown revision 'no-such-rev'" in bad.stderr


def _text_dataset(labels: list[tuple[int, str, tuple[int, int] | None]], names: list[str]) -> Dataset:
    """Items 'd0', 'd1'... with one annotation per (item, class, span-or-None)."""
    classes = sorted({c for _i, c, _s in labels})
    dataset = Dataset(files=[SourceFile("x.jsonl", "jsonl")], classes=[ClassRef(c) for c in classes])
    dataset.item_ids = np.array(names, dtype=object)
    dataset.item_names = [None] * len(names)
    for attr in ("item_file", "item_line", "item_index"):
        setattr(dataset, attr, np.zeros(len(names), np.int32))
    dataset.item_width = dataset.item_height = np.full(len(names), np.nan)
    dataset.item_normalized = np.zeros(len(names), bool)
    n = len(labels)
    dataset.ann_item = np.array([i for i, _c, _s in labels], np.int32)
    dataset.ann_class = np.array([classes.index(c) for _i, c, _s in labels], np.int32)
    dataset.ann_box = np.full((n, 4), np.nan)
    dataset.ann_span = np.array([s if s else (-1, -1) for _i, _c, s in labels], np.int64).reshape(n, 2)
    dataset.ann_ids = np.array([None] * n, dtype=object)
    for attr in ("ann_file", "ann_line", "ann_index"):
        setattr(dataset, attr, np.zeros(n, np.int32))
    return dataset


def test_spans_match_by_overlap_and_labels_by_item() -> None:
    base = _text_dataset(
        [(0, "PER", (0, 5)), (0, "ORG", (10, 20)), (1, "LOC", (3, 8)), (2, "positive", None)], ["d0", "d1", "d2"]
    )
    head = _text_dataset(
        [(0, "PER", (0, 6)), (0, "LOC", (10, 20)), (1, "LOC", (30, 35)), (2, "negative", None)], ["d0", "d1", "d2"]
    )
    diff = diff_datasets(base, head, DiffOptions())
    # (0,5)->(0,6) widened; ORG->LOC relabelled; LOC (3,8) vs (30,35) is the lone LOC of d1: moved;
    # the document label positive->negative is relabelled.
    assert diff.annotations["moved"] == 2
    assert diff.annotations["relabeled"] == 2
    assert {(t["from"], t["to"]) for t in diff.transitions} == {("ORG", "LOC"), ("positive", "negative")}
    assert diff.annotations["added"] == diff.annotations["removed"] == 0


def test_equal_keys_pair_in_file_order_one_to_one() -> None:
    from labellint.diff.match import _pair_by_key

    a, b = _pair_by_key(np.array([5, 5, 7, 9], np.uint64), np.array([5, 9, 9, 5, 5], np.uint64))
    assert sorted(zip(a.tolist(), b.tolist(), strict=True)) == [(0, 0), (1, 3), (3, 1)]


def test_the_config_sets_or_disables_mass_relabel(tmp_path: Path) -> None:
    base = write_coco(tmp_path / "a.json", IMAGES, BASE)
    head_anns = [{**a, "category_id": 2} if a["category_id"] == 3 else a for a in BASE]  # 40% relabelled
    head = write_coco(tmp_path / "b.json", IMAGES, head_anns)
    (tmp_path / "labellint.toml").write_text("[rules.LL505]\nmax-fraction = 0.5\n")
    assert run_cli("diff", str(base), str(head), cwd=tmp_path).exit_code == 0
    (tmp_path / "labellint.toml").write_text("[rules.LL505]\nmax-fraction = 0.3\n")
    assert run_cli("diff", str(base), str(head), cwd=tmp_path).exit_code == 1
    (tmp_path / "labellint.toml").write_text('ignore = ["LL505"]\n')
    result = run_cli("diff", str(base), str(head), "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0 and json.loads(result.stdout)["problems"] == []


def test_dangling_and_empty_sides_do_not_crash(tmp_path: Path) -> None:
    base = write_coco(tmp_path / "a.json", IMAGES, BASE)
    head = write_coco(tmp_path / "b.json", [], [_ann(1, 99, 1, [0, 0, 5, 5])])  # no images, a dangling box
    document = _json(run_cli("diff", str(base), str(head), "--format", "json", cwd=tmp_path))
    assert document["items"]["removed"] == 2 and document["annotations"]["removed"] == len(BASE)
    assert document["annotations"]["added"] == 1
    reverse = _json(run_cli("diff", str(head), str(base), "--format", "json", cwd=tmp_path))
    assert reverse["annotations"]["added"] == len(BASE) and reverse["annotations"]["removed"] == 1
