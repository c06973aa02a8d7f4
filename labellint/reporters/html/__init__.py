"""The HTML reporter: one self-contained page (summary, problems table, gallery, plots, spec)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from labellint.model import Dataset
from labellint.report import Report
from labellint.reporters.base import RenderOptions, Reporter
from labellint.reporters.html.gallery import Gallery, GalleryOptions, build_gallery
from labellint.reporters.html.plots import dataset_plots
from labellint.reporters.html.tables import TABLE_LIMIT, problem_rows, summarize


@dataclass(slots=True)
class HtmlInputs:
    """What the page is made from: the report, and the dataset and spec it was checked against."""

    report: Report
    dataset: Dataset | None = None
    spec: object | None = None
    spec_display: str | None = None
    gallery: GalleryOptions = field(default_factory=GalleryOptions)
    title: str = "labellint report"
    version: str = ""
    drawn: int = 0  # set by render_html: how many items the gallery drew


class HtmlReporter(Reporter):
    """The page from the report alone (summary and table); `labellint report` adds the gallery,
    plots and spec, which need the dataset."""

    name = "html"
    description = "a self-contained HTML page (summary, problems table; gallery and plots with the dataset)"

    def render(self, report: Report, options: RenderOptions) -> str:
        return render_html(HtmlInputs(report, version=options.version))


@cache
def environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("labellint.reporters.html", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else f"{v:.3g}"
    return env


def asset(name: str) -> str:
    return files("labellint.reporters.html").joinpath("templates", name).read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON safe inside a <script> element (no `</script>` or `<!--` can appear)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_html(inputs: HtmlInputs) -> str:
    """The whole page as one string; nothing in it loads anything from a network host."""
    report, dataset = inputs.report, inputs.dataset
    started = time.perf_counter()
    gallery = Gallery([], [], {})
    if dataset is not None and inputs.gallery.max_images > 0:
        gallery = build_gallery(report.problems, dataset, inputs.gallery)
    inputs.drawn = len(gallery.cards)
    rows = problem_rows(report, dataset, gallery.anchors, inputs.gallery.out_dir)
    notes = list(report.notes) + gallery.notes
    if len(report.problems) > TABLE_LIMIT:
        notes.append(
            f"the problems table shows the first {TABLE_LIMIT:,} of {len(report.problems):,} problems; "
            "the counts cover all of them (the JSON or SARIF report lists every one)"
        )
    page = (
        environment()
        .get_template("report.html.j2")
        .render(
            title=inputs.title,
            version=inputs.version,
            report=report,
            summary=summarize(report),
            rows_json=_script_json(rows),
            table_limited=len(report.problems) > TABLE_LIMIT,
            limit=TABLE_LIMIT,
            gallery=gallery,
            plots=dataset_plots(dataset, inputs.spec) if dataset is not None else [],
            spec=inputs.spec,
            spec_display=inputs.spec_display,
            notes=notes,
            css=asset("report.css"),
            script=asset("report.js"),
            seconds=time.perf_counter() - started,
        )
    )
    return page
