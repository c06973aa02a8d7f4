"""`labellint agree`: inter-annotator agreement of tables, label files and Label Studio exports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import Choices, split_list, write_output
from labellint.support import stderr

MAX_ROW_PROBLEMS_SHOWN = 20


@click.command()
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option(
    "--per-annotator",
    is_flag=True,
    help="INPUTS are label files (or item,label tables), one per annotator, named after the file.",
)
@click.option("--iou", default=0.5, show_default=True, type=click.FloatRange(0, 1), help="IoU to match two boxes.")
@click.option("--reader", metavar="NAME", help="Force the reader for label files.")
@click.option("--item-col", metavar="NAME", help="Column (or JSONL key) of the item id [default: item].")
@click.option(
    "--annotator-col", metavar="NAME", help="Column of the annotator id [default: annotator, worker or rater]."
)
@click.option("--label-col", metavar="NAME", help="Column of the label [default: label].")
@click.option("--columns", "column_names", metavar="NAMES", help="Column names in file order, e.g. worker,item,label.")
@click.option("--header/--no-header", default=True, show_default=True, help="Whether the first row names the columns.")
@click.option(
    "--level",
    type=click.Choice(["nominal", "ordinal", "interval", "ratio"]),
    default="nominal",
    show_default=True,
    help="Measurement level for Krippendorff's alpha.",
)
@click.option("--categories", multiple=True, metavar="A,B,C", help="Declared categories, in order.")
@click.option(
    "--weights",
    type=click.Choice(["linear", "quadratic"]),
    default=None,
    help="Weighted kappa weights (two annotators, ordered categories) [default: linear].",
)
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many pairs/items to list.")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "html"]),
    default="text",
    show_default=True,
    help="html (classification ratings): a page with the figures, per class, and the confused-labels heatmap.",
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--consensus", is_flag=True, help="Add a Dawid-Skene consensus (classification labels).")
@click.option(
    "--consensus-output", metavar="FILE", help="Write the consensus per item (CSV: item, label, probability, majority)."
)
@click.option(
    "--merge-above",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Advise merging two classes when more than this share of their rater pairs mix them.",
)
@click.option(
    "--spec", "spec_file", metavar="FILE", help="Name this spec's priority rules and edge cases in the advice."
)
def agree(
    inputs,
    per_annotator,
    iou,
    reader,
    item_col,
    annotator_col,
    label_col,
    column_names,
    header,
    level,
    categories,
    weights,
    top,
    output_format,
    output,
    consensus,
    consensus_output,
    merge_above,
    spec_file,
) -> None:
    """Inter-annotator agreement of INPUTS.

    One long table (CSV, TSV or JSONL: item, annotator, label); a label file whose annotations
    name their annotator (a Label Studio export with several annotators per task); a Prodigy
    export (item `_input_hash`, binary answers by `_task_hash`; annotator `_annotator_id` or
    `_session_id`; label the answer and its choices or spans); or, with
    --per-annotator, one label file per annotator. Classification labels get kappas and
    alpha; boxes are matched one-to-one per item at IoU >= --iou (F1, mean IoU, label
    confusion); text spans get exact and overlap F1. No INPUTS: the config's datasets (with
    --per-annotator, one annotator per dataset), else the label files under ., read as `check` reads them.
    """
    from labellint.commands.agree import AgreeRequest, run_agree
    from labellint.quality.tables import TableColumns

    request = AgreeRequest(
        inputs=list(inputs),
        per_annotator=per_annotator,
        iou=iou,
        reader=reader,
        columns=TableColumns(item=item_col, annotator=annotator_col, label=label_col),
        names=[name.strip() for name in column_names.split(",")] if column_names else None,
        header=header,
        level=level,
        categories=split_list(categories) or None,
        weights=weights,
        top=top,
        consensus=consensus,
        consensus_table=bool(consensus_output),
        merge_above=merge_above,
        spec=_spec(spec_file),
    )
    result = run_agree(request)
    _warn_dropped(result)
    if result.consensus_table is not None:
        write_output(result.consensus_table, consensus_output)
    write_output(_rendered(result, output_format, inputs), output)


def _rendered(result, output_format: str, inputs) -> str:
    """The agreement document in the asked-for format."""
    if output_format == "json":
        return json.dumps(result.to_json(), indent=2) + "\n"
    if output_format == "html":
        return _html(result, inputs)
    return render_any(result.document) if result.from_label_files else render_text(result.document)


def _spec(spec_file: str | None):
    """The spec --spec names (its rules on a confused pair are named in the merge advice), or None."""
    from labellint.spec.loader import load_spec

    return load_spec(Path(spec_file), spec_file) if spec_file else None


def _warn_dropped(result) -> None:
    """On stderr: the files left out, the bad rows (the first few) and the repeated ratings dropped."""
    stderr.notes(result.notes)
    for problem in result.bad_rows[:MAX_ROW_PROBLEMS_SHOWN]:
        stderr.warning(problem)
    if len(result.bad_rows) > MAX_ROW_PROBLEMS_SHOWN:
        stderr.warning(f"... and {len(result.bad_rows) - MAX_ROW_PROBLEMS_SHOWN} more bad rows")
    if result.duplicates_dropped:
        stderr.warning(
            f"{result.duplicates_dropped} repeated ratings of the same item by the same annotator "
            "dropped (the last one is kept)"
        )


def _html(result, inputs) -> str:
    from labellint import __version__
    from labellint.errors import UsageError
    from labellint.reporters.html.quality_page import render_agree_html

    if result.from_label_files:
        raise UsageError("--format html is for classification ratings; use --format json for boxes and spans")
    return render_agree_html(result.document, ", ".join(inputs) or ".", __version__)


# --------------------------------------------------------------------------- text output


def render_text(report: dict) -> str:
    dropped = report["dropped"]
    heading = f"{report['ratings']} ratings of {report['items']} items by {report['annotators']} annotators"
    if dropped["duplicates"] or dropped["bad_rows"]:
        heading += f" ({dropped['duplicates']} duplicates, {dropped['bad_rows']} bad rows dropped)"
    lines = [heading, ""]
    percent = report["percent_agreement"]
    cohen = report["cohen_kappa"]
    figures = [
        ("percent agreement (item mean)", percent["item_mean"]),
        ("percent agreement (pairable)", percent["pairable_weighted"]),
        ("Cohen's kappa", cohen),
    ]
    if "mean_pairwise" in cohen:
        figures.append(("mean pairwise Cohen's kappa", cohen["mean_pairwise"]))
    figures.append(("Fleiss' kappa", report["fleiss_kappa"]))
    alpha = report["krippendorff_alpha"]
    figures.append((f"Krippendorff's alpha ({alpha['level']})", alpha))
    if "weighted_kappa" in report:
        weighted = report["weighted_kappa"]
        figures.append((f"weighted kappa ({weighted['weights']})", weighted))
    width = max(len(name) for name, _ in figures)
    for name, figure in figures:
        lines.append(f"  {name:<{width}}  {_show(figure)}")

    lines += ["", "  class                 ratings   share  specific  Fleiss k"]
    for category, row in report["per_class"].items():
        lines.append(
            f"  {category[:20]:<20}  {row['ratings']:>8}  {row['share']:>6.3f}  "
            f"{_short(row['specific_agreement']):>8}  {_short(row['fleiss_kappa']):>8}"
        )
    if report["confusion_pairs"]:
        lines += ["", "  most confused pairs (disagreeing rater pairs):"]
        for pair in report["confusion_pairs"]:
            lines.append(f"    {pair['a']} / {pair['b']}: {pair['count']}")
    lines += _advice_lines(report)
    disagreeing = report["disagreeing_items"]
    shown = ", ".join(disagreeing["items"])
    more = ", ..." if disagreeing["count"] > len(disagreeing["items"]) else ""
    lines += ["", f"  {disagreeing['count']} items with disagreement" + (f": {shown}{more}" if shown else "")]
    if "consensus" in report:
        consensus = report["consensus"]
        lines += [
            "",
            f"  Dawid-Skene consensus: {consensus['iterations']} iterations, overrules the majority vote on "
            f"{consensus['overrules_majority']} items; least accurate annotators (estimated):",
        ]
        lines += [
            f"    {entry['annotator']}: {entry['estimated_accuracy']:.3f}"
            for entry in consensus["least_accurate_annotators"][:5]
        ]
    return "\n".join(lines) + "\n"


def _advice_lines(report: dict) -> list[str]:
    """The merge/split advice: class pairs the annotators keep mixing up, with items to look at."""
    advice = report.get("merge_advice") or []
    if not advice:
        return []
    lines = ["", "  merge/split advice (class pairs the annotators keep mixing up):"]
    for entry in advice:
        lines.append(f"    {entry['advice']}")
        more = ", ..." if entry["items_confused"] > len(entry["items"]) else ""
        lines.append(f"      items: {', '.join(entry['items'])}{more}")
    return lines


def render_any(report: dict) -> str:
    """Text for a label-file report: the rating table, or the matching figures of boxes/spans."""
    if "matching" not in report:
        return render_text(report)
    matching = report["matching"]
    heading = f"{report['kind']} of {report['items']} items by {report['annotators']} annotators"
    if report["kind"] == "boxes":
        heading += f", matched one-to-one at IoU >= {matching['iou_threshold']}"
    lines = [heading, ""]
    for mode, figures in matching["pooled"].items():
        lines.append(f"  {mode:<8} {_set_figures(figures)}")
    lines += ["", "  per annotator pair:"]
    for pair in matching["pairs"]:
        for mode in matching["pooled"]:
            lines.append(f"    {pair['a']} / {pair['b']} ({pair['items']} items) {mode}: {_set_figures(pair[mode])}")
    if report["per_class"]:
        lines += ["", "  class                 objects  specific"]
        for name, row in report["per_class"].items():
            lines.append(f"  {name[:20]:<20}  {row['objects']:>8}  {row['specific_agreement']:>8.3f}")
    if report["confusion_pairs"]:
        lines += ["", "  most confused labels on matched pairs:"]
        lines += [f"    {pair['a']} / {pair['b']}: {pair['count']}" for pair in report["confusion_pairs"]]
    return "\n".join(lines) + "\n"


def _set_figures(figures: dict) -> str:
    if figures["f1"] is None:
        return f"F1 n/a ({figures['reason']})"
    mean_iou = "n/a" if figures["mean_iou"] is None else f"{figures['mean_iou']:.3f}"
    labels = "n/a" if figures["label_agreement"] is None else f"{figures['label_agreement']:.3f}"
    return (
        f"F1 {figures['f1']:.3f}  mean IoU {mean_iou}  same label {labels}  "
        f"(matched {figures['matched']}, only A {figures['only_a']}, only B {figures['only_b']})"
    )


def _show(figure: dict) -> str:
    if figure["value"] is None:
        return f"n/a ({figure['reason']})"
    return f"{figure['value']:.4f}"


def _short(figure: dict) -> str:
    return "n/a" if figure["value"] is None else f"{figure['value']:.3f}"
