"""Label-quality commands: `labellint agree` (inter-annotator agreement: tables, label files, Label Studio)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import split_list, write_output

MAX_ROW_PROBLEMS_SHOWN = 20
PERCENT_AGREEMENT_DEFINITION = (
    "item_mean: Fleiss' P-bar, the mean over items with at least two ratings of the share of "
    "agreeing rater pairs (equals observed agreement for two raters); pairable_weighted: "
    "Krippendorff's 1 - D_o, items weighted by their number of ratings"
)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
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
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout.")
@click.option("--consensus", is_flag=True, help="Add a Dawid-Skene consensus (classification labels).")
@click.option(
    "--consensus-output", metavar="FILE", help="Write the consensus per item (CSV: item, label, probability, majority)."
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
) -> None:
    """Inter-annotator agreement of INPUTS.

    One long table (CSV, TSV or JSONL: item, annotator, label); a label file whose annotations
    name their annotator (a Label Studio export with several annotators per task); or, with
    --per-annotator, one label file per annotator. Classification labels get kappas and
    alpha; boxes are matched one-to-one per item at IoU >= --iou (F1, mean IoU, label
    confusion); text spans get exact and overlap F1.
    """
    from labellint.cli._labels import TABLE_SUFFIXES, is_table, source_for
    from labellint.quality.tables import TableColumns, load_ratings_table

    first = Path(inputs[0])
    looks_like_table = first.suffix.lower() in TABLE_SUFFIXES or (first.is_file() and is_table(first, _head(first)))
    if per_annotator or len(inputs) > 1 or not looks_like_table:
        from labellint.errors import UsageError

        if len(inputs) > 1 and not per_annotator:
            raise UsageError("several INPUTS are one file per annotator: pass --per-annotator")
        report = label_files_report(list(inputs), per_annotator, source_for(None, first), reader, iou, level, top)
        text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_any(report)
        write_output(text, output)
        return
    table = inputs[0]
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
    if consensus or consensus_output:
        report["consensus"] = consensus_report(ratings, top, consensus_output)
    text = json.dumps(report, indent=2) + "\n" if output_format == "json" else render_text(report)
    write_output(text, output)


def consensus_report(ratings, top: int, output: str | None) -> dict:
    """Dawid-Skene consensus: priors, least accurate annotators, items where it overrules the majority."""
    import csv
    import io

    import numpy as np

    from labellint.quality.dawid_skene import dawid_skene, majority_fractions

    result = dawid_skene(ratings.item_codes, ratings.annotator_codes, ratings.label_codes)
    # Codes in, so map back: result.items/annotators/classes are the codes that occur.
    categories = np.asarray(ratings.categories, dtype=object)[result.classes]
    fractions = majority_fractions(
        np.searchsorted(result.items, ratings.item_codes),
        np.searchsorted(result.classes, ratings.label_codes),
        len(result.items),
        len(result.classes),
    )
    majority = categories[np.argmax(fractions, axis=1)]  # ties: the first category in order
    consensus = categories[np.argmax(result.posteriors, axis=1)]
    accuracy = result.annotator_accuracy()
    order = np.argsort(accuracy, kind="stable")[:top]
    if output:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["item", "label", "probability", "majority"])
        items = ratings.items[result.items]
        for row in zip(
            items.tolist(), consensus.tolist(), result.posteriors.max(axis=1).tolist(), majority.tolist(), strict=True
        ):
            writer.writerow([_key(row[0]), _key(row[1]), f"{row[2]:.6f}", _key(row[3])])
        write_output(buffer.getvalue(), output)
    return {
        "method": "dawid_skene",
        "iterations": result.iterations,
        "converged": result.converged,
        "priors": {_key(c): float(p) for c, p in zip(categories.tolist(), result.priors.tolist(), strict=True)},
        "overrules_majority": int(np.count_nonzero(consensus != majority)),
        "least_accurate_annotators": [
            {"annotator": _key(ratings.annotators[result.annotators[w]]), "estimated_accuracy": float(accuracy[w])}
            for w in order.tolist()
        ],
    }


def label_files_report(paths: list[str], per_annotator: bool, source, reader, iou: float, level: str, top: int) -> dict:
    """Agreement from label files: classification via the rating statistics, boxes/spans by matching."""
    import numpy as np

    from labellint.cli._labels import is_table, read_labels
    from labellint.errors import UsageError
    from labellint.model import Dataset
    from labellint.quality.from_dataset import item_keys, ratings_from_dataset
    from labellint.quality.ratings import Ratings
    from labellint.quality.set_agreement import (
        has_geometry,
        pairwise_set_agreement,
        set_agreement_report,
        set_kind,
    )
    from labellint.quality.tables import load_label_pairs

    names = _annotator_names(paths) if per_annotator else []
    tables = [source.is_file(Path(p)) and is_table(Path(p), source.head(Path(p), 4096)) for p in paths]
    if per_annotator and any(tables):
        if not all(tables):
            raise UsageError("--per-annotator: give all tables (item,label) or all label files, not a mix")
        triples = [
            (item, name, label)
            for path, name in zip(paths, names, strict=True)
            for item, label in load_label_pairs(path)[0].items()
        ]
        ratings = Ratings.from_long(*zip(*triples, strict=True)) if triples else None
        if ratings is None:
            raise UsageError("no labels found in the per-annotator tables")
        return agreement_report(ratings, [], level=level, weights=None, top=top)
    parts, seen = [], {}
    for path, name in zip(paths, names or [None] * len(paths), strict=True):
        part = read_labels([path], source, reader=reader)
        if name is not None:
            part.annotators = [name]
            part.ann_annotator = np.zeros(part.n_annotations, np.int32)
            seen[name] = set(item_keys(part).astype(str).tolist())
        parts.append(part)
    dataset = Dataset.concat(parts)
    if dataset.n_annotations == 0:
        raise UsageError(f"no annotations found in {', '.join(paths)}")
    if not per_annotator and (dataset.annotator_index() < 0).all():
        raise UsageError(
            f"{paths[0]}: the annotations do not say who made them; pass one file per annotator with --per-annotator"
        )
    kind = set_kind(dataset)
    if kind is None:
        report = agreement_report(ratings_from_dataset(dataset), [], level=level, weights=None, top=top)
        report["kind"] = "classification"
        return report
    pairs = pairwise_set_agreement(dataset, kind, iou=iou, seen=seen or None)
    matched = set_agreement_report(pairs, kind, iou, top)
    annotators = sorted({p.first for p in pairs} | {p.second for p in pairs})
    pooled = matched["pooled"]["boxes" if kind == "boxes" else "overlap"]
    why = f"chance-corrected coefficients are not defined for {kind}; see `matching` (F1, mean IoU)"
    return {
        "items": len(set(item_keys(dataset).astype(str).tolist())),
        "annotators": len(annotators),
        "kind": kind,
        "percent_agreement": {
            "value": pooled["label_agreement"],
            "definition": "matched_label_agreement: share of matched pairs whose labels agree",
            "reason": None if pooled["label_agreement"] is not None else "no matched pairs",
        },
        "cohen_kappa": _undefined(why),
        "fleiss_kappa": _undefined(why),
        "krippendorff_alpha": {**_undefined(why), "level": level},
        "per_class": matched.pop("per_class"),
        "confusion_pairs": matched.pop("confusion_pairs"),
        "matching": matched,
        "annotator_names": annotators,
        # Annotations without a box/span (e.g. task-level choices beside NER spans) are not compared.
        "not_compared": int(dataset.n_annotations - has_geometry(dataset, kind).sum()),
    }


def _head(path: Path) -> bytes:
    with path.open("rb") as stream:
        return stream.read(4096)


def _annotator_names(paths: list[str]) -> list[str]:
    """One name per file: its stem, or its path when stems repeat (a/labels.json, b/labels.json)."""
    stems = [Path(p).stem for p in paths]
    return stems if len(set(stems)) == len(stems) else [Path(p).as_posix() for p in paths]


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
