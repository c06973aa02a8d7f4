"""`labellint golden`: annotator accuracy against a golden set, now and over git history."""

from __future__ import annotations

import json

import click

from labellint.cli._common import Choices, write_output
from labellint.support import stderr


@click.command()
@click.argument("labels", required=False, type=click.Path())
@click.option("--gold", "gold_path", required=True, type=click.Path(), help="Golden set: item and label columns.")
@click.option("--since", "since", metavar="REV", help="Also give one figure per commit of LABELS since REV.")
@click.option("--item-col", metavar="NAME", help="Column of the item id in LABELS [default: item].")
@click.option("--annotator-col", metavar="NAME", help="Column of the annotator id [default: annotator/worker/rater].")
@click.option("--label-col", metavar="NAME", help="Column of the label in LABELS [default: label].")
@click.option("--columns", "column_names", metavar="NAMES", help="LABELS column names in order (worker,item,label).")
@click.option("--header/--no-header", default=True, show_default=True, help="Whether LABELS starts with a header row.")
@click.option("--gold-item-col", metavar="NAME", help="Column of the item id in GOLD [default: item, else column 1].")
@click.option("--gold-label-col", metavar="NAME", help="Column of the label in GOLD [default: label, else column 2].")
@click.option("--reader", metavar="NAME", help="Reader for LABELS when it is a label file, not a table.")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="html: a self-contained page with each annotator's interval and the confusion heatmap.",
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def golden(
    labels,
    gold_path,
    since,
    item_col,
    annotator_col,
    label_col,
    column_names,
    header,
    gold_item_col,
    gold_label_col,
    reader,
    output_format,
    output,
) -> None:
    """Accuracy of each annotator in LABELS against the golden set GOLD, per class, with 95% intervals.

    LABELS is a long table (item, annotator, label) or label files whose annotations name
    their annotator (default: the config's datasets, else the label files under ., read as
    `check` reads them). Intervals are Wilson score intervals.
    """
    from labellint.commands.golden import GoldenRequest, run_golden
    from labellint.quality.tables import TableColumns

    request = GoldenRequest(
        labels=labels,
        gold=gold_path,
        since=since,
        columns=TableColumns(item=item_col, annotator=annotator_col, label=label_col),
        names=[name.strip() for name in column_names.split(",")] if column_names else None,
        header=header,
        gold_item_col=gold_item_col,
        gold_label_col=gold_label_col,
        reader=reader,
    )
    result = run_golden(request)
    for problem in result.problems:
        stderr.warning(problem)
    report = result.to_json()
    if output_format == "html":
        from labellint import __version__
        from labellint.reporters.html.quality_page import render_golden_html

        text = render_golden_html(report, labels or ".", gold_path, __version__)
    else:
        text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def render_text(report: dict) -> str:
    overall = report["overall"]
    lines = [
        f"golden set: {report['gold_items']} items, {report['gold_items_rated']} of them rated",
        f"overall accuracy: {_pct(overall)} ({overall['correct']}/{overall['items']} ratings on gold)"
        + (
            f"; mean over annotators {overall['mean_annotator_accuracy']:.3f}"
            if overall["mean_annotator_accuracy"] is not None
            else ""
        ),
        "",
        "  annotator                  items  accuracy  95% interval",
    ]
    ranked = sorted(report["annotators"].items(), key=lambda kv: (kv[1]["accuracy"], -kv[1]["items"]))
    for annotator, entry in ranked:
        low, high = entry["wilson_95"]
        lines.append(f"  {annotator[:24]:<24}  {entry['items']:>7}  {entry['accuracy']:>8.3f}  [{low:.3f}, {high:.3f}]")
    lines += ["", "  per gold class (all annotators):"]
    for name, entry in overall["per_class"].items():
        lines.append(f"    {name}: {_pct(entry)} of {entry['items']}")
    if report["confusions"]:
        lines += ["", "  most frequent mistakes (gold -> given):"]
        lines += [f"    {c['gold']} -> {c['given']}: {c['count']}" for c in report["confusions"][:10]]
    if "history" in report:
        lines += ["", "  history:"]
        for point in report["history"]:
            figure = "n/a" if point["overall"] is None else _pct(point["overall"])
            lines.append(f"    {point['commit'][:10]}  {figure}  {point['message'][:60]}")
    return "\n".join(lines) + "\n"


def _pct(entry: dict) -> str:
    if entry["accuracy"] is None:
        return "n/a"
    low, high = entry["wilson_95"]
    return f"{entry['accuracy']:.3f} [{low:.3f}, {high:.3f}]"
