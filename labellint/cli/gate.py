"""`labellint gate`: the spec's quality gates, exit 1 when one fails (2 on a configuration error)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import Choices, write_output
from labellint.support import stderr


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--reader", metavar="NAME", help="Force the reader for the label files (unsure, coverage, rework).")
@click.option(
    "--since",
    metavar="REV",
    help="Golden accuracy of the ratings changed since REV; rework over the commits since REV.",
)
@click.option("--ratings", metavar="FILE", help="Agreement table or multi-annotator export [config: quality.ratings].")
@click.option("--gold", metavar="FILE", help="Golden set: item and label columns [config: quality.gold].")
@click.option(
    "--predictions",
    metavar="FILE",
    help="Predicted probabilities, as `suspects` reads them [config: quality.predictions].",
)
@click.option("--item-col", metavar="NAME", help="Column of the item id in the ratings [config: quality.item_col].")
@click.option("--annotator-col", metavar="NAME", help="Column of the annotator id [config: quality.annotator_col].")
@click.option("--label-col", metavar="NAME", help="Column of the label in the ratings [config: quality.label_col].")
@click.option("--columns", "column_names", metavar="NAMES", help="Ratings column names in order (worker,item,label).")
@click.option("--header/--no-header", default=None, help="Whether the ratings start with a header row [default: yes].")
@click.option("--spec", "spec_file", metavar="FILE", help="The label spec [default: labelspec.yaml found upward].")
@click.option("--config", "config_file", metavar="FILE", help="labellint.toml or pyproject.toml to use.")
@click.option(
    "--format",
    "--output-format",
    "output_format",
    type=Choices(["text", "json", "markdown", "sarif"]),
    default="text",
    show_default=True,
)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def gate(
    paths,
    reader,
    since,
    ratings,
    gold,
    predictions,
    item_col,
    annotator_col,
    label_col,
    column_names,
    header,
    spec_file,
    config_file,
    output_format,
    output,
) -> None:
    """Evaluate the `quality:` gates of the spec (the labels' definition of done) on PATHS.

    The unsure, coverage, noise and rework gates read the label files in PATHS (default: the
    config's datasets) as `stats` and `suspects` do; agreement and golden read --ratings and
    --gold, noise reads --predictions.

    Exits 0 when every error-severity gate passes, 1 when one fails or has not enough data,
    2 on a configuration error.
    """
    from labellint.commands.gate import GateRequest, gate_report, run_gate
    from labellint.commands.labels import LabelSelection
    from labellint.settings.resolve import resolve_settings

    settings = resolve_settings(config_file, spec_file, Path(paths[0]) if paths and not config_file else Path.cwd())
    config = settings.config
    given = {
        "item_col": item_col,
        "annotator_col": annotator_col,
        "label_col": label_col,
        "columns": [name.strip() for name in column_names.split(",")] if column_names else None,
        "header": header,
    }
    sources = config.quality.model_copy(update={k: v for k, v in given.items() if v is not None})
    labels = LabelSelection(list(paths), reader)
    request = GateRequest(
        settings.spec, sources, config.root, ratings, gold, labels, config, since, predictions, settings.spec_display
    )
    result = run_gate(request)
    for problem in result.problems:
        stderr.warning(problem)
    document = result.to_json()
    if output_format == "json":
        text = json.dumps(document, indent=2) + "\n"
    elif output_format == "markdown":
        text = render_markdown(document)
    elif output_format == "sarif":
        text = render_sarif(gate_report(result, settings.spec, settings.spec_display))
    else:
        text = render_text(document)
    write_output(text, output)
    raise SystemExit(0 if result.ok else 1)


def render_sarif(report) -> str:
    """Each gate short of passing as a SARIF result at its key in the spec (GitHub code scanning)."""
    from labellint import __version__
    from labellint.reporters import RenderOptions, get_reporter

    return get_reporter("sarif").render(report, RenderOptions(version=__version__))


def _figure(value) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _status(entry: dict) -> str:
    if entry["ok"]:
        return "PASS"
    return "WARN" if entry.get("severity") == "warning" else entry["status"].replace("_", " ").upper()


def render_text(document: dict) -> str:
    lines = [f"quality gates: {'passed' if document['ok'] else 'FAILED'}"]
    for entry in document["gates"]:
        threshold = "" if entry["threshold"] is None else f" (threshold {entry['threshold']:g})"
        reason = f": {entry['reason']}" if entry["reason"] else ""
        lines.append(
            f"  {_status(entry):<16} {entry['name']:<10} {entry['metric']} = {_figure(entry['value'])}"
            f"{threshold}, n={entry['n']}{reason}"
        )
        for detail in entry.get("details", []):
            if detail["ok"]:
                continue
            where = detail.get("location")
            if where and where["line"]:  # `PATH:LINE:COL:` first, so an editor opens the spec there
                lines.append(f"    {where['path']}:{where['line']}:{where['column']}: {detail['reason']}")
            else:
                lines.append(
                    f"      {_status(detail):<12} {detail['name']} = {_figure(detail['value'])} (n={detail['n']})"
                )
        for advice in entry.get("advice", []):
            lines.append(f"      advice: {advice['advice']}; items: {', '.join(advice['items'][:5])}")
    return "\n".join(lines) + "\n"


def render_markdown(document: dict) -> str:
    """The gate summary for a CI step summary ($GITHUB_STEP_SUMMARY)."""
    lines = [
        f"### labellint quality gates: {'passed' if document['ok'] else 'failed'}",
        "",
        "| gate | metric | value | threshold | n | result |",
        "|---|---|---|---|---|---|",
    ]
    for entry in document["gates"]:
        threshold = "" if entry["threshold"] is None else f"{entry['threshold']:g}"
        result = _status(entry) + (f": {entry['reason']}" if entry["reason"] else "")
        row = [entry["name"], entry["metric"], _figure(entry["value"]), threshold, str(entry["n"]), result]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    short = [
        f"- `{d['location']['path']}:{d['location']['line']}`: {d['reason']}"
        for entry in document["gates"]
        for d in entry.get("details", [])
        if not d["ok"] and d.get("location") and d["location"]["line"]
    ]
    if short:
        lines += ["", "**Short of the minimum** (where the spec writes them)", "", *short]
    advice = [a["advice"] for entry in document["gates"] for a in entry.get("advice", [])]
    if advice:
        lines += ["", "**Merge/split advice**", ""] + [f"- {text}" for text in advice]
    return "\n".join(lines) + "\n"
