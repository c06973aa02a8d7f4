"""`labellint stats`: the few numbers that say whether the labels are getting better."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import Choices, write_output
from labellint.support import stderr
from labellint.support.wording import plural


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--spec", "spec_file", metavar="FILE", help="Label spec (for the unsure path) [default: found].")
@click.option("--reader", metavar="NAME", help="Force the reader for the label files.")
@click.option("--since", metavar="REV", help="Rework over the commits since REV [default: the whole history].")
@click.option("--max-commits", default=100, show_default=True, type=click.IntRange(min=1), help="History depth.")
@click.option("--history/--no-history", default=True, show_default=True, help="Rework rate from git history.")
@click.option("--iou", default=0.5, show_default=True, type=click.FloatRange(0, 1), help="IoU to match boxes.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(min=0), help="How many pairs to list.")
@click.option(
    "--format", "--output-format", "output_format", type=Choices(["text", "json"]), default="text", show_default=True
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def stats(paths, spec_file, reader, since, max_commits, history, iou, top, output_format, output) -> None:
    """Class counts, unsure rate, annotations per item, agreement, rework rate and confusions of PATHS."""
    from labellint.commands.stats import StatsRequest, run_stats
    from labellint.settings.resolve import resolve_settings

    settings = resolve_settings(None, spec_file, Path(paths[0]) if paths else Path.cwd())
    request = StatsRequest(list(paths), settings, reader, since, max_commits, history, iou, top)
    report = run_stats(request).to_json()
    stderr.notes(report.get("notes", []))
    text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def render_text(report: dict) -> str:
    per_item = report["annotations_per_item"]
    scanned = f"{plural(report['annotations'], 'annotation')} on {plural(report['items'], 'item')}"
    lines = [f"{scanned} in {plural(report['files'], 'file')}", ""]
    lines.append("  class                      annotations   items   share")
    for name, row in report["classes"].items():
        lines.append(f"  {name[:26]:<26}  {row['annotations']:>11}  {row['items']:>6}  {row['share']:>6.3f}")
    if report["unused_classes"]:
        lines.append(f"  unused spec classes: {', '.join(report['unused_classes'])}")
    unsure = report["unsure"]
    if unsure["rate"] is None:
        lines += ["", f"  unsure rate: n/a ({unsure['reason']})"]
    else:
        lines += ["", f"  unsure rate: {unsure['rate']:.3f} ({unsure['annotations']} annotations, {unsure['path']})"]
    if report.get("edge_cases"):
        lines.append("  edge case examples: " + ", ".join(f"{k} {n}" for k, n in report["edge_cases"].items()))
    if per_item["mean"] is not None:
        lines.append(
            f"  annotations per item: mean {per_item['mean']:.2f}, median {per_item['median']:g}, "
            f"max {per_item['max']}, {per_item['items_without_annotations']} items without any"
        )
    if report["annotators"]:
        lines.append(f"  annotators: {len(report['annotators'])}")
    agreement = report["agreement"]
    if agreement:
        if agreement["kind"] == "classification":
            alpha = agreement["krippendorff_alpha"]["value"]
            shown = "n/a" if alpha is None else f"{alpha:.3f}"
            lines.append(f"  agreement: Krippendorff's alpha (nominal) {shown}")
        else:
            for mode, figures in agreement["pooled"].items():
                f1 = "n/a" if figures["f1"] is None else f"{figures['f1']:.3f}"
                lines.append(f"  agreement ({agreement['kind']}, {mode}): F1 {f1}")
    rework = report["rework"]
    if rework is not None:
        if rework["rate"] is None:
            lines.append(f"  rework rate: n/a ({rework['reason']})")
        else:
            lines.append(
                f"  rework rate: {rework['rate']:.3f} ({rework['reworked']} of {rework['lineages']} annotations "
                f"changed after their first commit, over {len(rework['commits'])} commits)"
            )
    if report["confusion_pairs"]:
        lines += ["", "  top confusion pairs:"]
        for pair in report["confusion_pairs"]:
            lines.append(f"    {pair['a']} / {pair['b']}: {pair['count']} ({pair['source']})")
    return "\n".join(lines) + "\n"
