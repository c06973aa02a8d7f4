"""`agree`: inter-annotator agreement of a long table, a multi-annotator export or one file per annotator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import TABLE_SUFFIXES, LabelSelection, anchor_of, is_table, read_labels, source_for
from labellint.errors import UsageError
from labellint.quality.tables import TableColumns
from labellint.settings.config import Config, find_config, load_config

PERCENT_AGREEMENT_DEFINITION = (
    "item_mean: Fleiss' P-bar, the mean over items with at least two ratings of the share of "
    "agreeing rater pairs (equals observed agreement for two raters); pairable_weighted: "
    "Krippendorff's 1 - D_o, items weighted by their number of ratings"
)


@dataclass(slots=True)
class AgreeRequest:
    """What to measure agreement on, and how."""

    inputs: list[str]
    per_annotator: bool = False
    iou: float = 0.5
    reader: str | None = None
    columns: TableColumns = field(default_factory=TableColumns)
    names: list[str] | None = None
    header: bool = True
    level: str = "nominal"
    categories: list[str] | None = None
    weights: str | None = None
    top: int = 10
    consensus: bool = False
    consensus_table: bool = False
    # The config whose datasets (and reader options) stand in for INPUTS when none are given
    # (with --per-annotator, each dataset is one annotator's); None: the one found from the first input.
    config: Config | None = None
    # Advise merging two classes when more than this share of their rater pairs mix them.
    merge_above: float = 0.2
    # The spec whose priority rules and edge cases the merge advice names (None: no spec).
    spec: Any = None


@dataclass(slots=True)
class AgreeResult:
    """The agreement document (DESIGN §6), what was dropped on the way, and the consensus table."""

    document: dict[str, Any]
    bad_rows: list[str] = field(default_factory=list)
    duplicates_dropped: int = 0
    # The Dawid-Skene consensus per item as CSV text (when asked for).
    consensus_table: str | None = None

    @property
    def notes(self) -> list[str]:
        """What the figures leave out (unread files), and files no reader claimed."""
        return list(self.document.get("notes", []))

    @property
    def from_label_files(self) -> bool:
        """Boxes or spans matched across annotators (not a rating table)."""
        return "matching" in self.document

    def to_json(self) -> dict[str, Any]:
        return self.document


def run_agree(request: AgreeRequest) -> AgreeResult:
    """Agreement of one long table, or of label files (one export, or one file per annotator);
    no INPUTS: the labels `check` reads (the config's datasets with their reader options)."""
    inputs = list(request.inputs)
    config = request.config or load_config(find_config(Path(inputs[0]) if inputs else Path.cwd()))
    if not inputs:
        source = source_for(None, anchor_of(LabelSelection([], request.reader), config))
        selections = _dataset_selections(config, request.per_annotator)
        return AgreeResult(label_files_report(selections, request.per_annotator, source, request, config))
    first = Path(inputs[0])
    looks_like_table = first.suffix.lower() in TABLE_SUFFIXES or (first.is_file() and is_table(first, _head(first)))
    if request.per_annotator or len(inputs) > 1 or not looks_like_table:
        if len(inputs) > 1 and not request.per_annotator:
            raise UsageError("several INPUTS are one file per annotator: pass --per-annotator")
        selections = [(p, [p], config) for p in inputs]
        return AgreeResult(
            label_files_report(selections, request.per_annotator, source_for(None, first), request, config)
        )
    return _table_agreement(request)


def _dataset_selections(config: Config, per_annotator: bool) -> list[tuple[str, list[str], Config]]:
    """(name, paths, config) to read: all the datasets at once, or with --per-annotator one
    annotator per configured dataset (the config narrowed to it, so its reader options hold)."""
    if not per_annotator:
        return [(".", [], config)]
    if len(config.datasets) < 2:
        raise UsageError("--per-annotator with no INPUTS needs two or more `datasets` in the config, one per annotator")
    return [(d.path, [], config.model_copy(update={"datasets": [d]})) for d in config.datasets]


def _table_agreement(request: AgreeRequest) -> AgreeResult:
    from labellint.quality.tables import load_ratings_table

    ratings, problems = load_ratings_table(
        request.inputs[0], request.columns, names=request.names, header=request.header, categories=request.categories
    )
    document = agreement_report(
        ratings,
        problems,
        level=request.level,
        weights=request.weights,
        top=request.top,
        merge_above=request.merge_above,
        spec=request.spec,
    )
    table: list[str] | None = [] if request.consensus_table else None
    if request.consensus or request.consensus_table:
        document["consensus"] = consensus_report(ratings, request.top, table)
    return AgreeResult(document, problems, ratings.n_duplicates_dropped, table[0] if table else None)


def consensus_report(ratings, top: int, table: list[str] | None = None) -> dict:
    """Dawid-Skene consensus: priors, least accurate annotators, items where it overrules the majority;
    with `table`, the consensus per item as CSV text is appended to it."""
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
    if table is not None:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["item", "label", "probability", "majority"])
        items = ratings.items[result.items]
        for row in zip(
            items.tolist(), consensus.tolist(), result.posteriors.max(axis=1).tolist(), majority.tolist(), strict=True
        ):
            writer.writerow([_key(row[0]), _key(row[1]), f"{row[2]:.6f}", _key(row[3])])
        table.append(buffer.getvalue())
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


def label_files_report(selections, per_annotator: bool, source, request: AgreeRequest, config: Config) -> dict:
    """Agreement from label files: classification via the rating statistics, boxes/spans by matching.
    `selections`: (name, paths, config) per file or dataset, read as `check` reads them."""
    advice = {"merge_above": request.merge_above, "spec": request.spec}
    from labellint.errors import UsageError
    from labellint.quality.from_dataset import ratings_from_dataset
    from labellint.quality.set_agreement import set_kind

    paths = [name for name, _, _ in selections]
    names = _annotator_names(paths) if per_annotator else []
    tables = [
        bool(given) and source.is_file(Path(p)) and is_table(Path(p), source.head(Path(p), 4096))
        for p, given, _ in selections
    ]
    if per_annotator and any(tables):
        if not all(tables):
            raise UsageError("--per-annotator: give all tables (item,label) or all label files, not a mix")
        return _per_annotator_tables(paths, names, request.level, request.top, advice)
    dataset, seen = _annotator_files(selections, names, source, request.reader)
    if dataset.n_annotations == 0:
        raise UsageError(f"no annotations found in {', '.join(paths)}")
    if not per_annotator and (dataset.annotator_index() < 0).all():
        raise UsageError(
            f"{paths[0]}: the annotations do not say who made them; pass one file per annotator with --per-annotator"
        )
    kind = set_kind(dataset)
    if kind is None:
        report = agreement_report(
            ratings_from_dataset(dataset), [], level=request.level, weights=None, top=request.top, **advice
        )
        report["kind"] = "classification"
    else:
        report = _matched_report(dataset, kind, request.iou, request.top, request.level, seen)
    report["notes"] = list(dataset.notes)
    return report


def _per_annotator_tables(paths: list[str], names: list[str], level: str, top: int, advice: dict) -> dict:
    """One `item,label` table per annotator, pooled into one ratings table."""
    from labellint.errors import UsageError
    from labellint.quality.ratings import Ratings
    from labellint.quality.tables import load_label_pairs

    triples = [
        (item, name, label)
        for path, name in zip(paths, names, strict=True)
        for item, label in load_label_pairs(path)[0].items()
    ]
    ratings = Ratings.from_long(*zip(*triples, strict=True)) if triples else None
    if ratings is None:
        raise UsageError("no labels found in the per-annotator tables")
    return agreement_report(ratings, [], level=level, weights=None, top=top, **advice)


def _annotator_files(selections, names: list[str], source, reader):
    """The label files as one dataset; with names, each selection is one annotator's (and the items it saw)."""
    import numpy as np

    from labellint.model import Dataset
    from labellint.quality.from_dataset import item_keys

    parts, seen, notes = [], {}, []
    for (_, paths, config), name in zip(selections, names or [None] * len(selections), strict=True):
        part = read_labels(paths, source, reader=reader, config=config)
        notes.extend(part.notes)
        if name is not None:
            part.annotators = [name]
            part.ann_annotator = np.zeros(part.n_annotations, np.int32)
            seen[name] = set(item_keys(part).astype(str).tolist())
        parts.append(part)
    dataset = Dataset.concat(parts)
    dataset.notes = notes  # concat keeps the issues, not the notes: each part's unread files
    return dataset, seen


def _matched_report(dataset, kind: str, iou: float, top: int, level: str, seen: dict) -> dict:
    """Agreement of boxes or spans by matching them between annotators (no chance-corrected coefficient)."""
    from labellint.quality.from_dataset import item_keys
    from labellint.quality.set_agreement import has_geometry, pairwise_set_agreement, set_agreement_report

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


def agreement_report(
    ratings, problems, *, level: str, weights: str | None, top: int, merge_above: float = 0.2, spec=None
) -> dict:
    """The `agree --format json` document (DESIGN.md section 6), with the merge advice: class pairs
    more than `merge_above` of whose rater pairs mix them (naming the rules of `spec` on them)."""
    from labellint.errors import UsageError
    from labellint.quality import agreement as ag
    from labellint.quality.merge_advice import confused_pairs, with_spec_rules

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

    cohen = _cohen(ratings)
    per_class = _per_class(ratings)

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
    report["merge_advice"] = with_spec_rules(confused_pairs(ratings, merge_above), spec)
    return report


def _cohen(ratings) -> dict:
    """Cohen's kappa for two annotators; for more, undefined with Light's mean pairwise kappa beside it."""
    from labellint.quality import agreement as ag

    if ratings.n_annotators == 2:
        cohen = _result(ag.cohen_kappa(ratings))
    else:
        cohen = _undefined(f"Cohen's kappa needs exactly two annotators, found {ratings.n_annotators}")
        if ratings.n_annotators > 2:
            pairwise = _result(ag.mean_pairwise_cohen_kappa(ratings))
            pairwise["definition"] = "Light's kappa: mean of Cohen's kappa over annotator pairs where it is defined"
            cohen["mean_pairwise"] = pairwise
    return cohen


def _per_class(ratings) -> dict:
    """Per class: its ratings, share, specific agreement and Fleiss' kappa."""
    from labellint.quality import agreement as ag

    counts = ratings.category_counts().sum(axis=0)
    specific = ag.specific_agreement(ratings)
    per_category_fleiss = ag.fleiss_kappa_per_category(ratings)
    return {
        _key(category): {
            "ratings": int(count),
            "share": float(count / ratings.n_ratings),
            "specific_agreement": _result(specific[category]),
            "fleiss_kappa": _result(per_category_fleiss[category]),
        }
        for category, count in zip(ratings.categories, counts, strict=True)
    }


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
