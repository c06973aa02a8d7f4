"""The columns of a KITTI dataset: lines split file by file, every file's numbers converted at the end."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labellint.model import ClassRef, Dataset, ReaderIssue, SourceFile, ids_array
from labellint.readers._encoding import not_utf8
from labellint.readers._image_size import image_size
from labellint.readers.base import ReadContext, issue
from labellint.support.numbers import is_float_text
from labellint.support.paths import printable

LABEL_FOLDER = "label_2"
IMAGE_FOLDER = "image_2"
# The devkit's field order after `type`; the 2D box is left, top, right, bottom in pixels.
FIELDS = (
    "truncated",
    "occluded",
    "alpha",
    "left",
    "top",
    "right",
    "bottom",
    "height_3d",
    "width_3d",
    "length_3d",
    "x_3d",
    "y_3d",
    "z_3d",
    "rotation_y",
)
NUMBERS = len(FIELDS)  # per line, after the type (a 16th field, the score, is kept apart)
# The format fields of an annotation: every number but the attributes and the 2D box, in file order.
FORMAT_FIELDS = [k for k in FIELDS if k not in ("truncated", "occluded", "left", "top", "right", "bottom")]
_FORMAT_COLUMNS = [FIELDS.index(k) for k in FORMAT_FIELDS]
_TRUNCATED, _OCCLUDED, _LEFT, _TOP, _RIGHT, _BOTTOM = (FIELDS.index(k) for k in ("truncated", "occluded", *FIELDS[3:7]))


@dataclass(frozen=True, slots=True)
class _Folder:
    """What every label file of one folder shares: its displayed path, item id prefix and image folder."""

    display: str
    item_prefix: str
    images: Path | None


class KittiColumns:
    """Items and the lines' cells of KITTI files, added file by file; `dataset()` makes the columns.

    Per line only the split and a few appends happen here; the numbers of all lines are converted
    in one numpy call at the end (Python's float rules: numpy parses str objects with them).
    """

    def __init__(self, reader: str, context: ReadContext) -> None:
        self.reader, self.context = reader, context
        self.folders: dict[str, _Folder] = {}
        self.files: list[SourceFile] = []
        self.problems: list[tuple[int, int, ReaderIssue]] = []  # (file, line, issue): sorted at the end
        self.item_ids: list[str] = []
        self.item_file: list[int] = []
        self.item_width: list[float] = []
        self.item_height: list[float] = []
        self.item_rows: list[int] = []  # lines kept per item, in order
        self.types: list[str] = []
        self.numbers: list[str] = []  # NUMBERS cells per kept line, as written
        self.lines: list[int] = []
        self.scores: dict[int, str] = {}  # kept line -> its 16th field

    def _folder(self, key: str, folder: Path) -> _Folder:
        found = self.folders.get(key)
        if found is None:
            prefix = self.context.display(folder)
            parts = folder.parts
            under = parts[parts.index(LABEL_FOLDER) + 1 :] if LABEL_FOLDER in parts else ()
            images = None
            if LABEL_FOLDER in parts:  # the last label_2 of the path is the one image_2 stands beside
                at = len(parts) - 1 - parts[::-1].index(LABEL_FOLDER)
                images = Path(*parts[:at], IMAGE_FOLDER, *parts[at + 1 :])
                if self.context.is_dir is not None and not self.context.is_dir(images):
                    images = None  # no image_2 folder: no image to look for, file by file
            found = _Folder("" if prefix == "." else prefix + "/", "".join(part + "/" for part in under), images)
            self.folders[key] = found
        return found

    def add_file(self, path: Path) -> None:
        # Strings, not pathlib, per file: the folder's facts are looked up by its path's text.
        where, sep, name = str(path).rpartition(os.sep)
        folder = self.folders.get(where + sep) or self._folder(where + sep, path.parent)
        display = folder.display + printable(name)
        file_index = len(self.files)
        self.files.append(SourceFile(path=display, reader=self.reader, shared_item_ids=True))
        try:
            text = self.context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.problems.append((file_index, 0, issue("LL001", not_utf8(exc), display, line=None)))
            return
        dot = name.rfind(".")
        stem = name[:dot] if 0 < dot < len(name) - 1 else name  # Path.stem's rule
        width, height = image_size(None if folder.images is None else folder.images / (stem + ".png"), self.context)
        self.item_ids.append(folder.item_prefix + stem + ".png")
        self.item_file.append(file_index)
        self.item_width.append(width)
        self.item_height.append(height)
        kept = len(self.types)
        types, numbers, lines = self.types, self.numbers, self.lines
        for number, line in enumerate(text.splitlines(), 1):
            cells = line.split()
            if len(cells) == 15:
                types.append(cells[0])
                numbers.extend(cells[1:])
                lines.append(number)
            elif not cells:
                continue
            elif len(cells) == 16:
                self.scores[len(types)] = cells[15]
                types.append(cells[0])
                numbers.extend(cells[1:15])
                lines.append(number)
            else:
                self.problem(file_index, number, line_problem(cells))
        self.item_rows.append(len(types) - kept)

    def problem(self, file_index: int, line: int, message: str | None) -> None:
        where = self.files[file_index].path
        self.problems.append((file_index, line, issue("LL002", message, where, line=line, column=1)))

    def dataset(self) -> Dataset:
        row_item = np.repeat(np.arange(len(self.item_ids), dtype=np.int32), self.item_rows)
        values, scores, kept = self._values(row_item)
        is_dont_care = np.asarray(self.types, object) == "DontCare"
        self._dont_care(values[kept & is_dont_care], row_item[kept & is_dont_care])
        rows = np.flatnonzero(kept & ~is_dont_care)
        ds = self._items()
        ds.issues = [found for _, _, found in sorted(self.problems, key=lambda p: (p[0], p[1]))]
        _annotations(ds, values[rows], row_item[rows], np.asarray(self.lines, np.int32)[rows])
        names = np.asarray(self.types, object)[rows].tolist()
        ds.classes = [ClassRef(name) for name in dict.fromkeys(names)]
        class_of = {ref.name: k for k, ref in enumerate(ds.classes)}
        ds.ann_class = np.fromiter(map(class_of.__getitem__, names), np.int32, count=len(names))
        for a in np.flatnonzero(np.isin(rows, np.fromiter(scores, np.int64, count=len(scores)))).tolist():
            ds.ann_fields[a]["score"] = scores[int(rows[a])]
        return ds

    def _values(self, row_item: np.ndarray) -> tuple[np.ndarray, dict[int, float], np.ndarray]:
        """(numbers per line, scores by line, lines kept): lines with a bad number become LL002."""
        n = len(self.types)
        kept = np.ones(n, bool)
        try:
            values = np.array(self.numbers, np.float64).reshape(n, NUMBERS)
            scores = dict(zip(self.scores, np.array(list(self.scores.values()), np.float64).tolist(), strict=True))
        except ValueError:  # a cell that is not a number: found line by line, the rest converted
            values = np.full((n, NUMBERS), np.nan)
            scores = {}
            for row in range(n):
                cells = [self.types[row], *self.numbers[row * NUMBERS : (row + 1) * NUMBERS]]
                if row in self.scores:
                    cells.append(self.scores[row])
                message = line_problem(cells)
                if message:
                    kept[row] = False
                    self.problem(self.item_file[row_item[row]], self.lines[row], message)
                else:
                    values[row] = [float(v) for v in cells[1 : NUMBERS + 1]]
                    if row in self.scores:
                        scores[row] = float(self.scores[row])
        # An object's occlusion state is an integer: NaN or infinity cannot be one.
        unusable = kept & ~np.isfinite(values[:, _OCCLUDED]) & (np.asarray(self.types, object) != "DontCare")
        for row in np.flatnonzero(unusable).tolist():
            kept[row] = False
            cells = [self.types[row], *self.numbers[row * NUMBERS : (row + 1) * NUMBERS]]
            self.problem(self.item_file[row_item[row]], self.lines[row], line_problem(cells, False))
        return values, scores, kept

    def _dont_care(self, values: np.ndarray, items: np.ndarray) -> None:
        """Each file's DontCare regions in its meta, as x, y, w, h lists in line order."""
        boxes = _boxes(values).tolist()
        files = self.files
        for file_index, box in zip(np.asarray(self.item_file, np.int64)[items].tolist(), boxes, strict=True):
            files[file_index].meta.setdefault("dont_care", []).append(box)

    def _items(self) -> Dataset:
        n_items = len(self.item_ids)
        ds = Dataset(files=self.files)
        ds.item_ids = ids_array(self.item_ids)
        ds.item_names = list(self.item_ids)
        ds.item_file = np.asarray(self.item_file, np.int32)
        ds.item_line = np.zeros(n_items, np.int32)
        ds.item_index = np.zeros(n_items, np.int32)
        ds.item_width = np.asarray(self.item_width, np.float64)
        ds.item_height = np.asarray(self.item_height, np.float64)
        ds.item_normalized = np.zeros(n_items, bool)
        return ds


def _annotations(ds: Dataset, values: np.ndarray, items: np.ndarray, lines: np.ndarray) -> None:
    """The annotation columns of the object lines (class and scores apart)."""
    n = len(items)
    ds.ann_item = items.astype(np.int32)
    ds.ann_file = ds.item_file[items]
    ds.ann_line = lines
    ds.ann_index = np.zeros(n, np.int32)
    ds.ann_ids = np.full(n, None, object)
    ds.ann_box = _boxes(values)
    ds.ann_span = np.full((n, 2), -1, np.int64)
    ds.ann_annotator = np.full(n, -1, np.int32)
    occluded = values[:, _OCCLUDED]
    if n and np.abs(occluded).max() >= 2**63:  # past int64: Python's int of the float, exactly
        occluded_ints = [int(v) for v in occluded.tolist()]
    else:
        occluded_ints = occluded.astype(np.int64).tolist()  # truncated toward zero, as int() does
    truncated = values[:, _TRUNCATED].tolist()
    ds.ann_attributes = dict(
        enumerate({"truncated": t, "occluded": o} for t, o in zip(truncated, occluded_ints, strict=True))
    )
    # FORMAT_FIELDS spelled out: a dict display is twice as fast as dict(zip(...)) a million times.
    ds.ann_fields = dict(
        enumerate(
            {
                "alpha": a,
                "height_3d": h,
                "width_3d": w,
                "length_3d": n,
                "x_3d": x,
                "y_3d": y,
                "z_3d": z,
                "rotation_y": r,
            }
            for a, h, w, n, x, y, z, r in values[:, _FORMAT_COLUMNS].tolist()
        )
    )


def _boxes(values: np.ndarray) -> np.ndarray:
    """x, y, w, h from the lines' left, top, right, bottom."""
    left, top = values[:, _LEFT], values[:, _TOP]
    return np.column_stack([left, top, values[:, _RIGHT] - left, values[:, _BOTTOM] - top]).reshape(len(values), 4)


def line_problem(cells: list[str], occluded_is_number: bool = True) -> str | None:
    """Why a line's cells are not a KITTI object (or DontCare region), or None."""
    if len(cells) not in (15, 16):
        return f"expected 15 fields (type, truncated, occluded, alpha, 2D box, 3D box), found {len(cells)}"
    bad = next((v for v in cells[1:] if not is_float_text(v)), None)
    if bad is not None:
        return f"field {cells.index(bad) + 1} is not a number: {bad!r}"
    if not occluded_is_number:
        return f"field 3 (occluded) must be an integer, found {cells[2]!r}"
    return None
