"""Label-quality commands: `labellint agree` (inter-annotator agreement on a long table)."""

from __future__ import annotations

import json

import click

from labellint.cli._common import split_list, write_output

MAX_ROW_PROBLEMS_SHOWN = 20
PERCENT_AGREEMENT_DEFINITION = (
    "item_mean: Fleiss' P-bar, the mean over items with at least two ratings of the share of "
    "agreeing rater pairs (equals observed agreement for two raters); pairable_weighted: "
    "Krippendorff's 1 - D_o, items weighted by their number of ratings"
)


@click.command()
@click.argument("table", type=click.Path())
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
def agree(
    table,
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
) -> None:
    """Inter-annotator agreement of a long TABLE (CSV, TSV or JSONL: item, annotator, label)."""
    from labellint.quality.tables import TableColumns, load_ratings_table

    names = [name.strip() for name in column_names.split(",")] if column_names else None
    declared = split_list(categories) or None
    ratings, problems = load_ratings_table(
        table,
        TableColumns(item=item_col, annotator=annotator_col, label=label_col),
        names=names,
        header=header,
        categories=declared,
    )
    for problem in problems[:MAX_ROW_PROBLEMS_SHOWN]:
        click.echo(f"labellint: {problem}", err=True)
    if len(problems) > MAX_ROW_PROBLEMS_SHOWN:
        click.echo(f"labellint: ... and {len(problems) - MAX_ROW_PROBLEMS_SHOWN} more bad rows", err=True)
    if ratings.n_duplicates_dropped:
        click.echo(
            f"labellint: {ratings.n_duplicates_dropped} repeated ratings of the same item by the same annotator "
            "dropped (the last one is kept)",
            err=True,
        )
    report = agreement_report(ratings, problems, level=level, weights=weights, top=top)
    text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def agreement_report(ratings, problems, *, level: str, weights: str | None, top: int) -> dict:
    """The `agree --format json` document (DESIGN.md section 6)."""
    from labellint.errors import UsageError
    from labellint.quality import agreement as ag

    try:
        alpha = _result(ag.krippendorff_alpha(ratings, level))
    except ValueError as exc:
        raise UsageError(f"--level {level}: {exc}") from None
    alpha["level"] = level

    item_mean = _result(ag.percent_agreement_item_mean(ratings))
    percent = {
        "value": item_mean["value"],
        "definition": "item_mean",
        "reason": item_mean["reason"],
        "item_mean": item_mean,
        "pairable_weighted": _result(ag.percent_agreement_pairable(ratings)),
        "definitions": PERCENT_AGREEMENT_DEFINITION,
    }

    if ratings.n_annotators == 2:
        cohen = _result(ag.cohen_kappa(ratings))
    else:
        cohen = _undefined(f"Cohen's kappa needs exactly two annotators, found {ratings.n_annotators}")
        if ratings.n_annotators > 2:
            pairwise = _result(ag.mean_pairwise_cohen_kappa(ratings))
            pairwise["definition"] = "Light's kappa: mean of Cohen's kappa over annotator pairs where it is defined"
            cohen["mean_pairwise"] = pairwise

    counts = ratings.category_counts().sum(axis=0)
    specific = ag.specific_agreement(ratings)
    per_category_fleiss = ag.fleiss_kappa_per_category(ratings)
    per_class = {
        _key(category): {
            "ratings": int(count),
            "share": float(count / ratings.n_ratings),
            "specific_agreement": _result(specific[category]),
            "fleiss_kappa": _result(per_category_fleiss[category]),
        }
        for category, count in zip(ratings.categories, counts, strict=True)
    }

    disagreeing = ag.disagreeing_items(ratings)
    report = {
        "items": ratings.n_items,
        "annotators": ratings.n_annotators,
        "percent_agreement": percent,
        "cohen_kappa": cohen,
        "fleiss_kappa": _result(ag.fleiss_kappa(ratings)),
        "krippendorff_alpha": alpha,
        "per_class": per_class,
        "confusion_pairs": [
            {"a": _key(a), "b": _key(b), "count": count} for a, b, count in ag.top_confusions(ratings, top)
        ],
    }
    if ratings.categories_declared or weights is not None:
        report["weighted_kappa"] = _weighted(ratings, weights or "linear")
    report["disagreeing_items"] = {
        "count": len(disagreeing),
        "items": [_key(item) for item in disagreeing[:top].tolist()],
    }
    report["ratings"] = ratings.n_ratings
    report["dropped"] = {
        "duplicates": ratings.n_duplicates_dropped,
        "repeated_pairs": ratings.n_repeated_pairs,
        "missing_labels": ratings.n_missing_dropped,
        "bad_rows": len(problems),
    }
    return report


def _weighted(ratings, weights: str) -> dict:
    from labellint.quality import agreement as ag

    if ratings.n_annotators != 2:
        result = _undefined(f"weighted kappa needs exactly two annotators, found {ratings.n_annotators}")
    else:
        try:
            result = _result(ag.weighted_kappa(ratings, weights))
        except ValueError as exc:
            result = _undefined(str(exc))
    result["weights"] = weights
    result["categories"] = [_key(category) for category in ratings.categories]
    return result


def _result(result) -> dict:
    """An AgreementResult as JSON: value, reason (null when defined) and its components."""
    components = {name: _number(value) for name, value in result.components.items()}
    return {"value": result.value, "reason": result.reason, "components": components}


def _undefined(reason: str) -> dict:
    return {"value": None, "reason": reason, "components": {}}


def _number(value) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def _key(value) -> str:
    return str(value.item() if hasattr(value, "item") else value)


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
    disagreeing = report["disagreeing_items"]
    shown = ", ".join(disagreeing["items"])
    more = ", ..." if disagreeing["count"] > len(disagreeing["items"]) else ""
    lines += ["", f"  {disagreeing['count']} items with disagreement" + (f": {shown}{more}" if shown else "")]
    return "\n".join(lines) + "\n"


def _show(figure: dict) -> str:
    if figure["value"] is None:
        return f"n/a ({figure['reason']})"
    return f"{figure['value']:.4f}"


def _short(figure: dict) -> str:
    return "n/a" if figure["value"] is None else f"{figure['value']:.3f}"
