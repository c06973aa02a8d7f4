"""YOLO txt reader: one file per image, `class cx cy w h` in [0, 1] (also segmentation and pose)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile
from labellint.readers._declared import repeated_names
from labellint.readers._encoding import not_utf8
from labellint.readers.base import SNIFF_BYTES, Candidate, ReadContext, Reader, issue

DATASET_YAML = ("data.yaml", "dataset.yaml", "data.yml")
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
        # 100k small files is the common shape: the work per file is kept to one read, a decode
        # and a split; folder-level facts (names, display prefix) are looked up once per folder.
        builder = _YoloBuilder(self, context)
        for path in paths:
            if path.name.lower() in NOT_LABELS:
                continue  # a names file swept up by a forced `--reader yolo` over a folder
            builder.add_file(path)
        return builder.dataset()

    def read_each(self, paths: Sequence[Path], context: ReadContext) -> list[Dataset]:
        # Each file alone, as read([path]) would give it, but each folder's names file parsed
        # once for all of them (with the issues it gave, which every piece of that folder repeats).
        memo: dict[Path, tuple[Any, list[ReaderIssue]]] = {}
        pieces = []
        for path in paths:
            builder = _YoloBuilder(self, context, memo)
            if path.name.lower() not in NOT_LABELS:
                builder.add_file(path)
            pieces.append(builder.dataset())
        return pieces

    def _names_for(
        self,
        path: Path,
        context: ReadContext,
        cache: dict[Path, tuple[dict[int, str], dict[str, Any]] | None],
        issues: list[ReaderIssue],
        memo: dict[Path, tuple[Any, list[ReaderIssue]]] | None = None,
    ) -> tuple[dict[int, str], dict[str, Any]]:
        """Class names for a label file: reader option, the nearest names file, else the spec."""
        if "names" in context.options:
            names = _names_map(context.options["names"])
            if isinstance(names, str):
                from labellint.errors import ConfigError

                raise ConfigError(f"reader option `names` {names}")
            return names, {}
        folder = path.parent
        for candidate_folder in [folder, *folder.parents][:4]:
            if candidate_folder not in cache:
                cache[candidate_folder] = _names_looked_up(candidate_folder, context, issues, memo)
            found = cache[candidate_folder]
            if found is not None:
                return found
        if context.spec:
            return context.spec.names_by_id(), {"names": "spec"}
        # No names anywhere: the index is the only name there is (not a dangling reference).
        return _IndexNames(), {"names": "index"}


class _YoloBuilder:
    """The columns of a YOLO dataset, filled file by file, line by line."""

    def __init__(self, reader: YoloReader, context: ReadContext, memo: dict | None = None) -> None:
        self.reader, self.context, self.memo = reader, context, memo
        self.names_cache: dict[Path, tuple[dict[int, str], dict[str, Any]] | None] = {}
        self.folder_cache: dict[Path, tuple[str, dict[int, str], dict[str, Any], tuple[int, int] | None]] = {}
        self.issues: list[ReaderIssue] = []
        self.files: list[SourceFile] = []
        self.class_index: dict[tuple[str, int], int] = {}
        self.class_of: dict[int, int] = {}  # YOLO index -> dataset class, for the current names table
        self.current_names: dict[int, str] | None = None
        self.item, self.cls, self.box, self.line = [], [], [], []
        self.segmentation: dict[int, list[float]] = {}
        self.keypoints: dict[int, list[float]] = {}
        self.unresolved: dict[int, Any] = {}
        self.item_ids: list[str] = []
        self.bad_shapes: set[str] = set()

    def _folder(self, folder: Path, path: Path) -> tuple[str, dict[int, str], dict[str, Any], tuple[int, int] | None]:
        """Display prefix, names, names-file meta and keypoint shape of a folder (looked up once)."""
        cached = self.folder_cache.get(folder)
        if cached is not None:
            return cached
        names, meta = self.reader._names_for(path, self.context, self.names_cache, self.issues, self.memo)
        shape = meta.get("kpt_shape")
        if shape is not None:
            shape = _kpt_shape(shape)
            if isinstance(shape, str):
                where = meta.get("names_file", "data.yaml")
                if where not in self.bad_shapes:  # once per data.yaml, not once per folder using it
                    self.bad_shapes.add(where)
                    self.issues.append(issue("LL002", shape, where))
                shape = None
        prefix = self.context.display(folder)
        cached = self.folder_cache[folder] = ("" if prefix == "." else prefix + "/", names, meta, shape)
        return cached

    def add_file(self, path: Path) -> None:
        prefix, names, meta, kpt_shape = self._folder(path.parent, path)
        if names is not self.current_names:
            self.current_names, self.class_of = names, {}
            if not isinstance(names, _IndexNames) and meta.get("names") != "spec":
                # Every class the names declare is a class of the labels, used or not (as CVAT's
                # and COCO's declared ones are); the spec's names are the spec's, not the labels'.
                for index, name in names.items():
                    self.class_index.setdefault((name, index), len(self.class_index))
        display = prefix + path.name
        file_index = len(self.files)
        self.files.append(SourceFile(path=display, reader=self.reader.name, meta=meta))
        self.item_ids.append(display[:-4] if display[-4:].lower() == ".txt" else display)
        try:
            text = self.context.read_bytes(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            self.issues.append(issue("LL001", not_utf8(exc), display))
            return
        if text.startswith("\ufeff"):
            text = text[1:]
        self._add_lines(text, display, file_index, names, kpt_shape)

    def _add_lines(
        self, text: str, display: str, file_index: int, names: dict[int, str], kpt_shape: tuple[int, int] | None
    ) -> None:
        col_item, col_cls, col_box, col_line, class_of = self.item, self.cls, self.box, self.line, self.class_of
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
                self.issues.append(issue("LL002", parsed, display, line=line_number, column=1, identity=identity))
                continue
            class_id, box, extra = parsed
            a = len(col_cls)
            cls = class_of.get(class_id)
            if cls is None:
                if class_id in names:
                    cls = self.class_index.setdefault((names[class_id], class_id), len(self.class_index))
                else:
                    cls = -1
                class_of[class_id] = cls
            if cls < 0:
                self.unresolved[a] = class_id
            col_cls.append(cls)
            col_item.append(file_index)
            col_box.append(box)
            col_line.append(line_number)
            if extra is not None:
                (self.keypoints if kpt_shape is not None else self.segmentation)[a] = extra

    def dataset(self) -> Dataset:
        n_items, n_anns = len(self.files), len(self.cls)
        classes = [ClassRef(n, i) for n, i in self.class_index]
        dataset = Dataset(files=self.files, classes=classes, issues=self.issues)
        dataset.item_ids = np.asarray(self.item_ids, dtype=object)
        dataset.item_names = list(self.item_ids)
        dataset.item_file = np.arange(n_items, dtype=np.int32)
        dataset.item_line = np.zeros(n_items, np.int32)
        dataset.item_index = np.zeros(n_items, np.int32)
        dataset.item_width = np.full(n_items, np.nan)
        dataset.item_height = np.full(n_items, np.nan)
        dataset.item_normalized = np.ones(n_items, bool)
        dataset.ann_ids = np.full(n_anns, None, dtype=object)
        dataset.ann_item = np.asarray(self.item, np.int32)
        dataset.ann_class = np.asarray(self.cls, np.int32)
        dataset.ann_box = np.asarray(self.box, np.float64).reshape(n_anns, 4)
        dataset.ann_file = dataset.ann_item.copy()
        dataset.ann_line = np.asarray(self.line, np.int32)
        dataset.ann_index = dataset.ann_line - 1
        dataset.ann_segmentation = self.segmentation
        dataset.ann_keypoints = self.keypoints
        dataset.unresolved_class = self.unresolved
        return dataset


def _names_looked_up(
    folder: Path, context: ReadContext, issues: list[ReaderIssue], memo: dict | None
) -> tuple[dict[int, str], dict] | None:
    """`_names_in`, once per folder for a whole `read_each` (the issues it gave go to each caller)."""
    if memo is None:
        return _names_in(folder, context, issues)
    if folder not in memo:
        found: list[ReaderIssue] = []
        memo[folder] = (_names_in(folder, context, found), found)
    names, found = memo[folder]
    issues.extend(found)
    return names


def _names_in(folder: Path, context: ReadContext, issues: list[ReaderIssue]) -> tuple[dict[int, str], dict] | None:
    for name in NAME_FILES:
        candidate = folder / name
        if not context.is_file(candidate):
            continue
        display = context.display(candidate)
        text = context.read_bytes(candidate).decode("utf-8", "replace")
        if name.endswith((".txt", ".names")):
            names = {i: n.strip() for i, n in enumerate(text.splitlines()) if n.strip()}
            issues.extend(_repeated_names(names, display, lambda index: (index + 1, 1)))  # index = line - 1
            return names, {}
        from labellint.spec.loader import YamlSyntaxError, parse_yaml, to_plain, yaml_position

        try:
            parsed = parse_yaml(text)
            document = to_plain(parsed)
        except YamlSyntaxError as exc:
            issues.append(issue("LL001", f"invalid YAML: {exc.problem}", display, line=exc.line, column=exc.column))
            continue
        if isinstance(document, dict) and "names" in document:
            meta = {k: document[k] for k in ("kpt_shape",) if k in document}
            meta["names_file"] = display
            names = _names_map(document["names"])
            if isinstance(names, str):
                line, column = yaml_position(parsed, ("names",)) or (None, None)
                issues.append(issue("LL001", f"`names` {names}", display, line=line, column=column))
                return _IndexNames(), {"names": "index", "names_file": display}
            issues.extend(_repeated_names(names, display, partial(_yaml_names_position, parsed)))
            return names, meta
        if name in DATASET_YAML and not (isinstance(document, dict) and isinstance(document.get("nc"), int)):
            # Ultralytics needs `names` (or at least `nc`); a data.yaml without them is broken, not absent.
            found = "an empty file" if document is None else f"a {type(document).__name__}"
            what = "a mapping without `names` or `nc`" if isinstance(document, dict) else found
            issues.append(issue("LL001", f"not a YOLO dataset file: {what}, expected `names:`", display, line=1))
    return None


def _repeated_names(names: dict[int, str], display: str, position: Any) -> Iterator[ReaderIssue]:
    """LL003 where a names list gives a name it gave an earlier index (two classes, one name)."""
    for index, message in repeated_names(names):
        line, column = position(index) or (None, None)
        yield issue("LL003", message, display, line=line, column=column)


def _yaml_names_position(parsed: Any, index: int) -> tuple[int, int] | None:
    from labellint.spec.loader import yaml_position

    return yaml_position(parsed, ("names", index))


class _IndexNames(dict):
    """Class names when none are declared: every index names itself."""

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and key >= 0

    def __missing__(self, key: int) -> str:
        return str(key)


def _names_map(names: Any) -> dict[int, str] | str:
    """Class names by index from data.yaml's `names` (a list, or a mapping of indexes to names),
    or what is wrong with it."""
    if isinstance(names, list):
        return {i: str(n) for i, n in enumerate(names)}
    if not isinstance(names, dict):
        return f"must be a list of class names or a mapping of class indexes to names, not {names!r}"
    bad = [k for k in names if isinstance(k, bool) or not isinstance(k, int) or k < 0]
    if bad:
        return f"keys must be class indexes (integers from 0), not {bad[0]!r}"
    return {k: str(v) for k, v in names.items()}


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
