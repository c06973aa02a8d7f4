"""The HTML page of `diff`: counts, the relabel transition matrix as a heatmap, class counts, edits."""

from __future__ import annotations

import time

from labellint.diff import LabelDiff
from labellint.reporters.html import asset, environment
from labellint.reporters.html.matrix import count_matrix

EDITS_SHOWN = 2000  # rows of the edits table; the counts above it cover every edit


def render_diff_html(diff: LabelDiff, base: str, head: str, version: str = "") -> str:
    """The whole page as one string; it needs no script and loads nothing from a network host."""
    started = time.perf_counter()
    classes = [
        (name, counts.get("base", 0), counts.get("head", 0), counts.get("head", 0) - counts.get("base", 0))
        for name, counts in sorted(diff.classes.items())
    ]
    return (
        environment()
        .get_template("diff.html.j2")
        .render(
            title="labellint diff",
            base=base,
            head=head,
            version=version,
            diff=diff,
            transitions=sorted(diff.transitions, key=lambda t: (-t["count"], t["from"], t["to"])),
            matrix=count_matrix(diff.transitions, "from", "to"),
            classes=classes,
            edits=diff.edits[:EDITS_SHOWN],
            edits_limited=len(diff.edits) > EDITS_SHOWN,
            limit=EDITS_SHOWN,
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )
