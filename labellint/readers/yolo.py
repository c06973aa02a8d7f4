"""YOLO txt reader: one file per image, `class cx cy w h` in [0, 1] (also segmentation and pose)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile
from labellint.readers.base import SNIFF_BYTES, Candidate, ReadContext, Reader, issue

NAME_FILES = ("data.yaml", "dataset.yaml", "data.yml", "config.yaml", "classes.txt", "obj.names")
NOT_LABELS = {"classes.txt", "readme.txt", "requirements.txt", "license.txt", "notes.txt"}
# Coordinates this far outside [0, 1] are not normalized: the file is some other table of numbers.
NORMALIZED_SLACK = 1.0


def _yolo_rows(head: bytes) -> tuple[int, int]:
    """(rows that are YOLO rows, other non-blank rows) among the head's complete lines."""
    lines = head.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if len(head) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off by the head
    good = other = 0
    for line in lines:
        fields = line.split()
        if fields:
            if _is_yolo_row(fields):
                good += 1
            else:
                other += 1
    return good, other


def _is_yolo_row(fields: list[bytes]) -> bool:
    """A class index and 4, or 6 and more, numbers near [0, 1] (NaN and inf are broken values
    of a YOLO row, which LL202 names, not evidence of another format)."""
    try:
        if int(fields[0]) < 0:
            return False
        values = [float(v) for v in fields[1:]]
    except ValueError:
        return False
    if len(values) < 4 or len(values) == 5:
        return False
    return all(not math.isfinite(v) or -NORMALIZED_SLACK <= v <= 1 + NORMALIZED_SLACK for v in values)


def _in_labels_folder(candidate: Candidate) -> bool:
    return "labels" in (part.lower() for part in candidate.relative.parent.parts)


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut by the head's end
    return True


def _has_names_file(candidate: Candidate) -> bool:
    """A names file in the file's folder or a folder above it, below the dataset root."""
    folders = candidate.relative.parent
    return any(candidate.exists(folder / name) for folder in [folders, *folders.parents] for name in NAME_FILES)


class YoloReader(Reader):
    """Reads YOLO label files; class names from data.yaml / classes.txt nearby, or the spec's ids."""

    name = "yolo"
    suffixes = (".txt",)
    description = "YOLO txt: `class cx cy w h` normalized, with data.yaml or classes.txt for names"

    def claims(self, candidate: Candidate) -> bool:
        """Rows of a class index and normalized numbers (4, or more for polygons and keypoints),
        in YOLO's layout: a `labels/` folder or a names file (data.yaml, classes.txt, obj.names)
        beside the file or above it, both inside the dataset root. An empty file counts as an
        image without objects only in that layout. A file of mostly YOLO rows is claimed so that
        LL002 names its broken rows, and one in a `labels/` folder that is not UTF-8 text so
        that LL001 names it."""
        if candidate.suffix != ".txt" or candidate.relative.name.lower() in NOT_LABELS:
            return False
        good, other = _yolo_rows(candidate.head)
        if _in_labels_folder(candidate):
            return good > 0 or not other or not _is_utf8(candidate.head)
        # Beside a names file only: mostly YOLO rows (one matching row of a table is no evidence).
        return good >= other and _has_names_file(candidate)

    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        # 100k small files is the common shape: the work per file is kept to a read, a decode
        # and a split; folder-level facts (names, display prefix) are looked up once per folder.
        names_cache: dict[Path, tuple[dict[int, str], dict[str, Any]] | None] = {}
        folder_cache: dict[Path, tuple[str, dict[int, str], dict[str, Any], tuple[int, int] | None]] = {}
        issues: list[ReaderIssue] = []
        files: list[SourceFile] = []
        class_index: dict[tuple[str, int], int] = {}
        class_of: dict[int, int] = {}  # YOLO index -> dataset class, per names table
        columns: dict[str, list[Any]] = {k: [] for k in ("item", "cls", "box", "line")}
        segmentation: dict[int, list[float]] = {}
        keypoints: dict[int, list[float]] = {}
        unresolved: dict[int, Any] = {}
        item_ids: list[str] = []
        col_item, col_cls, col_box, col_line = columns["item"], columns["cls"], columns["box"], columns["line"]
        current_names: dict[int, str] | None = None
        bad_shapes: set[str] = set()
        for path in paths:
            if path.name.lower() in NOT_LABELS:
                continue  # a names file swept up by a forced `--reader yolo` over a folder
            folder = path.parent
            cached = folder_cache.get(folder)
            if cached is None:
                names, meta = self._names_for(path, context, names_cache, issues)
                shape = meta.get("kpt_shape")
                if shape is not None:
                    shape = _kpt_shape(shape)
                    if isinstance(shape, str):
                        where = meta.get("names_file", "data.yaml")
                        if where not in bad_shapes:  # once per data.yaml, not once per folder using it
                            bad_shapes.add(where)
                            issues.append(issue("LL002", shape, where))
                        shape = None
                prefix = context.display(folder)
                cached = folder_cache[folder] = ("" if prefix == "." else prefix + "/", names, meta, shape)
            prefix, names, meta, kpt_shape = cached
            if names is not current_names:
                current_names, class_of = names, {}
            display = prefix + path.name
            file_index = len(files)
            files.append(SourceFile(path=display, reader=self.name, meta=meta))
            item_ids.append(display[:-4] if display[-4:].lower() == ".txt" else display)
            try:
                text = context.read_bytes(path).decode("utf-8")
            except UnicodeDecodeError as exc:
                issues.append(issue("LL001", f"not UTF-8 text: {exc.reason} at byte {exc.start}", display))
                continue
            if text.startswith("\ufeff"):
                text = text[1:]
            for line_number, line in enumerate(text.splitlines(), start=1):
                fields = line.split()
                if not fields:
                    continue
                parsed = None
                if len(fields) == 5 and kpt_shape is None:
                    # The common detection line, inline: a call per line is a fifth of the read time.
                    try:
                        class_id = int(fields[0])
                        cx, cy, w, h = map(float, fields[1:])
                        parsed = (class_id, [cx - w / 2, cy - h / 2, w, h], None)
                    except ValueError:
                        pass
                if parsed is None:
                    parsed = _parse_line(fields, kpt_shape)
                if type(parsed) is str:
                    identity = f"{display}:{line.strip()}"
                    issues.append(issue("LL002", parsed, display, line=line_number, column=1, identity=identity))
                    continue
                class_id, box, extra = parsed
                a = len(col_cls)
                cls = class_of.get(class_id)
                if cls is None:
                    if class_id in names:
                        cls = class_index.setdefault((names[class_id], class_id), len(class_index))
                    else:
                        cls = -1
                    class_of[class_id] = cls
                if cls < 0:
                    unresolved[a] = class_id
                col_cls.append(cls)
                col_item.append(file_index)
                col_box.append(box)
                col_line.append(line_number)
                if extra is not None:
                    if kpt_shape is not None:
                        keypoints[a] = extra
                    else:
                        segmentation[a] = extra
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
        dataset.ann_index = dataset.ann_line - 1
        dataset.ann_segmentation = segmentation
        dataset.ann_keypoints = keypoints
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
            meta["names_file"] = display
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


def _parse_line(
    fields: list[str], kpt_shape: tuple[int, int] | None
) -> tuple[int, list[float], list[float] | None] | str:
    """(class, xywh box, polygon or keypoints or None), or the reason the line is not a YOLO record.

    Detection: `class cx cy w h`. Segmentation: `class x1 y1 x2 y2 ...` (3 or more points; an odd
    count of coordinates is kept so LL207 can name it). Pose (data.yaml has `kpt_shape: [K, D]`):
    `class cx cy w h` followed by exactly K*D keypoint values.
    """
    try:
        class_id = int(fields[0])
    except ValueError:
        return f"class id {fields[0]!r} is not an integer"
    try:
        values = [float(v) for v in fields[1:]]
    except ValueError:
        bad = next(v for v in fields[1:] if not _is_float(v))
        return f"coordinate {bad!r} is not a number"
    n = len(values)
    if kpt_shape is not None:
        expected = 4 + kpt_shape[0] * kpt_shape[1]
        if n != expected:
            return (
                f"a pose line needs 1 + 4 + {kpt_shape[0]}x{kpt_shape[1]} = {expected + 1} fields "
                f"(`class cx cy w h` and kpt_shape {list(kpt_shape)} keypoint values), found {n + 1}"
            )
        cx, cy, w, h = values[:4]
        return class_id, [cx - w / 2, cy - h / 2, w, h], values[4:]
    if n == 4:
        cx, cy, w, h = values
        return class_id, [cx - w / 2, cy - h / 2, w, h], None
    if n >= 6:
        xs, ys = values[0 : n - n % 2 : 2], values[1 : n - n % 2 : 2]
        x0, y0 = min(xs), min(ys)
        return class_id, [x0, y0, max(xs) - x0, max(ys) - y0], values
    return (
        f"expected `class cx cy w h` (5 fields) or a polygon `class x1 y1 x2 y2 x3 y3 ...` "
        f"(7 or more), found {n + 1} fields"
    )


def _kpt_shape(value: Any) -> tuple[int, int] | str:
    """data.yaml's `kpt_shape` as (keypoints, values per keypoint), or why it is unusable."""
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(type(v) is int for v in value)
        and value[0] > 0
        and value[1] in (2, 3)
    ):
        return int(value[0]), int(value[1])
    return f"`kpt_shape` must be [number of keypoints, 2 or 3], found {value!r}"


def _is_float(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
