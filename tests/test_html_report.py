"""The HTML report in a real headless Chromium: it loads offline, its table filters, its plots
render, and the gallery draws the flagged box where the labels put it (screenshot pixels)."""

from __future__ import annotations

import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser import browser, open_page  # noqa: F401  (the fixture)
from conftest import REPO_ROOT, shared_path
from helpers import SPEC_TEXT, run_cli, write_coco
from PIL import Image

STREET = REPO_ROOT / "examples" / "street-detection"
GREEN = (0, 160, 0)


def _report(tmp_path: Path, *args: str, cwd: Path | None = None, name: str = "report.html") -> Path:
    out = tmp_path / name
    result = run_cli("report", *args, "-o", str(out), cwd=cwd)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {out}" in result.stderr
    return out


def _no_network_host(html: str) -> None:
    """No URL of any host, and every src/href is a data URI, an anchor or a relative path."""
    assert re.findall(r"(?i)\b(?:https?|wss?|ftp)://", html) == []
    for value in re.findall(r'\b(?:src|href)="([^"]*)"', html):
        assert value.startswith(("data:", "#")) or not re.match(r"(?i)^([a-z][a-z0-9+.-]*:|//)", value), value


def _problems(*args: str, cwd: Path | None = None) -> list[dict]:
    result = run_cli("check", *args, "--format", "json", "--exit-zero", cwd=cwd)
    return json.loads(result.stdout)["problems"]


def test_example_report_loads_offline_filters_and_plots(tmp_path: Path, browser) -> None:  # noqa: F811
    out = _report(tmp_path, cwd=STREET)
    html = out.read_text()
    _no_network_host(html)
    problems = _problems(cwd=STREET)
    view = open_page(browser, out)
    page = view.page
    assert view.errors == []
    assert view.requests == [out.resolve().as_uri()]  # the page itself, nothing else
    rows = page.locator("#problems-table tbody tr")
    assert rows.count() == len(problems)
    # Filter by rule: only that rule's rows remain.
    code = "LL205"
    page.select_option("#filter-rule", code)
    assert rows.count() == sum(p["code"] == code for p in problems) > 0
    assert set(page.locator("#problems-table tbody tr td:first-child").all_inner_texts()) == {code}
    page.select_option("#filter-rule", "")
    # Filter by class: every annotation-level row of that class in the labels file.
    page.select_option("#filter-class", "pedestrian")
    labels = json.loads((STREET / "labels" / "train.json").read_text())
    pedestrian_ids = {str(a["id"]) for a in labels["annotations"] if a["category_id"] == 1}
    expected = sum(p["annotation"] in pedestrian_ids for p in problems)
    assert rows.count() == expected > 0
    page.select_option("#filter-class", "")
    page.fill("#filter-file", "no-such-file")
    assert rows.count() == 0
    page.fill("#filter-file", "train.json")
    assert rows.count() == len(problems)
    # Sorting by message puts the rows in that order.
    page.click("#problems-table th[data-key='5']")
    messages = page.locator("#problems-table tbody tr td:nth-child(5)").all_inner_texts()
    assert messages == sorted(messages)
    # The plots are SVG with drawn bars; the class counts match the labels file.
    assert page.locator("#plots svg.chart").count() >= 6
    assert page.locator("#plot-positions rect.cell").count() > 0
    bars = page.eval_on_selector_all("#plot-class-counts rect title", "els => els.map(e => e.textContent)")
    counted = {}
    names = {c["id"]: c["name"] for c in labels["categories"]}
    for a in labels["annotations"]:
        counted[names.get(a["category_id"], "?")] = counted.get(names.get(a["category_id"], "?"), 0) + 1
    assert {t.split(": ")[0]: int(t.split(": ")[1].replace(",", "")) for t in bars if not t.endswith(": 0")} == counted
    # The spec section shows every class and the version.
    assert page.locator("#spec .spec-version").inner_text() == "2.1.0"
    assert page.locator("#spec .spec-classes tbody tr").count() == 3
    page.close()


def _scene(tmp_path: Path, with_image: bool = True) -> tuple[Path, tuple[float, float, float, float]]:
    """A COCO file with one image made here (green, 400x300) and a box 30 px past its right edge."""
    root = tmp_path / "scene"
    (root / "images").mkdir(parents=True)
    (root / "labelspec.yaml").write_text(SPEC_TEXT)
    box = (300.0, 100.0, 130.0, 80.0)
    images = [{"id": 1, "file_name": "street.png", "width": 400, "height": 300}]
    annotations = [
        {"id": 1, "image_id": 1, "category_id": 3, "bbox": list(box), "area": box[2] * box[3], "iscrowd": 0},
        {"id": 2, "image_id": 1, "category_id": 1, "bbox": [40, 60, 30, 90], "area": 2700, "iscrowd": 0},
    ]
    write_coco(root / "labels" / "train.json", images, annotations)
    (root / "labellint.toml").write_text('spec = "labelspec.yaml"\n\n[[datasets]]\npath = "labels/*.json"\n')
    if with_image:
        Image.new("RGB", (400, 300), GREEN).save(root / "images" / "street.png")
    return root, box


def _edge_pixels(screenshot: bytes, svg_box: dict, view: list[float], box: tuple[float, float, float, float]):
    """Colours of the screenshot along the drawn box's edges, where the labels put it."""
    image = Image.open(io.BytesIO(screenshot)).convert("RGB")
    vx, vy, vw, vh = view
    sx, sy = svg_box["width"] / vw, svg_box["height"] / vh

    # The element's screenshot starts at whole pixels; the element may not.
    ox, oy = svg_box["x"] % 1, svg_box["y"] % 1

    def at(x: float, y: float) -> tuple[int, int, int]:
        px = int((x - vx) * sx + ox)
        py = int((y - vy) * sy + oy)
        return image.getpixel((min(max(px, 0), image.width - 1), min(max(py, 0), image.height - 1)))

    x, y, w, h = box
    # The pixel the edge line falls in lies wholly inside the 3 px stroke drawn centred on the edge
    # (it spans at most one pixel either side), so it is the stroke's colour, not a blend.
    top = [at(x + w * t / 10, y) for t in range(1, 10)]
    left = [at(x, y + h * t / 10) for t in range(1, 10)]
    inside = at(x + w / 4, y + h / 2)
    return top + left, inside, at


def _red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 180 and g < 90 and b < 90


def test_gallery_screenshot_shows_the_box_where_the_labels_put_it(tmp_path: Path, browser) -> None:  # noqa: F811
    root, box = _scene(tmp_path)
    out = _report(tmp_path, cwd=root)
    html = out.read_text()
    _no_network_host(html)
    assert "data:image/jpeg;base64," in html  # the thumbnail is inside the page
    view = open_page(browser, out)
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    svg = view.page.locator("#gallery svg.overlay").first
    viewbox = [float(v) for v in svg.get_attribute("viewBox").split()]
    assert viewbox[0] + viewbox[2] >= box[0] + box[2]  # the canvas reaches the part past the edge
    edges, inside, at = _edge_pixels(svg.screenshot(), svg.bounding_box(), viewbox, box)
    assert all(_red(p) for p in edges), edges
    assert not _red(inside)
    # The image is drawn under the boxes: a point of the image away from every box is its green.
    r, g, b = at(200, 250)
    assert g > 120 and r < 60 and b < 60, (r, g, b)
    # Past the image's right edge there is no image (the canvas background), yet the box is drawn there.
    r, g, b = at(415, 140)
    assert not (g > 120 and r < 60)
    view.page.close()


def test_missing_and_unreadable_images_are_placeholders_not_aborts(tmp_path: Path, browser) -> None:  # noqa: F811
    root, box = _scene(tmp_path, with_image=False)
    out = _report(tmp_path, cwd=root)
    html = out.read_text()
    assert "image not found" in html and "have no image file beside their labels" in html
    view = open_page(browser, out)
    svg = view.page.locator("#gallery svg.overlay").first
    viewbox = [float(v) for v in svg.get_attribute("viewBox").split()]
    edges, _, _ = _edge_pixels(svg.screenshot(), svg.bounding_box(), viewbox, box)
    assert all(_red(p) for p in edges)  # geometry is still visible on the blank canvas
    view.page.close()
    (root / "images" / "street.png").write_bytes(b"not a png at all")
    out = _report(tmp_path, cwd=root, name="unreadable.html")
    html = out.read_text()
    assert "image unreadable" in html and "image files could not be read: street.png" in html


def test_max_images_caps_the_gallery_and_link_images_references_files(tmp_path: Path) -> None:
    root, _ = _scene(tmp_path)
    out = _report(tmp_path, "--max-images", "0", cwd=root)
    assert 'class="card"' not in out.read_text()
    out = _report(tmp_path, "--link-images", cwd=root, name="linked.html")
    html = out.read_text()
    assert "data:image/jpeg" not in html
    assert 'href="scene/images/street.png"' in html
    _no_network_host(html)


def test_check_output_html_and_markdown_link(tmp_path: Path) -> None:
    root, _ = _scene(tmp_path)
    result = run_cli("check", "-o", f"html:{tmp_path / 'c.html'}", "-o", f"markdown:{tmp_path / 'c.md'}", cwd=root)
    assert result.exit_code == 1  # the box past the edge is an error; the page is written all the same
    html = (tmp_path / "c.html").read_text()
    assert 'class="card"' in html and "data:image/jpeg" in html
    assert str(tmp_path / "c.html") in (tmp_path / "c.md").read_text()


def _bccd_with_images(tmp_path: Path, count: int = 150) -> Path:
    """The first BCCD annotation files, with a made image per file (the dataset ships no images):
    grey, of the size the XML says, under ../images/ as the finder looks."""
    assert count <= 150
    source = shared_path("data", "voc", "bccd", "BCCD", "Annotations")
    labels = tmp_path / "bccd" / "Annotations"
    images = tmp_path / "bccd" / "images"
    labels.mkdir(parents=True)
    images.mkdir()
    for n, xml in enumerate(sorted(source.glob("*.xml"))[:count]):
        shutil.copy(xml, labels / xml.name)
        root = ET.parse(xml).getroot()
        size = (int(root.findtext("size/width")), int(root.findtext("size/height")))
        # A different grey per file: identical made-up images would be real LL303 duplicates.
        Image.new("RGB", size, (100 + n, 100 + n, 100 + n)).save(images / root.findtext("filename"), quality=90)
    shutil.copy(REPO_ROOT / "examples" / "ci" / "bccd-labelspec.yaml", tmp_path / "bccd" / "labelspec.yaml")
    return tmp_path / "bccd"


def test_real_dataset_report_draws_flagged_boxes_from_the_xml(tmp_path: Path, browser) -> None:  # noqa: F811
    root = _bccd_with_images(tmp_path)
    out = _report(tmp_path, "Annotations", "--spec", "labelspec.yaml", cwd=root)
    html = out.read_text()
    _no_network_host(html)
    view = open_page(browser, out)
    page = view.page
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    assert page.locator("#plots svg.chart").count() >= 6
    cards = page.locator("#gallery figure.card")
    assert cards.count() > 0
    checked = 0
    for k in range(cards.count()):
        card = cards.nth(k)
        name = card.locator("figcaption b").inner_text()
        xml = ET.parse(root / "Annotations" / (Path(name).stem + ".xml")).getroot()
        corners = ("xmin", "ymin", "xmax", "ymax")
        boxes = {tuple(float(o.findtext(f"bndbox/{c}")) for c in corners) for o in xml.iter("object")}
        flagged = card.locator("g.shape.flagged path.box")
        if not flagged.count():  # an item-level problem: nothing to single out
            continue
        flagged = flagged.first
        numbers = [float(v) for v in re.findall(r"-?[\d.]+", flagged.get_attribute("d"))]
        x, y, w, h = numbers[0], numbers[1], numbers[2], numbers[3]
        # The drawn box is one of the file's boxes (VOC pixel corners, within the one-pixel convention).
        match = [b for b in boxes if abs(b[0] - x) <= 1 and abs(b[1] - y) <= 1 and abs(b[2] - (x + w)) <= 1]
        assert match, (name, (x, y, w, h), boxes)
        if w < 12 or h < 12:
            continue
        svg = card.locator("svg.overlay")
        viewbox = [float(v) for v in svg.get_attribute("viewBox").split()]
        # A duplicate's twin may match within a pixel too: take the closest box of the file.
        xmin, ymin, xmax, ymax = min(match, key=lambda b: abs(b[0] - x) + abs(b[1] - y) + abs(b[2] - x - w))
        drawn = (xmin, ymin, xmax - xmin, ymax - ymin)
        edges, _, _ = _edge_pixels(svg.screenshot(), svg.bounding_box(), viewbox, drawn)
        assert all(_red(p) for p in edges), f"{name} {(x, y, w, h)} {edges}"
        checked += 1
    assert checked >= 3
    page.close()


def test_ner_span_lengths_plot_counts_every_accepted_span(tmp_path: Path) -> None:
    path = shared_path("data", "ner_textcat", "explosion_projects", "ner_fashion_brands_eval.prodigy.jsonl")
    records = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    lengths = [s["end"] - s["start"] for r in records if r.get("answer", "accept") == "accept" for s in r["spans"]]
    html = _report(tmp_path, str(path)).read_text()
    _no_network_host(html)
    chart = html[html.index('id="plot-span-length"') :]
    chart = chart[: chart.index("</svg>")]
    bars = re.findall(r"<title>(\d+) to (\d+): ([\d,]+)</title>", chart)
    assert bars, chart[:500]
    # Whole-character bins [low, high), each counting the spans of those lengths in the file.
    for low, high, n in bars:
        assert int(n.replace(",", "")) == sum(int(low) <= x < int(high) for x in lengths), (low, high)
    assert sum(int(n.replace(",", "")) for _, _, n in bars) == len(lengths) > 0


def _matrix(page) -> dict[tuple[str, str], int]:
    """The transition heatmap as read from the page: (before, after) -> count."""
    return _matrix_of(page, "#transition-matrix")


def _matrix_of(page, table: str) -> dict[tuple[str, str], int]:
    """A table heatmap as read from the page: (row, column) -> count."""
    columns = page.locator(f"{table} thead th.col").all_inner_texts()
    cells = {}
    for row in page.locator(f"{table} tbody tr").all():
        before = row.locator("th").inner_text()
        for after, text in zip(columns, row.locator("td").all_inner_texts(), strict=True):
            if text.strip():
                cells[(before, after)] = int(text.replace(",", ""))
    return cells


def test_diff_html_heatmap_counts_the_relabels_made(tmp_path: Path, browser) -> None:  # noqa: F811
    """coco128 with every 7th annotation given the next category: the matrix counts exactly those."""
    source = shared_path("data", "coco", "coco128", "instances_train2017.json")
    before = json.loads(source.read_text())
    names = {c["id"]: c["name"] for c in before["categories"]}
    ids = sorted(names)
    after = json.loads(source.read_text())
    made: dict[tuple[str, str], int] = {}
    for a in after["annotations"][::7]:
        new = ids[(ids.index(a["category_id"]) + 1) % len(ids)]
        key = (names[a["category_id"]], names[new])
        made[key] = made.get(key, 0) + 1
        a["category_id"] = new
    moved = {}  # every 11th annotation from the 4th moves 15 px right
    for a in after["annotations"][3::11]:
        a["bbox"] = [a["bbox"][0] + 15, *a["bbox"][1:]]
        moved[str(a["id"])] = a["bbox"]
    edited = {str(a["id"]) for a in after["annotations"][::7]} | set(moved)
    old_boxes = {str(a["id"]): a["bbox"] for a in before["annotations"]}
    (tmp_path / "a.json").write_text(json.dumps(before))
    (tmp_path / "b.json").write_text(json.dumps(after))
    out = tmp_path / "diff.html"
    result = run_cli("diff", "a.json", "b.json", "--format", "html", "-o", str(out), "--exit-zero", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    html = out.read_text()
    _no_network_host(html)
    view = open_page(browser, out)
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    listed = {}
    for row in view.page.locator("#transition-list tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        listed[(cells[0], cells[1])] = int(cells[2].replace(",", ""))
    assert listed == made
    # The matrix keeps the 30 most relabelled classes; every cell it shows is one of the relabels made.
    shown = _matrix(view.page)
    assert shown and all(made[key] == n for key, n in shown.items())
    involved = {name for pair in made for name in pair}
    assert (len(shown) == len(made)) == (len(involved) <= 30)
    if len(involved) > 30:
        assert f"{len(involved) - 30} less relabelled classes are left out" in html
    edits = view.page.locator("#edits-table tbody tr")
    assert edits.count() == len(edited)
    # Each moved box drawn before (dashed) and after (red) where the two files put it.
    cards = view.page.locator("#moves figure.card")
    assert cards.count() == min(60, len(moved))
    for k in range(cards.count()):
        card = cards.nth(k)
        annotation = re.search(r"annotation (\d+)", card.locator("figcaption").inner_text()).group(1)
        for role, box in (("before", old_boxes[annotation]), ("flagged", moved[annotation])):
            d = card.locator(f"g.shape.{role} path.box").get_attribute("d")
            x, y, w, h = (float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", d)[:4])
            assert [x, y, w, h] == pytest.approx(box, abs=1e-6), (annotation, role)
    svg = cards.first.locator("svg.overlay")
    annotation = re.search(r"annotation (\d+)", cards.first.locator("figcaption").inner_text()).group(1)
    viewbox = [float(v) for v in svg.get_attribute("viewBox").split()]
    edge_pixels, _, _ = _edge_pixels(svg.screenshot(), svg.bounding_box(), viewbox, tuple(moved[annotation]))
    assert all(_red(p) for p in edge_pixels), edge_pixels
    counts = {r.locator("td").first.inner_text(): r for r in view.page.locator("#class-counts tbody tr").all()}
    person = counts["person"].locator("td").all_inner_texts()
    base_people = sum(a["category_id"] == 1 for a in before["annotations"])
    head_people = sum(a["category_id"] == 1 for a in after["annotations"])
    assert [int(v.replace(",", "")) for v in person[1:3]] == [base_people, head_people]
    view.page.close()


def test_diff_html_of_taco_versions_matches_the_json(tmp_path: Path, browser) -> None:  # noqa: F811
    """TACO v1 -> v2 (ids reassigned upstream): the page shows the transitions `diff --format json` finds."""
    folder = shared_path("data", "coco", "taco")
    v1, v2 = str(folder / "annotations_v1_a56f6cb.json"), str(folder / "annotations_v2_a35e944.json")
    document = json.loads(run_cli("diff", v1, v2, "--format", "json", "--exit-zero", cwd=tmp_path).stdout)
    out = tmp_path / "taco.html"
    assert run_cli("diff", v1, v2, "--format", "html", "-o", str(out), "--exit-zero", cwd=tmp_path).exit_code == 0
    _no_network_host(out.read_text())
    view = open_page(browser, out)
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    shown = _matrix(view.page)
    expected = {(t["from"], t["to"]): t["count"] for t in document["transitions"]}
    assert shown and all(expected[key] == n for key, n in shown.items())
    listed = view.page.locator("#transition-list tbody tr").count()
    assert listed == len(document["transitions"])
    view.page.close()


def test_golden_html_draws_each_annotators_accuracy_and_the_confusions(tmp_path: Path, browser) -> None:  # noqa: F811
    """Snow et al. 2008 RTE: 164 Mechanical Turk workers against the expert label of each item."""
    import csv

    ratings = shared_path("data", "agreement", "snow2008", "rte.standardized.tsv")
    rows = list(csv.DictReader(ratings.open(newline=""), delimiter="\t"))
    truth = {r["orig_id"]: r["gold"] for r in rows}
    gold = tmp_path / "gold.csv"
    gold.write_text("item,label\n" + "".join(f"{item},{label}\n" for item, label in truth.items()))
    done: dict[str, list[int]] = {}
    confusions: dict[tuple[str, str], int] = {}
    for r in rows:
        right = r["response"] == truth[r["orig_id"]]
        done.setdefault(r["!amt_worker_ids"], []).append(int(right))
        if not right:
            key = (truth[r["orig_id"]], r["response"])
            confusions[key] = confusions.get(key, 0) + 1
    out = tmp_path / "golden.html"
    args = ["--item-col", "orig_id", "--annotator-col", "!amt_worker_ids", "--label-col", "response"]
    result = run_cli("golden", str(ratings), "--gold", str(gold), *args, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    _no_network_host(out.read_text())
    view = open_page(browser, out)
    page = view.page
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    table = {}
    for row in page.locator("#annotator-table tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        table[cells[0]] = (float(cells[1]), int(cells[3].replace(",", "")), int(cells[4].replace(",", "")))
    assert set(table) == set(done)
    for worker, marks in done.items():
        assert table[worker] == (round(sum(marks) / len(marks), 3), sum(marks), len(marks)), worker
    # One dot per worker, drawn where its accuracy is on the 0-100% axis (150 px label, 300 px plot).
    dots = page.locator("svg.intervals g.annotator")
    assert dots.count() == len(done)
    for k in range(0, dots.count(), 17):
        dot = dots.nth(k)
        marks = done[dot.get_attribute("data-name")]
        cx = float(dot.locator("circle").get_attribute("cx"))
        assert abs((cx - 150) / 300 - sum(marks) / len(marks)) < 0.001
    assert _matrix_of(page, "#confusion-matrix") == confusions
    page.close()


def test_suspects_html_lists_cleanlabs_set_with_given_and_suggested(tmp_path: Path, browser) -> None:  # noqa: F811
    """The digits fixture (20% symmetric noise): the page's suspects are cleanlab's, with the given
    label from the labels file and the suggestion the most probable class of the predictions."""
    import csv

    import numpy as np

    data = np.load(shared_path("reference", "data", "cl_fixture_digits_sym20_seed0.npz"))
    names = [f"d{i}" for i in range(10)]
    with (tmp_path / "labels.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["id", "text", "label"])
        writer.writerows([f"img{i}", f"text {i}", names[int(y)]] for i, y in enumerate(data["y_noisy"]))
    with (tmp_path / "preds.csv").open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["item", *names])
        writer.writerows([f"img{i}", *map(repr, map(float, row))] for i, row in enumerate(data["pred_probs"]))
    out = tmp_path / "suspects.html"
    args = ["--predictions", "preds.csv", "--format", "html", "-o", str(out)]
    result = run_cli("suspects", "labels.csv", *args, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    _no_network_host(out.read_text())
    view = open_page(browser, out)
    page = view.page
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    rows = [r.locator("td").all_inner_texts() for r in page.locator("#suspects-table tbody tr").all()]
    flagged = sorted(int(r[1].removeprefix("img")) for r in rows)
    assert flagged == np.flatnonzero(data["mask_prune_by_noise_rate"]).tolist()
    expected: dict[tuple[str, str], int] = {}
    for r in rows:
        i = int(r[1].removeprefix("img"))
        given, suggested = names[int(data["y_noisy"][i])], names[int(data["pred_probs"][i].argmax())]
        assert (r[2], r[3]) == (given, suggested)
        expected[(given, suggested)] = expected.get((given, suggested), 0) + 1
    assert _matrix_of(page, "#suspects-matrix") == expected
    page.close()


def test_table_is_capped_with_a_note_and_the_counts_cover_every_problem(tmp_path: Path) -> None:
    """5,200 boxes past the right edge: the table holds 5,000 rows, the summary counts all 5,200."""
    images = [{"id": i, "file_name": f"{i}.png", "width": 100, "height": 100} for i in range(1, 1301)]
    annotations = [
        {"id": 4 * i + k, "image_id": i, "category_id": 3, "bbox": [90, 20 * k, 30, 10], "area": 300, "iscrowd": 0}
        for i in range(1, 1301)
        for k in range(4)
    ]
    root = tmp_path / "many"
    write_coco(root / "labels" / "train.json", images, annotations)
    (root / "labelspec.yaml").write_text(SPEC_TEXT)
    out = _report(tmp_path, "labels", "--spec", "labelspec.yaml", "--max-images", "3", cwd=root)
    html = out.read_text()
    rows = json.loads(re.search(r'<script type="application/json" id="rows">(.*?)</script>', html, re.S).group(1))
    assert len(rows) == 5000 and {r[0] for r in rows} == {"LL201"}
    assert "the problems table shows the first 5,000 of 5,200 problems" in html
    by_rule = re.search(r'<table class="counts" id="by-rule">.*?</table>', html, re.S).group(0)
    assert re.search(r"LL201 bbox-out-of-bounds.*?<td class=\"n\">5,200</td>", by_rule, re.S)
    assert html.count('class="card"') == 3


def test_log_html_over_the_real_taco_history(tmp_path: Path, browser) -> None:  # noqa: F811
    """The four TACO releases as four commits: the page's class counts per commit are the files'."""
    import subprocess
    from collections import Counter

    folder = shared_path("data", "coco", "taco")
    versions = ["annotations_v1_a56f6cb.json", "annotations_v2_a35e944.json", "annotations_v3_1e4d24a.json"]
    versions.append("annotations_v4_508da01.json")
    repo = tmp_path / "taco"
    (repo / "data").mkdir(parents=True)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "test@example.invalid")
    git("config", "user.name", "Test")
    (repo / "pyproject.toml").write_text('[tool.labellint]\ndatasets = [{path = "data/annotations.json"}]\n')
    counts = []
    for n, name in enumerate(versions, 1):
        shutil.copy(folder / name, repo / "data" / "annotations.json")
        git("add", "-A")
        git("commit", "-q", "-m", f"release v{n}")
        document = json.loads((folder / name).read_text())
        names = {c["id"]: c["name"] for c in document["categories"]}
        counts.append(Counter(names[a["category_id"]] for a in document["annotations"]))
    out = tmp_path / "log.html"
    result = run_cli("log", "--format", "html", "-o", str(out), "--exit-zero", cwd=repo)
    assert result.exit_code == 0, result.stderr
    blocks = json.loads(run_cli("log", "--format", "json", "--exit-zero", cwd=repo).stdout)
    _no_network_host(out.read_text())
    view = open_page(browser, out)
    page = view.page
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    subjects = [r.locator("td").nth(2).inner_text() for r in page.locator("#commits-table tbody tr").all()]
    assert subjects == [f"release v{n}" for n in range(1, 5)]  # oldest first
    columns = page.locator("#class-history thead th").all_inner_texts()[1:]
    assert columns and columns[0] == counts[-1].most_common(1)[0][0]
    for k, row in enumerate(page.locator("#class-history tbody tr").all()):
        shown = [int(v.replace(",", "")) for v in row.locator("td").all_inner_texts()[1:]]
        assert shown == [counts[k].get(name, 0) for name in columns], k
    # The rework bars are the commits' relabelled + moved + removed annotations.
    bars = page.eval_on_selector_all("#plot-rework rect title", "els => els.map(e => e.textContent)")
    reworked = [sum(b["diff"]["annotations"][k] for k in ("relabeled", "moved", "removed")) for b in reversed(blocks)]
    assert [int(t.rsplit(": ", 1)[1].replace(",", "")) for t in bars] == reworked
    assert any(reworked)
    page.close()


def test_agree_html_shows_fleiss_kappa_and_the_confused_pairs(tmp_path: Path, browser) -> None:  # noqa: F811
    """Snow et al. 2008 RTE, 10 ratings per item: Fleiss' kappa and the count of disagreeing pairs,
    both computed here from the TSV."""
    import csv

    ratings = shared_path("data", "agreement", "snow2008", "rte.standardized.tsv")
    per_item: dict[str, list[str]] = {}
    for r in csv.DictReader(ratings.open(newline=""), delimiter="\t"):
        per_item.setdefault(r["orig_id"], []).append(r["response"])
    labels = sorted({x for v in per_item.values() for x in v})
    n = {len(v) for v in per_item.values()}
    assert n == {10}
    agreement = [(sum(v.count(c) ** 2 for c in labels) - 10) / 90 for v in per_item.values()]
    shares = [sum(v.count(c) for v in per_item.values()) / (10 * len(per_item)) for c in labels]
    expected = (sum(agreement) / len(agreement) - sum(p * p for p in shares)) / (1 - sum(p * p for p in shares))
    pairs = sum(v.count("0") * v.count("1") for v in per_item.values())
    out = tmp_path / "agree.html"
    args = ["--item-col", "orig_id", "--annotator-col", "!amt_worker_ids", "--label-col", "response"]
    result = run_cli("agree", str(ratings), *args, "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    _no_network_host(out.read_text())
    view = open_page(browser, out)
    page = view.page
    assert view.errors == [] and view.requests == [out.resolve().as_uri()]
    figures = {}
    for row in page.locator("#figures-table tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        figures[cells[0]] = cells[1]
    assert float(figures["Fleiss' kappa"]) == pytest.approx(expected, abs=5e-5)
    assert figures["Cohen's kappa"] == "undefined"  # 164 annotators: defined for two only
    assert _matrix_of(page, "#confusion-matrix") == {("0", "1"): pairs}
    page.close()


def test_agree_html_refuses_box_agreement_with_a_message(tmp_path: Path) -> None:
    root, _ = _scene(tmp_path)
    labels = root / "labels" / "train.json"
    result = run_cli("agree", "--per-annotator", str(labels), str(labels), "--format", "html", "-o", "x.html", cwd=root)
    assert result.exit_code == 2 and "--format html is for classification ratings" in result.stderr
    assert "Traceback" not in result.stderr and not (root / "x.html").exists()


def test_coco128_polygon_problems_are_drawn_where_the_segmentation_is(tmp_path: Path, browser) -> None:  # noqa: F811
    """coco128's LL207/LL208 annotations: the flagged polygon's points are the file's, and the
    screenshot is red along its edges (images made here, grey, of the sizes the file gives)."""
    source = shared_path("data", "coco", "coco128", "instances_train2017.json")
    document = json.loads(source.read_text())
    root = tmp_path / "coco128"
    (root / "images").mkdir(parents=True)
    shutil.copy(source, root / "instances.json")
    problems = _problems(str(root / "instances.json"), cwd=root)
    assert {"LL207", "LL208"} <= {p["code"] for p in problems}
    images = {str(i["id"]): i for i in document["images"]}
    for p in problems:
        image = images[p["item"]]
        Image.new("RGB", (image["width"], image["height"]), (128, 128, 128)).save(root / "images" / image["file_name"])
    out = _report(tmp_path, "instances.json", cwd=root)
    view = open_page(browser, out)
    assert view.errors == []
    flagged_ids = {p["annotation"] for p in problems}
    rings = {}  # every polygon of the file (rounded points) -> its annotation id
    for a in document["annotations"]:
        for ring in a["segmentation"] if isinstance(a.get("segmentation"), list) else []:
            rings[tuple((round(ring[i], 2), round(ring[i + 1], 2)) for i in range(0, len(ring) - 1, 2))] = str(a["id"])
    checked = 0
    for card in view.page.locator("#gallery figure.card").all():
        polygons = card.locator("g.shape.flagged polygon")
        if not polygons.count():
            continue
        drawn = tuple(tuple(map(float, xy.split(","))) for xy in polygons.first.get_attribute("points").split())
        assert rings.get(drawn) in flagged_ids, drawn[:3]  # a polygon of the file, of a flagged annotation
        svg = card.locator("svg.overlay")
        viewbox = [float(v) for v in svg.get_attribute("viewBox").split()]
        _, _, at = _edge_pixels(svg.screenshot(), svg.bounding_box(), viewbox, (0, 0, 0, 0))
        # The middle of each edge: there the 3 px stroke covers the whole pixel (at a sharp vertex
        # a bevelled join may not reach the vertex's own pixel).
        edges = zip(drawn, drawn[1:] + drawn[:1], strict=True)
        middles = [at((x0 + x1) / 2, (y0 + y1) / 2) for (x0, y0), (x1, y1) in edges]
        assert all(_red(v) for v in middles), [v for v in middles if not _red(v)]
        checked += 1
    assert checked >= 2
    view.page.close()
