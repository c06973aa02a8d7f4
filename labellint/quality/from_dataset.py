"""Views of a normalized Dataset for quality measures: item keys, annotators, ratings, content keys."""

from __future__ import annotations

from pathlib import PurePosixPath

import numpy as np

from labellint.model import Dataset
from labellint.quality.ratings import Ratings
from labellint.spec.model import EdgeCase, LabelSpec


def item_keys(dataset: Dataset) -> np.ndarray:
    """Per item, the key that names it across files and versions: its file name, else its id."""
    names = dataset.item_names
    ids = dataset.item_ids.tolist()
    return np.asarray(
        [str(names[i]) if i < len(names) and names[i] else str(ids[i]) for i in range(dataset.n_items)], dtype=object
    )


def annotation_class_names(dataset: Dataset) -> np.ndarray:
    """Class name per annotation (the raw reference for classes that did not resolve)."""
    names = np.asarray([*dataset.class_names, ""], dtype=object)
    out = names[dataset.ann_class]
    for index, raw in dataset.unresolved_class.items():
        out[index] = str(raw)
    return out


def annotation_annotators(dataset: Dataset, fallback_to_file: bool = True) -> np.ndarray:
    """Annotator per annotation; where the source does not say, the label file's stem (or '')."""
    names = np.asarray([*dataset.annotators, ""], dtype=object)
    out = names[dataset.annotator_index()]
    if fallback_to_file:
        stems = np.asarray([PurePosixPath(f.path).stem for f in dataset.files] or [""], dtype=object)
        unknown = dataset.annotator_index() < 0
        out[unknown] = stems[dataset.ann_file[unknown]]
    return out


def ratings_from_dataset(dataset: Dataset) -> Ratings:
    """One rating per (item, annotator): the class of that annotator's annotation on the item.

    Meant for classification labels (one class per item). Annotations without an item are
    skipped; an annotator with several annotations on one item keeps the last.
    """
    resolved = dataset.ann_item >= 0
    items = item_keys(dataset)[dataset.ann_item[resolved]] if dataset.n_items else np.empty(0, object)
    return Ratings.from_long(
        items,
        annotation_annotators(dataset)[resolved],
        annotation_class_names(dataset)[resolved],
    )


def unsure_mask(dataset: Dataset, spec: LabelSpec | None) -> np.ndarray:
    """Annotations on the spec's unsure path: the unsure class, or a truthy unsure attribute."""
    mask = np.zeros(dataset.n_annotations, dtype=bool)
    if spec is None or spec.unsure is None:
        return mask
    if spec.unsure.class_:
        mask |= annotation_class_names(dataset) == spec.unsure.class_
    attribute = spec.unsure.attribute
    if attribute:
        for index, attributes in dataset.ann_attributes.items():
            value = attributes.get(attribute)
            mask[index] = _truthy(value)
    return mask


def edge_case_mask(dataset: Dataset, case: EdgeCase) -> np.ndarray:
    """Annotations marked as examples of the edge case: every value of its `attribute` matches,
    or its `tag` is a truthy attribute or one of the annotation's `tags`."""
    mask = np.zeros(dataset.n_annotations, dtype=bool)
    for index, attributes in dataset.ann_attributes.items():
        marked = case.attribute is not None and all(
            _same_value(attributes.get(name), wanted) for name, wanted in case.attribute.items()
        )
        if case.tag is not None and not marked:
            tags = attributes.get("tags")
            marked = _truthy(attributes.get(case.tag)) or (isinstance(tags, list) and case.tag in tags)
        mask[index] = marked
    return mask


def edge_case_counts(dataset: Dataset, spec: LabelSpec | None) -> dict[str, int]:
    """Annotations per edge case the spec marks (attribute or tag); unmarked edge cases are absent."""
    if spec is None:
        return {}
    return {case.id: int(edge_case_mask(dataset, case).sum()) for case in spec.edge_cases if case.marked}


def content_keys(dataset: Dataset, digits: int = 2, class_names: np.ndarray | None = None) -> np.ndarray:
    """Per annotation, what it says: item, class, box (rounded) and span, as one string.

    Two versions of a file agree on an annotation exactly when its content key is the same,
    whatever ids or order the files use.
    """
    items = item_keys(dataset)
    item_of = np.asarray([*items.tolist(), ""], dtype=object)[dataset.ann_item]
    classes = annotation_class_names(dataset) if class_names is None else class_names
    boxes = np.round(dataset.ann_box, digits)
    spans = dataset.spans()
    return np.asarray(
        [
            f"{item_of[a]}|{classes[a]}|{boxes[a, 0]:g},{boxes[a, 1]:g},{boxes[a, 2]:g},{boxes[a, 3]:g}|"
            f"{spans[a, 0]},{spans[a, 1]}"
            for a in range(dataset.n_annotations)
        ],
        dtype=object,
    )


def _same_value(value, wanted) -> bool:
    """An attribute value as the spec names it; a flag written as "yes"/"1" matches `true`."""
    if value is None:
        return False
    if isinstance(wanted, bool):
        return _truthy(value) is wanted if not isinstance(value, bool) else value is wanted
    return value == wanted or str(value) == str(wanted)


def _truthy(value) -> bool:
    """An unsure flag as label tools write it: true, "yes"/"true"/"1", or the number 1."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1"}
    return isinstance(value, (int, float)) and value == 1
