"""`suspects`: the labels most likely to be wrong, from predictions or embeddings, as a review queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from labellint.commands.labels import LabelSelection, anchor_of, read_labels, selection_paths, source_for
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.quality.review_queue import (
    QueueEntry,
    box_region,
    choices_region,
    head_commit,
    labelstudio_tasks,
    render_rows,
)
from labellint.settings.config import Config, find_config, load_config

QUEUE_COLUMNS = ["item", "given", "suggested", "score", "reason", "annotation", "path", "line"]


@dataclass(slots=True)
class SuspectsRequest:
    """The labels, the evidence against them (predictions or embeddings), and the thresholds."""

    labels: list[str]
    predictions: str | None = None
    embeddings: str | None = None
    method: str = "confident-learning"
    filter_by: str | None = None
    multi_label: bool = False
    class_list: list[str] = field(default_factory=list)
    id_column: str | None = None
    reader: str | None = None
    score_threshold: float = 0.5
    match_iou: float = 0.5
    location_iou: float = 0.75
    spurious_iou: float = 0.1
    neighbours: int = 10
    disagreement: float = 0.7
    duplicate_similarity: float = 0.999
    top: int = 0
    # The config whose datasets (and reader options) stand in for LABELS when none are given;
    # None: the one found from the first label path (else the working folder).
    config: Config | None = None


@dataclass(slots=True)
class Suspect:
    """One label to look at first: what it says, what the evidence suggests, and where it is."""

    item: str
    index: int  # the item's index in the dataset
    given: Any
    suggested: Any
    score: float
    reason: str
    path: str | None
    line: int | None
    # What the kind of evidence adds (detection: annotation, iou, prediction, box; embeddings: detail).
    details: dict[str, Any] = field(default_factory=dict)
    # The current label pre-filled for a Label Studio review (None: nothing to draw).
    region: dict[str, Any] | None = None
    # The annotation the suspect is about (None: a whole item, or a box the labels lack).
    label: int | None = None

    def to_json(self) -> dict[str, Any]:
        head = {"item": self.item, "given": self.given, "suggested": self.suggested, "score": self.score}
        return {**head, "reason": self.reason, **self.details, "path": self.path, "line": self.line}

    def entry(self, dataset: Dataset, keys, commit: str | None) -> QueueEntry:
        """The suspect as a queued label `review apply` can find again (by its region id, content
        fingerprint and commit, like `sample`'s); a box the labels lack is a proposal (no fingerprint)."""
        names = ("reason", "given", "suggested", "score", "annotation", "box", "path", "line")
        document = self.to_json()
        meta = {k: document.get(k) for k in names}
        if self.label is not None:
            location = dataset.annotation_location(self.label)
            meta.update(pointer=location.pointer, line=location.line, path=location.path)
            meta.update(region=f"labellint-{self.label}", fingerprint=str(keys[self.label]))
            meta["class"] = dataset.class_name(self.label)
        else:
            meta.update(pointer=None, region=f"labellint-proposed-{self.index}-{self.details.get('prediction')}")
            meta.update(fingerprint=None, **{"class": self.suggested if isinstance(self.suggested, str) else None})
        meta["commit"] = commit
        return QueueEntry(self.index, meta, self.region)


@dataclass(slots=True)
class SuspectsResult:
    """The suspects, ranked, and what the method estimated about the labels' noise."""

    method: str
    items: int
    suspects: list[Suspect]
    noise: dict[str, Any]
    # Method-specific keys shown after `method` (confident learning's filter) and at the end (thresholds).
    header: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    dataset: Dataset | None = field(default=None, repr=False)
    commit: str | None = None  # the commit the labels were read at (HEAD), recorded in the queue

    def to_json(self) -> dict[str, Any]:
        document = {"method": self.method, **self.header, "items": self.items}
        document["suspects"] = [s.to_json() for s in self.suspects]
        document["noise"] = self.noise
        if self.settings is not None:
            document["settings"] = self.settings
        return document

    def queue(self, fmt: str) -> str:
        """The suspects as a CSV or JSONL review queue."""
        return render_rows([s.to_json() for s in self.suspects], QUEUE_COLUMNS, fmt)

    def labelstudio(self) -> list[dict]:
        """One Label Studio task per suspect item, the current labels pre-filled, the reasons in `data.labellint`."""
        from labellint.quality.from_dataset import content_keys

        keys = content_keys(self.dataset)
        entries = [s.entry(self.dataset, keys, self.commit) for s in self.suspects]
        return labelstudio_tasks(self.dataset, entries, "labellint-suspects", "suspects", summarize=True)

    def cvat(self) -> tuple[str, list[str]]:
        """The suspects as a CVAT for images 1.1 XML task (their boxes pre-annotated), and notes on what it left out."""
        from labellint.quality.cvat_queue import cvat_task
        from labellint.quality.from_dataset import content_keys

        keys = content_keys(self.dataset)
        entries = [s.entry(self.dataset, keys, self.commit) for s in self.suspects]
        return cvat_task(self.dataset, entries, "labellint suspects queue")


def run_suspects(request: SuspectsRequest) -> SuspectsResult:
    """Ranks the labels by how likely they are wrong, by the evidence the request names."""
    from labellint.quality.predictions import PredictionsError

    if (request.predictions is None) == (request.embeddings is None):
        raise UsageError("give --predictions FILE or --embeddings FILE (one of them)")
    labels = list(request.labels)
    config = request.config
    if config is None:
        config = load_config(find_config(Path(labels[0]) if labels else Path.cwd()))
    anchor = anchor_of(LabelSelection(labels, request.reader), config)
    dataset = read_labels(labels, source_for(None, anchor), reader=request.reader, config=config)
    if dataset.n_items == 0:
        raise UsageError(f"{', '.join(selection_paths(LabelSelection(labels), config))}: no items found")
    try:
        result = _find(dataset, request)
    except PredictionsError as exc:
        raise UsageError(str(exc)) from None
    if request.top:
        result.suspects = result.suspects[: request.top]
    result.dataset, result.commit = dataset, head_commit(anchor)
    return result


def _find(dataset: Dataset, r: SuspectsRequest) -> SuspectsResult:
    if r.embeddings is not None:
        return embeddings_report(dataset, Path(r.embeddings), r.neighbours, r.disagreement, r.duplicate_similarity)
    path = Path(r.predictions)
    if path.suffix.lower() == ".json":
        return detection_report(dataset, path, r.score_threshold, r.match_iou, r.location_iou, r.spurious_iou)
    return classification_report(dataset, path, r.method, r.filter_by, r.multi_label, r.class_list, r.id_column)


def item_id_strings(dataset: Dataset) -> list[str]:
    return [str(v) for v in dataset.item_ids.tolist()]


def _only_labels(dataset: Dataset):
    """Per item, its one annotation (-1 when it has none or several: nothing to write a review back to)."""
    import numpy as np

    resolved = np.flatnonzero(dataset.ann_item >= 0)
    items = dataset.ann_item[resolved]
    counts = np.bincount(items, minlength=dataset.n_items)
    out = np.full(dataset.n_items, -1, dtype=np.int64)
    out[items[::-1]] = resolved[::-1]  # the first annotation of each item
    out[counts != 1] = -1
    return out


def _label_of(only, item: int) -> int | None:
    return int(only[item]) if only[item] >= 0 else None


def _as_list(given: Any) -> list:
    if isinstance(given, list):
        return given
    return [given] if given else []


def classification_report(dataset, path: Path, method, filter_by, multi_label, class_list, id_column) -> SuspectsResult:
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
    result, ids, only = found.result, item_id_strings(dataset), _only_labels(dataset)
    suspects = []
    for position, item in enumerate(found.items.tolist()):
        location = dataset.item_location(item)
        suspects.append(
            Suspect(
                item=ids[item],
                index=item,
                given=found.given[position],
                suggested=found.suggested[position],
                score=round(float(result.scores[position]), 6),
                reason=f"likely-label-error ({method})",
                path=location.path,
                line=location.line,
                region=choices_region(_as_list(found.given[position]), dataset.text_of(item) is not None),
                label=_label_of(only, item),
            )
        )
    noise = dict(result.noise)
    noise["classes"] = found.class_names
    key = "per_class" if found.multi_label else "noise_rate"
    noise[key] = dict(zip(found.class_names, noise[key], strict=True))
    header = {"filter_by": result.filter_by, "multi_label": found.multi_label}
    return SuspectsResult(method, found.n_labelled, suspects, noise, header=header, warnings=result.warnings)


def detection_report(dataset, path: Path, score_threshold, match_iou, location_iou, spurious_iou) -> SuspectsResult:
    import numpy as np

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
    suspects = [_detection_suspect(dataset, labelled, boxes, s) for s in found]
    counts = {kind: sum(1 for s in found if s.kind == kind) for kind in KINDS}
    noise = {"counts": counts, "labels": int(labelled.size), "predictions": int(items.size)}
    settings = {
        "score_threshold": score_threshold,
        "match_iou": match_iou,
        "location_iou": location_iou,
        "spurious_iou": spurious_iou,
    }
    return SuspectsResult("detection", dataset.n_items, suspects, noise, settings=settings)


def _detection_suspect(dataset, labelled, boxes, s) -> Suspect:
    """One detection suspect with its location and the box it is about (the label's, or the prediction's)."""
    names = dataset.class_names
    a = int(labelled[s.label]) if s.label is not None else None
    location = dataset.annotation_location(a) if a is not None else dataset.item_location(s.item)
    given = names[s.given] if s.given is not None else None
    suggested = names[s.suggested] if s.suggested is not None else None
    box = [round(float(v), 2) for v in (boxes[s.prediction] if s.label is None else dataset.ann_box[a])]
    details = {
        "annotation": location.annotation if a is not None else None,
        "iou": round(s.iou, 4),
        "prediction": s.prediction,
        "box": box,
    }
    return Suspect(
        item=str(dataset.item_ids[s.item]),
        index=s.item,
        given=given,
        suggested=suggested,
        score=round(s.score, 6),
        reason=s.kind,
        path=location.path,
        line=location.line,
        details=details,
        region=box_region(dataset, s.item, box, given or suggested),
        label=a,
    )


def embeddings_report(dataset, path: Path, k, disagreement, duplicate_similarity) -> SuspectsResult:
    import numpy as np

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
    ids, only = item_id_strings(dataset), _only_labels(dataset)
    suspects = []
    for s in found:
        location = dataset.item_location(s.row)
        label = class_names[int(given[s.row])]
        suspects.append(
            Suspect(
                item=ids[s.row],
                index=s.row,
                given=label,
                suggested=class_names[s.suggested] if s.suggested is not None else None,
                score=round(s.score, 6),
                reason=s.kind,
                path=location.path,
                line=location.line,
                details={"detail": s.detail},
                region=choices_region([label], dataset.text_of(s.row) is not None),
                label=_label_of(only, s.row),
            )
        )
    counts: dict[str, int] = {}
    for s in found:
        counts[s.kind] = counts.get(s.kind, 0) + 1
    return SuspectsResult("embeddings", int((given >= 0).sum()), suspects, {"counts": counts})
