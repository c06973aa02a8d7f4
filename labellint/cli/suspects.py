"""`labellint suspects`: rank the labels most likely to be wrong, from predictions or embeddings."""

from __future__ import annotations

import json
from pathlib import Path

import click

from labellint.cli._common import split_list, write_output

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
QUEUE_COLUMNS = ["item", "given", "suggested", "score", "reason", "annotation", "path", "line"]


@click.command()
@click.argument("labels", nargs=-1, required=True, type=click.Path())
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
    "output_format",
    type=click.Choice(["text", "json", "csv", "jsonl", "labelstudio"]),
    default="text",
    show_default=True,
    help="text/json report, or a review queue (csv, jsonl, Label Studio import).",
)
@click.option("--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")
def suspects(labels, predictions, embeddings, method, filter_by, multi_label, class_list, id_column, reader,
             score_threshold, match_iou, location_iou, spurious_iou, neighbours, disagreement,
             duplicate_similarity, top, output_format, output) -> None:  # fmt: skip
    """Labels in LABELS most likely to be wrong, for a person to review first.

    Classification: --predictions with out-of-sample class probabilities (CSV/JSONL: an item id
    column and one column per class; or .npy rows in label order). Detection: --predictions as a
    COCO results JSON against COCO labels. Without a model: --embeddings (.npy). Predictions
    are a magnifying glass, not the truth: a suspect is a label to look at, not a verdict.
    """
    from labellint.cli._labels import read_labels, source_for
    from labellint.errors import UsageError
    from labellint.quality.predictions import PredictionsError

    if (predictions is None) == (embeddings is None):
        raise UsageError("give --predictions FILE or --embeddings FILE (one of them)")
    dataset = read_labels(list(labels), source_for(None, Path(labels[0])), reader=reader)
    if dataset.n_items == 0:
        raise UsageError(f"{', '.join(labels)}: no items found")
    try:
        if embeddings is not None:
            report = embeddings_report(dataset, Path(embeddings), neighbours, disagreement, duplicate_similarity)
        elif Path(predictions).suffix.lower() == ".json":
            report = detection_report(
                dataset, Path(predictions), score_threshold, match_iou, location_iou, spurious_iou
            )
        else:
            report = classification_report(
                dataset, Path(predictions), method, filter_by, multi_label, split_list(class_list), id_column
            )
    except PredictionsError as exc:
        raise UsageError(str(exc)) from None
    for warning in report.pop("warnings", []):
        click.echo(f"labellint: warning: {warning}", err=True)
    if top:
        report["suspects"] = report["suspects"][:top]
    write_output(render(report, output_format, dataset), output)


# --------------------------------------------------------------------------------------------
# Classification
# --------------------------------------------------------------------------------------------


def item_id_strings(dataset) -> list[str]:
    return [str(v) for v in dataset.item_ids.tolist()]


def classification_report(dataset, path: Path, method, filter_by, multi_label, class_list, id_column) -> dict:
    from labellint.quality.suspects import dataset_suspects

    found = dataset_suspects(
        dataset,
        path,
        method=method,
        filter_by=filter_by,
        multi_label=multi_label,
        class_list=class_list,
        id_column=id_column,
    )
    result, ids = found.result, item_id_strings(dataset)
    suspects = []
    for position, item in enumerate(found.items.tolist()):
        location = dataset.item_location(item)
        suspects.append(
            {
                "item": ids[item],
                "given": found.given[position],
                "suggested": found.suggested[position],
                "score": round(float(result.scores[position]), 6),
                "reason": f"likely-label-error ({method})",
                "path": location.path,
                "line": location.line,
                "_item": item,
            }
        )
    noise = dict(result.noise)
    noise["classes"] = found.class_names
    key = "per_class" if found.multi_label else "noise_rate"
    noise[key] = dict(zip(found.class_names, noise[key], strict=True))
    return {
        "method": method,
        "filter_by": result.filter_by,
        "multi_label": found.multi_label,
        "items": found.n_labelled,
        "suspects": suspects,
        "noise": noise,
        "warnings": result.warnings,
    }


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def detection_report(dataset, path: Path, score_threshold, match_iou, location_iou, spurious_iou) -> dict:
    import numpy as np

    from labellint.errors import UsageError
    from labellint.quality.detection_suspects import KINDS, detection_suspects
    from labellint.quality.predictions import load_coco_results

    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    image_ids = {v: i for i, v in enumerate(dataset.item_ids.tolist())}
    category_ids = {ref.source_id: i for i, ref in enumerate(dataset.classes) if ref.source_id is not None}
    items, classes, boxes, scores = load_coco_results(path, image_ids, category_ids)
    has_box = (dataset.ann_item >= 0) & (dataset.ann_class >= 0) & np.isfinite(dataset.ann_box).all(axis=1)
    labelled = np.flatnonzero(has_box)
    found = detection_suspects(
        dataset.ann_item[labelled].astype(np.int64),
        dataset.ann_class[labelled].astype(np.int64),
        dataset.ann_box[labelled],
        items,
        classes,
        boxes,
        scores,
        score_threshold=score_threshold,
        match_iou=match_iou,
        location_iou=location_iou,
        spurious_iou=spurious_iou,
    )
    names = dataset.class_names
    suspects = []
    for s in found:
        a = int(labelled[s.label]) if s.label is not None else None
        location = dataset.annotation_location(a) if a is not None else dataset.item_location(s.item)
        suspects.append(
            {
                "item": str(dataset.item_ids[s.item]),
                "given": names[s.given] if s.given is not None else None,
                "suggested": names[s.suggested] if s.suggested is not None else None,
                "score": round(s.score, 6),
                "reason": s.kind,
                "annotation": location.annotation if a is not None else None,
                "iou": round(s.iou, 4),
                "prediction": s.prediction,
                "box": [round(float(v), 2) for v in (boxes[s.prediction] if s.label is None else dataset.ann_box[a])],
                "path": location.path,
                "line": location.line,
                "_item": s.item,
            }
        )
    counts = {kind: sum(1 for s in found if s.kind == kind) for kind in KINDS}
    return {
        "method": "detection",
        "items": dataset.n_items,
        "suspects": suspects,
        "noise": {"counts": counts, "labels": int(labelled.size), "predictions": int(items.size)},
        "settings": {
            "score_threshold": score_threshold,
            "match_iou": match_iou,
            "location_iou": location_iou,
            "spurious_iou": spurious_iou,
        },
    }


# --------------------------------------------------------------------------------------------
# Embeddings
# --------------------------------------------------------------------------------------------


def embeddings_report(dataset, path: Path, k, disagreement, duplicate_similarity) -> dict:
    import numpy as np

    from labellint.errors import UsageError
    from labellint.quality.embedding_suspects import embedding_suspects
    from labellint.quality.predictions import PredictionsError, load_npy

    if not path.is_file():
        raise UsageError(f"{path}: file not found")
    vectors = load_npy(path)
    if vectors.ndim != 2 or vectors.shape[0] != dataset.n_items or not np.isfinite(vectors).all():
        raise PredictionsError(
            f"{path}: shape {vectors.shape}, expected ({dataset.n_items}, d) finite values "
            "(one row per item in label order)"
        )
    from labellint.quality.suspects import given_labels

    class_names = sorted(set(dataset.class_names))
    given, is_multi = given_labels(dataset, class_names, False)
    if is_multi:
        raise UsageError("--embeddings works on single-label classification (an item here has several labels)")
    found = embedding_suspects(
        vectors, given, len(class_names), k=k, disagreement=disagreement, duplicate_similarity=duplicate_similarity
    )
    ids = item_id_strings(dataset)
    suspects = []
    for s in found:
        location = dataset.item_location(s.row)
        suspects.append(
            {
                "item": ids[s.row],
                "given": class_names[int(given[s.row])],
                "suggested": class_names[s.suggested] if s.suggested is not None else None,
                "score": round(s.score, 6),
                "reason": s.kind,
                "detail": s.detail,
                "path": location.path,
                "line": location.line,
                "_item": s.row,
            }
        )
    counts: dict[str, int] = {}
    for s in found:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    return {"method": "embeddings", "items": int((given >= 0).sum()), "suspects": suspects, "noise": {"counts": counts}}


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------


def _public(suspect: dict) -> dict:
    return {k: v for k, v in suspect.items() if not k.startswith("_")}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value)


def render(report: dict, output_format: str, dataset) -> str:
    if output_format == "json":
        document = {**report, "suspects": [_public(s) for s in report["suspects"]]}
        return json.dumps(document, indent=2) + "\n"
    if output_format == "jsonl":
        return "".join(json.dumps({c: _public(s).get(c) for c in QUEUE_COLUMNS}) + "\n" for s in report["suspects"])
    if output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(QUEUE_COLUMNS)
        for s in report["suspects"]:
            writer.writerow([_cell(s.get(c)) for c in QUEUE_COLUMNS])
        return buffer.getvalue()
    if output_format == "labelstudio":
        return json.dumps(labelstudio_tasks(report, dataset), indent=2) + "\n"
    return render_text(report)


def labelstudio_tasks(report: dict, dataset) -> list[dict]:
    """One task per suspect item: its data, why it is a suspect (`data.labellint`), and what is
    labelled pre-filled as a prediction so the reviewer only corrects it: the given class
    (choices) for classification; for detection, each suspect box (rectangles, in percent of
    the image) under its given class, or the predicted class for a likely missing box."""
    tasks: dict[int, dict] = {}
    for s in report["suspects"]:
        item = s["_item"]
        task = tasks.get(item)
        text = dataset.text_of(item)
        if task is None:
            name = dataset.item_names[item] if item < len(dataset.item_names) else None
            data = {"text": text} if text is not None else {"image": name or s["item"]}
            data["labellint"] = {"item": s["item"], "suspects": []}
            task = {"data": data, "predictions": [{"model_version": "labellint-suspects", "result": []}]}
            tasks[item] = task
            if "box" not in s:
                given = s["given"] if isinstance(s["given"], list) else [s["given"]] if s["given"] else []
                task["predictions"][0]["result"].append(
                    {
                        "from_name": "label",
                        "to_name": "text" if text is not None else "image",
                        "type": "choices",
                        "value": {"choices": given},
                    }
                )
        if "box" in s:
            rectangle = _ls_rectangle(dataset, item, s["box"], s["given"] or s["suggested"])
            if rectangle is not None:
                task["predictions"][0]["result"].append(rectangle)
        entry = {k: s.get(k) for k in ("reason", "given", "suggested", "score", "annotation", "box", "path", "line")}
        task["data"]["labellint"]["suspects"].append(entry)
        task["data"]["labellint"]["reason"] = "; ".join(e["reason"] for e in task["data"]["labellint"]["suspects"])
    return list(tasks.values())


def _ls_rectangle(dataset, item: int, box: list[float], label: str) -> dict | None:
    """A Label Studio rectangle in percent of the image; None when the image size is unknown."""
    width, height = float(dataset.item_width[item]), float(dataset.item_height[item])
    if not (width > 0 and height > 0):
        return None
    return {
        "from_name": "label",
        "to_name": "image",
        "type": "rectanglelabels",
        "original_width": int(width),
        "original_height": int(height),
        "value": {
            "x": 100 * box[0] / width,
            "y": 100 * box[1] / height,
            "width": 100 * box[2] / width,
            "height": 100 * box[3] / height,
            "rotation": 0,
            "rectanglelabels": [label],
        },
    }


def _where(s: dict) -> str:
    parts = [f"annotation {s['annotation']}"] if s.get("annotation") else []
    if s.get("path"):
        parts.append(f"{s['path']}:{s['line']}" if s.get("line") else s["path"])
    return "  " + " ".join(parts) if parts else ""


def render_text(report: dict) -> str:
    lines = []
    method = report["method"]
    title = f"method: {method}" + (f" (filter_by={report['filter_by']})" if report.get("filter_by") else "")
    lines.append(f"{title}; {report['items']} items; {len(report['suspects'])} suspects")
    if report["suspects"]:
        lines.append("")
        lines.append(f"{'score':>8}  {'item':<20} {'given':<16} {'suggested':<16} reason")
        for s in report["suspects"]:
            lines.append(
                f"{s['score']:>8.4f}  {_cell(s['item']):<20} {_cell(s['given']):<16} {_cell(s['suggested']):<16} "
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
