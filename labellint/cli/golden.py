"""`labellint golden`: annotator accuracy against a golden set, now and over git history."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import write_output


@click.command()
@click.argument("labels", type=click.Path())
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
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
    their annotator. Intervals are Wilson score intervals.
    """
    from labellint.cli._labels import load_ratings, source_for
    from labellint.errors import UsageError
    from labellint.quality.golden import golden_accuracy
    from labellint.quality.tables import TableColumns, load_label_pairs

    gold, gold_problems = load_label_pairs(gold_path, item_col=gold_item_col, label_col=gold_label_col)
    if not gold:
        raise UsageError(f"{gold_path}: the golden set is empty")
    for problem in gold_problems[:20]:
        click.echo(f"labellint: {problem}", err=True)
    options = {
        "columns": TableColumns(item=item_col, annotator=annotator_col, label=label_col),
        "names": [name.strip() for name in column_names.split(",")] if column_names else None,
        "header": header,
        "reader": reader,
    }
    ratings, problems = load_ratings(labels, source_for(None, Path(labels)), **options)
    for problem in problems[:20]:
        click.echo(f"labellint: {problem}", err=True)
    result = golden_accuracy(ratings, gold)
    report = golden_report(result)
    if since:
        report["history"] = _history(labels, since, gold, options)
    text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def golden_report(result) -> dict:
    """The `golden --format json` document: annotators, overall, and what the gold covered."""
    annotators = {}
    for annotator, accuracy in sorted(result.annotators.items(), key=lambda kv: str(kv[0])):
        entry = accuracy.as_dict()
        entry["per_class"] = {str(k): v.as_dict() for k, v in result.per_class[annotator].items()}
        annotators[str(annotator)] = entry
    overall = result.overall.as_dict()
    overall["per_class"] = {str(k): v.as_dict() for k, v in result.overall_per_class.items()}
    overall["mean_annotator_accuracy"] = result.mean_annotator_accuracy
    return {
        "annotators": annotators,
        "overall": overall,
        "gold_items": result.gold_items,
        "gold_items_rated": result.gold_items_rated,
        "confusions": [{"gold": g, "given": given, "count": n} for g, given, n in result.confusions[:20]],
    }


def _history(labels: str, since: str, gold: dict, options: dict) -> list[dict]:
    """Overall and per-annotator accuracy at `since` and at every later commit touching LABELS."""
    from labellint import git
    from labellint.cli._labels import load_ratings
    from labellint.errors import UsageError
    from labellint.quality.golden import golden_accuracy
    from labellint.sources import GitRevision

    anchor = Path(labels).resolve()
    repo = git.open_repo(anchor.parent if anchor.suffix else anchor)
    relative = anchor.relative_to(git.repo_root(repo)).as_posix()
    base = git.resolve(repo, since)
    later = git.commits(repo, f"{base}..HEAD", paths=[relative])
    base_info = git.commits(repo, base, max_count=1)
    points = []
    for commit in [*base_info, *reversed(later)]:
        source = GitRevision(anchor.parent, commit.sha)
        entry = {"commit": commit.sha, "date": commit.date, "message": commit.message.splitlines()[0]}
        if not source.is_file(anchor) and not source.is_dir(anchor):
            entry.update(overall=None, annotators={}, reason=f"{labels} does not exist at this commit")
        else:
            try:
                ratings, _ = load_ratings(labels, source, **options)
            except UsageError as exc:
                entry.update(overall=None, annotators={}, reason=str(exc))
            else:
                result = golden_accuracy(ratings, gold)
                entry["overall"] = result.overall.as_dict()
                entry["annotators"] = {str(a): acc.accuracy for a, acc in result.annotators.items()}
        points.append(entry)
    return points


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
