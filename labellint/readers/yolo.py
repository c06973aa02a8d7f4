"""YOLO txt reader: one file per image, `class cx cy w h` in [0, 1] (also segmentation and pose)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile
from labellint.readers.base import ReadContext, Reader, issue

NAME_FILES = ("data.yaml", "dataset.yaml", "data.yml", "config.yaml", "classes.txt", "obj.names")
NOT_LABELS = {"classes.txt", "readme.txt", "requirements.txt", "license.txt", "notes.txt"}


class YoloReader(Reader):
    """Reads YOLO label files; class names from data.yaml / classes.txt nearby, or the spec's ids."""

    name = "yolo"
    suffixes = (".txt",)
    description = "YOLO txt: `class cx cy w h` normalized, with data.yaml or classes.txt for names"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".txt" or path.name.lower() in NOT_LABELS:
            return False
        if "labels" in path.parts:
            # YOLO's own layout: whatever is in it is meant as labels, so a file that cannot be
            # decoded is reported (LL001), not skipped.
            return True
        first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].split()
        if not first:  # an empty label file is a YOLO image with no objects
            return not head.strip()
        try:
            int(first[0])
            [float(v) for v in first[1:]]
        except ValueError:
            return False
        return len(first) >= 5

    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        names_cache: dict[Path, tuple[dict[int, str], dict[str, Any]] | None] = {}
        issues: list[ReaderIssue] = []
        files: list[SourceFile] = []
        class_index: dict[tuple[str, int], int] = {}
        columns: dict[str, list[Any]] = {k: [] for k in ("item", "cls", "box", "line", "index")}
        segmentation: dict[int, list[float]] = {}
        unresolved: dict[int, Any] = {}
        item_ids: list[str] = []
        for path in paths:
            names, meta = self._names_for(path, context, names_cache, issues)
            display = context.display(path)
            file_index = len(files)
            files.append(SourceFile(path=display, reader=self.name, meta=meta))
            item_ids.append(display[:-4] if display.lower().endswith(".txt") else display)
            try:
                text = context.read_bytes(path).decode("utf-8").removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                issues.append(issue("LL001", f"not UTF-8 text: {exc.reason} at byte {exc.start}", display))
                continue
            keypoints = meta.get("kpt_shape")
            for line_number, line in enumerate(text.splitlines(), start=1):
                fields = line.split()
                if not fields:
                    continue
                parsed = _parse_line(fields, keypoints)
                if isinstance(parsed, str):
                    issues.append(
                        issue(
                            "LL002",
                            parsed,
                            display,
                            line=line_number,
                            column=1,
                            identity=f"{display}:{line.strip()}",
                        )
                    )
                    continue
                class_id, box, polygon = parsed
                a = len(columns["cls"])
                if class_id in names:
                    key = (names[class_id], class_id)
                    columns["cls"].append(class_index.setdefault(key, len(class_index)))
                else:
                    columns["cls"].append(-1)
                    unresolved[a] = class_id
                columns["item"].append(file_index)
                columns["box"].append(box)
                columns["line"].append(line_number)
                columns["index"].append(line_number - 1)
                if polygon is not None:
                    segmentation[a] = polygon
        n_items, n_anns = len(files), len(columns["cls"])
        dataset = Dataset(files=files, classes=[ClassRef(n, i) for n, i in class_index], issues=issues)
        dataset.item_ids = np.asarray(item_ids, dtype=object)
        dataset.item_names = list(item_ids)
        dataset.item_file = np.arange(n_items, dtype=np.int32)
        dataset.item_line = np.zeros(n_items, np.int32)
        dataset.item_index = np.zeros(n_items, np.int32)
        dataset.item_width = np.full(n_items, np.nan)
        dataset.item_height = np.full(n_items, np.nan)
        dataset.item_normalized = np.ones(n_items, bool)
        dataset.ann_ids = np.full(n_anns, None, dtype=object)
        dataset.ann_item = np.asarray(columns["item"], np.int32)
        dataset.ann_class = np.asarray(columns["cls"], np.int32)
        dataset.ann_box = np.asarray(columns["box"], np.float64).reshape(n_anns, 4)
        dataset.ann_file = dataset.ann_item.copy()
        dataset.ann_line = np.asarray(columns["line"], np.int32)
        dataset.ann_index = np.asarray(columns["index"], np.int32)
        dataset.ann_segmentation = segmentation
        dataset.unresolved_class = unresolved
        return dataset

    def _names_for(
        self,
        path: Path,
        context: ReadContext,
        cache: dict[Path, tuple[dict[int, str], dict[str, Any]] | None],
        issues: list[ReaderIssue],
    ) -> tuple[dict[int, str], dict[str, Any]]:
        """Class names for a label file: reader option, the nearest names file, else the spec."""
        if "names" in context.options:
            return _names_map(context.options["names"]), {}
        folder = path.parent
        for candidate_folder in [folder, *folder.parents][:4]:
            if candidate_folder not in cache:
                cache[candidate_folder] = _names_in(candidate_folder, context, issues)
            found = cache[candidate_folder]
            if found is not None:
                return found
        if context.spec:
            return context.spec.names_by_id(), {}
        # No names anywhere: the index is the only name there is (not a dangling reference).
        return _IndexNames(), {"names": "index"}


def _names_in(folder: Path, context: ReadContext, issues: list[ReaderIssue]) -> tuple[dict[int, str], dict] | None:
    for name in NAME_FILES:
        candidate = folder / name
        if not context.is_file(candidate):
            continue
        display = context.display(candidate)
        text = context.read_bytes(candidate).decode("utf-8", "replace")
        if name.endswith((".txt", ".names")):
            return {i: n.strip() for i, n in enumerate(text.splitlines()) if n.strip()}, {}
        from labellint.spec.loader import YamlSyntaxError, parse_yaml, to_plain

        try:
            document = to_plain(parse_yaml(text))
        except YamlSyntaxError as exc:
            issues.append(issue("LL001", f"invalid YAML: {exc.problem}", display, line=exc.line, column=exc.column))
            continue
        if isinstance(document, dict) and "names" in document:
            meta = {k: document[k] for k in ("kpt_shape",) if k in document}
            return _names_map(document["names"]), meta
    return None


class _IndexNames(dict):
    """Class names when none are declared: every index names itself."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and key >= 0

    def __missing__(self, key: int) -> str:
        return str(key)


def _names_map(names: Any) -> dict[int, str]:
    if isinstance(names, dict):
        return {int(k): str(v) for k, v in names.items()}
    return {i: str(n) for i, n in enumerate(names or [])}


def _parse_line(fields: list[str], keypoints: Any) -> tuple[int, list[float], list[float] | None] | str:
    """(class, xywh box, polygon or None), or the reason the line is not a YOLO record."""
    try:
        class_id = int(fields[0])
    except ValueError:
        return f"class id {fields[0]!r} is not an integer"
    try:
        values = [float(v) for v in fields[1:]]
    except ValueError:
        bad = next(v for v in fields[1:] if not _is_float(v))
        return f"coordinate {bad!r} is not a number"
    if len(values) == 4 or keypoints:
        if len(values) < 4:
            return f"expected `class cx cy w h`, found {len(fields)} fields"
        cx, cy, w, h = values[:4]
        return class_id, [cx - w / 2, cy - h / 2, w, h], None
    if len(values) >= 6 and len(values) % 2 == 0:
        xs, ys = values[0::2], values[1::2]
        x0, y0 = min(xs), min(ys)
        return class_id, [x0, y0, max(xs) - x0, max(ys) - y0], values
    return f"expected `class cx cy w h` (or a polygon of x y pairs), found {len(fields)} fields"


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
