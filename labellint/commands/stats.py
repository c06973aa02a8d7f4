"""`stats`: the few numbers that say whether the labels are getting better."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labellint.commands.history import History
from labellint.commands.labels import LabelSelection, anchor_of, read_labels, selection_paths, source_for
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.settings.resolve import Settings


@dataclass(slots=True)
class StatsRequest:
    """Which labels, and how far back to look for rework."""

    paths: list[str]
    settings: Settings
    reader: str | None = None
    since: str | None = None
    max_commits: int = 100
    history: bool = True
    iou: float = 0.5
    top: int = 10


@dataclass(slots=True)
class StatsResult:
    """Class counts, unsure rate, per-item counts, agreement, rework and confusions (one document)."""

    document: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.document


def run_stats(request: StatsRequest) -> StatsResult:
    """The statistics of the labels in PATHS (and their git history)."""
    from labellint.quality.stats import dataset_stats

    paths, spec, config = list(request.paths), request.settings.spec, request.settings.config
    anchor = anchor_of(LabelSelection(paths, request.reader), config)
    dataset = read_labels(paths, source_for(None, anchor), spec, request.reader, config)
    report = dataset_stats(dataset, spec)
    report["notes"] = list(dataset.notes)
    report["agreement"] = _agreement(dataset, request.iou, request.top)
    history = rework_figures(request, anchor) if request.history else None
    report["rework"] = history
    report["confusion_pairs"] = _confusions(report, request.top)
    return StatsResult(report)


def _agreement(dataset, iou: float, top: int) -> dict | None:
    """Agreement among the annotators the labels name (None with fewer than two)."""
    from labellint.commands.agree import agreement_report
    from labellint.quality.from_dataset import ratings_from_dataset
    from labellint.quality.set_agreement import pairwise_set_agreement, set_agreement_report, set_kind

    known = dataset.annotator_index() >= 0
    if len(set(dataset.annotator_index()[known].tolist())) < 2:
        return None
    kind = set_kind(dataset)
    if kind is None:
        full = agreement_report(ratings_from_dataset(dataset), [], level="nominal", weights=None, top=top)
        keys = ("items", "annotators", "percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
        return {"kind": "classification", **{k: full[k] for k in keys}, "confusion_pairs": full["confusion_pairs"]}
    return set_agreement_report(pairwise_set_agreement(dataset, kind, iou=iou), kind, iou, top)


def rework_figures(request: StatsRequest, anchor: Path) -> dict:
    """Rework rate over the commits that touched PATHS (null with a reason outside git)."""
    from labellint.errors import GitError
    from labellint.quality.rework import rework

    paths, spec, reader, config = request.paths, request.settings.spec, request.reader, request.settings.config
    since, max_commits = request.since, request.max_commits
    try:
        history = History.of(anchor)
    except GitError as exc:
        return {"rate": None, "reason": str(exc)}
    base = history.resolve(since) if since else None  # a --since that names nothing is a usage error
    try:
        commits = history.since(base, history.relative(selection_paths(LabelSelection(paths), config)), max_commits)
    except GitError as exc:
        return {"rate": None, "reason": str(exc)}
    versions: list[tuple[str, Dataset]] = []
    for commit in commits:
        try:
            dataset = read_labels(paths, history.source(commit.sha), spec, reader, config)
        except UsageError:
            dataset = Dataset()  # the files did not exist yet at this commit
        versions.append((commit.sha, dataset))
    if len(versions) < 2:
        return {
            "rate": None,
            "reason": f"{len(versions)} commit(s) touch these labels; rework needs two",
            "commits": [],
        }
    return _rework_document(rework(versions), commits)


def _rework_document(result, commits) -> dict:
    messages = {c.sha: c.message.splitlines()[0] if c.message else "" for c in commits}
    return {
        "rate": result.rate,
        "reason": None,
        "definition": "share of annotations changed (relabeled, moved or deleted) after they were first committed",
        "lineages": result.lineages,
        "reworked": result.reworked,
        "commits": [
            {
                "commit": change.label,
                "message": messages[change.label],
                "annotations": change.annotations,
                "unchanged": change.unchanged,
                "relabeled": change.relabeled,
                "moved": change.moved,
                "removed": change.removed,
                "added": change.added,
                "renamed_classes": change.renamed,
            }
            for change in result.changes
        ],
        "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in result.transitions.most_common()],
    }


def _confusions(report: dict, top: int) -> list[dict]:
    """Top confusions: between annotators when there are several, else relabelings in history."""
    agreement = report.get("agreement")
    if agreement and agreement.get("confusion_pairs"):
        return [{**pair, "source": "annotators"} for pair in agreement["confusion_pairs"][:top]]
    rework = report.get("rework") or {}
    pairs: dict[tuple[str, str], int] = {}
    for transition in rework.get("transitions", []):
        key = tuple(sorted((transition["from"], transition["to"])))
        pairs[key] = pairs.get(key, 0) + transition["count"]
    ranked = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [{"a": a, "b": b, "count": n, "source": "history"} for (a, b), n in ranked]
