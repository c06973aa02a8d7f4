"""The HTML pages of `diff` (counts, relabel matrix, class counts, edits) and `log` (the same over commits)."""

from __future__ import annotations

import time

from labellint.diff import LabelDiff
from labellint.reporters.html import asset, environment
from labellint.reporters.html.matrix import count_matrix

EDITS_SHOWN = 2000  # rows of the edits table; the counts above it cover every edit
CLASSES_OVER_TIME = 12  # columns of the class-counts-per-commit table (the largest classes now)
MOVES_DRAWN = 60  # before/after drawings of moved boxes (the least overlapping first)
MOVE_SIDE = 160  # px, the longer side of one drawing


def moved_boxes(edits: list[dict]) -> list[dict]:
    """The moved boxes to draw, least overlap with their old place first, each with the viewBox
    that frames both places (a few pixels' move is visible when zoomed to the box)."""
    moved = [e for e in edits if "moved" in e.get("change", ()) and e.get("box_base") and e.get("box_head")]
    moved.sort(key=lambda e: (e.get("iou") if e.get("iou") is not None else 1.0, str(e.get("item"))))
    drawn = []
    for e in moved[:MOVES_DRAWN]:
        (bx, by, bw, bh), (hx, hy, hw, hh) = e["box_base"], e["box_head"]
        x0, y0 = min(bx, hx), min(by, hy)
        x1, y1 = max(bx + bw, hx + hw), max(by + bh, hy + hh)
        margin = 0.1 * max(x1 - x0, y1 - y0, 1.0)
        view = (x0 - margin, y0 - margin, max(x1 - x0, 1.0) + 2 * margin, max(y1 - y0, 1.0) + 2 * margin)
        scale = MOVE_SIDE / max(view[2], view[3])
        drawn.append({"edit": e, "view": view, "size": (round(view[2] * scale), round(view[3] * scale))})
    return drawn


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
            moves=moved_boxes(diff.edits),
            moves_drawn=MOVES_DRAWN,
            edits_limited=len(diff.edits) > EDITS_SHOWN,
            limit=EDITS_SHOWN,
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )


def _rework(diff: LabelDiff) -> int:
    """Annotations relabelled, moved or removed by one change (what the rework rate counts)."""
    return sum(diff.annotations.get(k, 0) for k in ("relabeled", "moved", "removed"))


def render_log_html(entries: list, version: str = "") -> str:
    """`log`: per commit (oldest first) the rework and class counts, and all relabels of the range."""
    from labellint.reporters.html.charts import categories

    started = time.perf_counter()
    commits = []
    for entry in reversed(entries):
        c, diff = entry.commit, entry.result.diff
        rework = _rework(diff)
        rate = rework / diff.base_annotations if diff.base_annotations else None
        subject = (c.message.splitlines() or [""])[0]
        commits.append({"sha": c.sha, "date": c.date, "subject": subject, "diff": diff, "rework": rework, "rate": rate})
    latest = commits[-1]["diff"].classes if commits else {}
    shown = sorted(latest, key=lambda name: (-latest[name].get("head", 0), name))[:CLASSES_OVER_TIME]
    transitions: dict[tuple[str, str], int] = {}
    for item in commits:
        for t in item["diff"].transitions:
            transitions[(t["from"], t["to"])] = transitions.get((t["from"], t["to"]), 0) + t["count"]
    entries_all = [{"from": f, "to": t, "count": n} for (f, t), n in transitions.items()]
    names = [f"{item['sha'][:7]} {item['date'][:10]}" for item in commits]
    chart = categories(
        "rework", "Annotations reworked per commit", names, [item["rework"] for item in commits], ["bar"] * len(names)
    )
    return (
        environment()
        .get_template("log.html.j2")
        .render(
            title="labellint log",
            version=version,
            commits=commits,
            classes=shown,
            chart=chart,
            matrix=count_matrix(entries_all, "from", "to"),
            css=asset("report.css"),
            seconds=time.perf_counter() - started,
        )
    )
