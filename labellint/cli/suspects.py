"""`labellint suspects`: rank the labels most likely to be wrong, from predictions or embeddings."""

from __future__ import annotations

import json

import click

from labellint.cli._common import Choices, split_list, write_output
from labellint.support import stderr

# The names only: the command's module must not import numpy just to build its --help.
FILTERS = (
    "prune_by_noise_rate",
    "prune_by_class",
    "both",
    "confident_learning",
    "predicted_neq_given",
    "low_normalized_margin",
    "low_self_confidence",
)


@click.command()
@click.argument("labels", nargs=-1, type=click.Path())
@click.option(
    "--predictions",
    metavar="FILE",
    type=click.Path(),
    help="Class probabilities (.csv/.jsonl/.npy) or COCO results (.json).",
)
@click.option(
    "--embeddings", metavar="FILE", type=click.Path(), help="Embeddings (.npy, one row per item in label order)."
)
@click.option(
    "--method",
    type=click.Choice(["confident-learning", "self-confidence", "normalized-margin", "high-loss"]),
    default="confident-learning",
    show_default=True,
    help="Classification: how suspects are found and ranked.",
)
@click.option(
    "--filter-by",
    type=click.Choice(FILTERS),
    default=None,
    help="Confident learning's filter [default: prune_by_noise_rate].",
)
@click.option("--multi-label", is_flag=True, help="Treat labels as multi-label (automatic when an item has several).")
@click.option(
    "--classes",
    "class_list",
    multiple=True,
    metavar="A,B,C",
    help="Class order of .npy columns (default: sorted names).",
)
@click.option("--id-column", metavar="NAME", help="Item id column of CSV/JSONL predictions [default: item, id, ...].")
@click.option("--reader", metavar="NAME", help="Force the reader for the label files.")
@click.option(
    "--score-threshold",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Detection: a confident prediction.",
)
@click.option(
    "--match-iou",
    default=0.5,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Detection: IoU for a label to match a prediction.",
)
@click.option(
    "--location-iou",
    default=0.75,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Detection: matched below this IoU = bad location.",
)
@click.option(
    "--spurious-iou",
    default=0.1,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Detection: no prediction overlapping this much = spurious.",
)
@click.option(
    "--k",
    "neighbours",
    default=10,
    show_default=True,
    type=click.IntRange(min=1),
    help="Embeddings: nearest neighbours.",
)
@click.option(
    "--disagreement",
    default=0.7,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Embeddings: share of neighbours with one other label.",
)
@click.option(
    "--duplicate-similarity",
    default=0.999,
    show_default=True,
    type=click.FloatRange(-1, 1),
    help="Embeddings: cosine of near-duplicates.",
)
@click.option(
    "--top", default=0, show_default=True, type=click.IntRange(min=0), help="List at most N suspects (0: all)."
)
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "csv", "jsonl", "labelstudio", "cvat", "html"]),
    default="text",
    show_default=True,
    help="text/json report, a review queue (csv, jsonl, Label Studio import, CVAT for images XML), or an html page.",
)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
def suspects(labels, predictions, embeddings, method, filter_by, multi_label, class_list, id_column, reader,
             score_threshold, match_iou, location_iou, spurious_iou, neighbours, disagreement,
             duplicate_similarity, top, output_format, output) -> None:  # fmt: skip
    """Labels in LABELS (default: the config's datasets, else the label files under .) most likely
    to be wrong, for a person to review first.

    Classification: --predictions with out-of-sample class probabilities (CSV/JSONL: an item id
    column and one column per class; or .npy rows in label order). Detection: --predictions as a
    COCO results JSON against COCO labels. Without a model: --embeddings (.npy). Predictions
    are a magnifying glass, not the truth: a suspect is a label to look at, not a verdict.
    """
    from labellint.commands.suspects import SuspectsRequest, run_suspects

    request = SuspectsRequest(
        labels=list(labels),
        predictions=predictions,
        embeddings=embeddings,
        method=method,
        filter_by=filter_by,
        multi_label=multi_label,
        class_list=split_list(class_list),
        id_column=id_column,
        reader=reader,
        score_threshold=score_threshold,
        match_iou=match_iou,
        location_iou=location_iou,
        spurious_iou=spurious_iou,
        neighbours=neighbours,
        disagreement=disagreement,
        duplicate_similarity=duplicate_similarity,
        top=top,
    )
    result = run_suspects(request)
    stderr.notes(getattr(result.dataset, "notes", []))
    for warning in result.warnings:
        stderr.warning(warning)
    if output_format == "json":
        text = json.dumps(result.to_json(), indent=2) + "\n"
    elif output_format in ("csv", "jsonl"):
        text = result.queue(output_format)
    elif output_format == "labelstudio":
        text = json.dumps(result.labelstudio(), indent=2) + "\n"
    elif output_format == "cvat":
        text, notes = result.cvat()
        stderr.notes(notes)
    elif output_format == "html":
        from labellint import __version__
        from labellint.reporters.html.quality_page import render_suspects_html

        text = render_suspects_html(result.to_json(), ", ".join(labels), __version__)
    else:
        text = render_text(result.to_json())
    write_output(text, output)


def _where(s: dict) -> str:
    parts = [f"annotation {s['annotation']}"] if s.get("annotation") else []
    if s.get("path"):
        parts.append(f"{s['path']}:{s['line']}" if s.get("line") else s["path"])
    return "  " + " ".join(parts) if parts else ""


def render_text(report: dict) -> str:
    from labellint.quality.review_queue import cell  # numpy: only once there is something to render

    lines = []
    method = report["method"]
    title = f"method: {method}" + (f" (filter_by={report['filter_by']})" if report.get("filter_by") else "")
    lines.append(f"{title}; {report['items']} items; {len(report['suspects'])} suspects")
    if report["suspects"]:
        lines.append("")
        lines.append(f"{'score':>8}  {'item':<20} {'given':<16} {'suggested':<16} reason")
        for s in report["suspects"]:
            lines.append(
                f"{s['score']:>8.4f}  {cell(s['item']):<20} {cell(s['given']):<16} {cell(s['suggested']):<16} "
                f"{s['reason']}" + _where(s)
            )
    noise = report["noise"]
    lines.append("")
    if "noise_matrix" in noise:
        classes = noise["classes"]
        width = max(8, *(len(c) for c in classes)) + 1
        lines.append(f"estimated label issues: {noise['estimated_label_issues']}")
        lines.append("noise matrix P(given | true), rows given, columns true:")
        lines.append(" " * width + "".join(f"{c:>{width}}" for c in classes))
        for name, row in zip(classes, noise["noise_matrix"], strict=True):
            lines.append(f"{name:<{width}}" + "".join(f"{v:>{width}.3f}" for v in row))
        lines.append("noise rate per class (share of its labels estimated wrong):")
        for name, rate in noise["noise_rate"].items():
            lines.append(f"  {name:<{width}} {rate:.3f}")
    elif "per_class" in noise:
        lines.append("estimated noise per class (one-vs-rest): wrongly present / wrongly absent")
        for name, rates in noise["per_class"].items():
            lines.append(f"  {name:<16} {rates['wrongly_present']:.3f} / {rates['wrongly_absent']:.3f}")
    else:
        lines.append("counts: " + ", ".join(f"{k}={v}" for k, v in noise["counts"].items()))
    return "\n".join(lines) + "\n"
