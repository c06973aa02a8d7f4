"""`report`: check the labels and render the self-contained HTML page (gallery, plots, spec)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labellint.commands.check import CheckRequest, CheckResult, run_check
from labellint.reporters.html import HtmlInputs, render_html
from labellint.reporters.html.gallery import GalleryOptions
from labellint.settings.resolve import Settings


@dataclass(slots=True)
class ReportRequest(CheckRequest):
    """A check request plus how to draw the gallery and where the page will be written."""

    output: str = "report.html"
    max_images: int = 200
    link_images: bool = False
    progress: Callable[[int, int], None] | None = None


@dataclass(slots=True)
class ReportResult:
    """The check's result and the page made from it."""

    check: CheckResult
    html: str
    drawn: int

    def to_json(self) -> dict[str, Any]:
        document = self.check.to_json()
        document["html"] = {"bytes": len(self.html.encode()), "drawn_items": self.drawn}
        return document


def run_report(request: ReportRequest, settings: Settings) -> ReportResult:
    """Runs `check` and renders its report with the dataset and the spec it was checked against."""
    result = run_check(request, settings)
    html, drawn = html_for_check(result, settings, request.output, request)
    return ReportResult(result, html, drawn)


def html_for_check(result: CheckResult, settings: Settings, output: str, options: ReportRequest | None = None):
    """The page for a finished check (also `check --output html:PATH`), and how many items it drew."""
    from labellint import __version__

    options = options or ReportRequest()
    gallery = GalleryOptions(
        max_images=options.max_images,
        link_images=options.link_images,
        out_dir=Path(output).resolve().parent if output not in ("", "-") else Path.cwd(),
        progress=options.progress,
    )
    inputs = HtmlInputs(
        result.report,
        dataset=result.dataset,
        spec=settings.spec,
        spec_display=settings.spec_display,
        gallery=gallery,
        version=__version__,
    )
    html = render_html(inputs)
    return html, inputs.drawn
