"""The HTML pages of `golden` (accuracy per annotator with intervals), `suspects` and `agree`."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

from labellint.reporters.html import asset, environment
from labellint.reporters.html.matrix import count_matrix

ROW = 14.0  # px per annotator in the interval chart
LABEL_W, PLOT_W = 150.0, 300.0
SHOWN = 300  # annotators drawn (the least accurate first); the table lists every one
SUSPECTS_SHOWN = 2000  # rows of the suspects table; the matrix counts every suspect


@dataclass(slots=True)
class Interval:
    """One annotator's row of the interval chart, in SVG units (x from 0 to PLOT_W is 0 to 100%)."""

    name: str
    accuracy: float
    low: float
    high: float
    items: int
    y: float

    def x(self, value: float) -> float:
        return LABEL_W + PLOT_W * value


def intervals(annotators: dict[str, dict]) -> list[Interval]:
    """The annotators by accuracy, lowest first (the ones a reviewer looks at), at most SHOWN."""
    ranked = sorted(annotators.items(), key=lambda kv: (kv[1]["accuracy"], kv[0]))[:SHOWN]
    return [
        Interval(name, a["accuracy"], a["wilson_95"][0], a["wilson_95"][1], a["items"], 8 + k * ROW)
        for k, (name, a) in enumerate(ranked)
    ]


def render_golden_html(document: dict, labels: str, gold: str, version: str = "") -> str:
    """The whole page as one string; it needs no script and loads nothing from a network host."""
    started = time.perf_counter()
    rows = intervals(document["annotators"])
    return (
        environment()
        .get_template("golden.html.j2")
        .render(
            title="labellint golden",
            labels=labels,
            gold=gold,
            version=version,
            doc=document,
            rows=rows,
            shown=SHOWN,
            chart_height=30 + ROW * len(rows),
            label_w=LABEL_W,
            plot_w=PLOT_W,
            matrix=count_matrix(document.get("confusions", []), "gold", "given"),
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )


def render_suspects_html(document: dict, labels: str, version: str = "") -> str:
    """The suspects, most likely wrong first, and how often each given label was suggested as another."""
    started = time.perf_counter()
    suspects = document.get("suspects", [])
    pairs = Counter((str(s.get("given", "")), str(s.get("suggested", ""))) for s in suspects if s.get("suggested"))
    entries = [{"given": g, "suggested": t, "count": n} for (g, t), n in pairs.items()]
    return (
        environment()
        .get_template("suspects.html.j2")
        .render(
            title="labellint suspects",
            labels=labels,
            version=version,
            doc=document,
            suspects=suspects[:SUSPECTS_SHOWN],
            limited=len(suspects) > SUSPECTS_SHOWN,
            limit=SUSPECTS_SHOWN,
            matrix=count_matrix(entries, "given", "suggested"),
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )


# The agreement figures of an `agree` document, in the order a reader looks for them.
AGREEMENT_FIGURES = [
    ("percent_agreement", "Percent agreement"),
    ("cohen_kappa", "Cohen's kappa"),
    ("fleiss_kappa", "Fleiss' kappa"),
    ("krippendorff_alpha", "Krippendorff's alpha"),
    ("weighted_kappa", "Weighted kappa"),
]


def agreement_figures(document: dict) -> list[tuple[str, float | None, str]]:
    """(name, value, why it is undefined or how it is defined) for each figure the document has."""
    out = []
    for key, name in AGREEMENT_FIGURES:
        figure = document.get(key)
        if not isinstance(figure, dict):
            continue
        out.append((name, figure.get("value"), figure.get("reason") or figure.get("definition") or ""))
        pairwise = figure.get("mean_pairwise")
        if isinstance(pairwise, dict):
            out.append((f"{name}, mean over pairs", pairwise.get("value"), pairwise.get("definition") or ""))
    return out


def render_agree_html(document: dict, inputs: str, version: str = "") -> str:
    """`agree` on classification ratings: the figures, per class, and which labels are confused."""
    started = time.perf_counter()
    pairs = document.get("confusion_pairs", [])
    return (
        environment()
        .get_template("agree.html.j2")
        .render(
            title="labellint agree",
            inputs=inputs,
            version=version,
            doc=document,
            figures=agreement_figures(document),
            matrix=count_matrix(pairs, "a", "b"),
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )
