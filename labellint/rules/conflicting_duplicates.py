"""LL303 conflicting-duplicates: the same content (normalized text, image file hash) labelled differently."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.rules._media import CACHE_DIR, LabelFolders
from labellint.rules._spans import quote
from labellint.rules.base import Finding, Rule, RuleContext, Scope

CACHE_FILE = "image-hashes.json"  # in CACHE_DIR beside the label file (rules/_media.py keeps it)
__all__ = ["CACHE_DIR", "CACHE_FILE", "ConflictingDuplicates"]


class ConflictingDuplicates(Rule):
    """Two items with the same content, the same text once case-folded and whitespace-collapsed
    or the same image file bytes, carry different labels (one problem per later item).

    Only answers to the same question are compared. Beyond the content, the question is the task
    a reader records (a Prodigy binary answer's label, a Label Studio task's media, the COCO task
    file: `stuff_`, `panoptic_`, `person_keypoints_` label one image set for other questions than
    `instances_`) and, for images, whether the file labels objects or the whole image: a photo
    classified "dog" may well hold a boxed cat. An item whose labels the reader does not know in
    full (a COCO `image_info_` list without annotations, a shape dropped for want of a label) is
    no answer at all, and is left out rather than read as "no label".
    """

    code = "LL303"
    name = "conflicting-duplicates"
    scope = Scope.DATASET

    def check(self, context: RuleContext) -> Iterator[Finding]:
        ds = context.dataset
        if not ds.n_items:
            return
        repeated = _same_questions(ds, _content_keys(context))
        if not repeated:
            return
        labels = _label_sets(ds)
        who = _item_annotators(ds)
        for members in repeated:
            for first, item in _same_annotator_pairs(members, who):
                if labels[item] == labels[first]:
                    continue
                where = ds.item_location(first)
                at = f"line {where.line}" if where.line else (where.pointer or f"item {where.item}")
                if ds.item_file[first] != ds.item_file[item]:
                    at = f"{where.path} {at}"
                same = f"same text as the item at {at}"
                if ds.text_of(item) is None:
                    same = f"same image file as the item at {at}"
                    if ds.item_names[first] != ds.item_names[item]:  # a renamed copy: say it is one
                        same = f"same image file, byte for byte, as {ds.item_names[first]!r} at {at}"
                yield Finding(
                    f"{same}, labelled {_show(labels[first])} there but {_show(labels[item])} here",
                    item=item,
                    identity=f"{ds.item_ids[first]}",
                )


def _same_questions(ds, keys: list[str | None]) -> list[list[int]]:
    """Groups of two or more items asked the same question: the same content and task (a Prodigy
    binary answer about another label, a Label Studio task on other media, another COCO task
    file is another question), and for images the same kind of label (whole image or objects).
    Items whose labels are not known in full are no answer."""
    groups: dict[tuple[str, str | None], list[int]] = {}
    unknown = ds.item_labels_unknown
    for item, key in enumerate(keys):
        if key is not None and item not in unknown:
            groups.setdefault((key, ds.item_task.get(item)), []).append(item)
    repeated = [members for members in groups.values() if len(members) > 1]
    if not any(keys[members[0]].startswith("i:") for members in repeated):
        return repeated
    whole_image = _image_level_files(ds)  # only once images repeat: it walks every annotation
    out: list[list[int]] = []
    for members in repeated:
        by_kind: dict[bool, list[int]] = {}
        for item in members:
            image_level = keys[item].startswith("i:") and int(ds.item_file[item]) in whole_image
            by_kind.setdefault(image_level, []).append(item)
        out.extend(same for same in by_kind.values() if len(same) > 1)
    return out


def _content_keys(context: RuleContext) -> list[str | None]:
    """Normalized text per item, else a hash of its image file when that file is present."""
    ds = context.dataset
    keys: list[str | None] = []
    texts = ds.item_text or [None] * ds.n_items
    folders = LabelFolders(context, None)  # label paths as given: relative to the working folder
    item_file = ds.item_file.tolist()
    names = ds.item_names
    for item, text in enumerate(texts):
        if text is not None:
            keys.append("t:" + " ".join(text.split()).casefold())
            continue
        name = names[item] if item < len(names) else None
        if not name:
            keys.append(None)
            continue
        files, found = folders.find(item_file[item], name)
        keys.append(None if found is None else "i:" + files.digest(found))
    for files in folders.used():
        files.save()
    return keys


def _image_level_files(ds) -> set[int]:
    """Files whose labels are about the whole image: they have annotations and none of them has
    geometry (no box, segmentation, keypoints or points), as a classification table or COCO's
    image-level `labels_` file. A file with no annotations asks nothing of its own kind (a YOLO
    negative's empty file is a box file), so it keeps the objects question."""
    if not ds.n_annotations:
        return set()
    geometric = ~np.isnan(ds.ann_box).all(axis=1)
    for sparse in (ds.ann_segmentation, ds.ann_keypoints):
        geometric[list(sparse)] = True
    geometric[[a for a, fields in ds.ann_fields.items() if "points" in fields]] = True
    files = ds.ann_file
    with_labels = set(np.unique(files).tolist())
    return with_labels - set(np.unique(files[geometric]).tolist())


def _label_sets(ds) -> list[tuple]:
    """Per item, its labels: the set of class names, plus (start, end, class) for spans."""
    out: list[set] = [set() for _ in range(ds.n_items)]
    spans = ds.spans()
    items = ds.ann_item.tolist()
    has_span = (spans[:, 0] >= 0).tolist()
    names = ds.class_names
    for a, (item, cls) in enumerate(zip(items, ds.ann_class.tolist(), strict=True)):
        if item < 0:
            continue
        name = names[cls] if cls >= 0 else ds.class_name(a)
        out[item].add((int(spans[a, 0]), int(spans[a, 1]), name) if has_span[a] else name)
    return [tuple(sorted(labels, key=str)) for labels in out]


_SEVERAL = object()  # an item whose annotations come from more than one annotator


def _item_annotators(ds) -> list[object]:
    """Per item, who answered it: the one annotator of its annotations, else the one recorded for
    an item without annotations (a reject, "nothing here"), None when unknown, _SEVERAL when many."""
    who: list[object] = [ds.item_annotator.get(item) for item in range(ds.n_items)]
    index = ds.annotator_index()
    known = (index >= 0) & (ds.ann_item >= 0)
    if not known.any():
        return who
    pairs = np.unique(np.stack([ds.ann_item[known], index[known]]), axis=1)
    for item, annotator in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
        name = ds.annotators[annotator]
        who[item] = name if who[item] in (None, name) else _SEVERAL
    return who


def _same_annotator_pairs(members: list[int], who: list[object]) -> Iterator[tuple[int, int]]:
    """(first, later) items of one question answered by the same annotator (unknown counts as
    one). Answers by different annotators, or by several on one item, disagree by design: that is
    agreement's business, not a conflict."""
    by_annotator: dict[object, list[int]] = {}
    for item in members:
        if who[item] is not _SEVERAL:
            by_annotator.setdefault(who[item], []).append(item)
    for same in by_annotator.values():
        for item in same[1:]:
            yield same[0], item


def _show(labels: tuple) -> str:
    if not labels:
        return "with no label"
    parts = [f"{lab[2]}@[{lab[0]}, {lab[1]})" if isinstance(lab, tuple) else lab for lab in labels]
    return quote(", ".join(parts), 80)
