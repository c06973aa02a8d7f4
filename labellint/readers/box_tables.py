"""Box tables: generic `filename,class,xmin,ymin,xmax,ymax` CSVs (TF Object Detection, Roboflow,
VoTT, Kaggle) and Open Images CSVs (normalized boxes, image-level labels, class descriptions)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from itertools import chain
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._image_size import image_size
from labellint.readers._shapes import ShapeBuilder
from labellint.readers.base import ReadContext, Reader
from labellint.support.csv_cells import csv_rows, numbered_records
from labellint.support.gc_pause import gc_paused
from labellint.support.numbers import is_float_text

IMAGE_COLUMNS = ("filename", "file_name", "image", "image_name", "image_path", "path", "file", "image_id")
LABEL_COLUMNS = ("class", "label", "label_name", "class_name", "category", "category_name")
# (left, top, right, bottom) or (left, top, width, height) column names, in the order tried.
CORNERS = (("xmin", "ymin", "xmax", "ymax"), ("x_min", "y_min", "x_max", "y_max"), ("x1", "y1", "x2", "y2"))
SIZES = (("x", "y", "w", "h"), ("x1", "y1", "w", "h"), ("x", "y", "width", "height"))
OPEN_IMAGES_BOX = ("XMin", "XMax", "YMin", "YMax")
OPEN_IMAGES_FLAGS = ("IsOccluded", "IsTruncated", "IsGroupOf", "IsDepiction", "IsInside")
# Kaggle's one-cell boxes ("[x, y, w, h]", Global Wheat Detection's train.csv): corners or x, y,
# w, h cannot be told from the numbers, so the layout is read only with evidence (below).
BBOX_COLUMN = "bbox"
BBOX_FORMATS = ("xywh", "xyxy")
# How many cells of a column `_floats` looks at to see whether its values repeat.
_SAMPLE = 10_000
CLASS_FILES = ("oidv6-class-descriptions.csv", "class-descriptions-boxable.csv", "class-descriptions.csv")


def _header(path: Path, head: bytes) -> list[str]:
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    try:
        cells = next(csv.reader([first], delimiter="\t" if path.suffix.lower() == ".tsv" else ","), [])
    except csv.Error:  # not a CSV header (a binary file, a stray carriage return)
        return []
    return [c.strip() for c in cells]


class _Table:
    """One CSV: header positions by lower-cased name and numbered rows (line numbers kept)."""

    def __init__(self, text: str, delimiter: str) -> None:
        header, records, lines = numbered_records(text, delimiter)
        self.header = [h.strip() for h in header]
        self.at = {h.lower(): k for k, h in enumerate(self.header)}
        # Only a line with no cells at all is blank; a row of empty cells is a broken row.
        if not records or min(map(len, records)) >= 2:
            self.records, self.lines = records, lines
            return
        kept = [k for k, row in enumerate(records) if len(row) > 1 or (row and row[0].strip())]
        self.records, self.lines = [records[k] for k in kept], [lines[k] for k in kept]

    def line_array(self) -> np.ndarray:
        """The line of every row that is not blank, as an int32 array."""
        if isinstance(self.lines, range):
            return np.arange(self.lines.start, self.lines.stop, dtype=np.int32)
        return np.asarray(self.lines, np.int32)

    @property
    def rows(self) -> Any:
        """(line, cells) of every row that is not blank."""
        return zip(self.lines, self.records, strict=True)

    def find(self, names: Sequence[str]) -> int | None:
        return next((self.at[n.lower()] for n in names if n.lower() in self.at), None)


def class_column(header: list[str]) -> int | None:
    """The class column of a box table whose header cells are `header` (stripped), as `read` finds it."""
    at = {h.lower(): k for k, h in enumerate(header)}
    return next((at[n] for n in LABEL_COLUMNS if n in at), None)


def bbox_cell_layout(columns: set[str]) -> bool:
    """A table with an image column, one `bbox` cell a box, and the images' `width` and `height`:
    the Kaggle layout whose boxes are documented as x, y, w, h in pixels (Global Wheat Detection)."""
    return BBOX_COLUMN in columns and bool(columns & set(IMAGE_COLUMNS)) and {"width", "height"} <= columns


def _box_columns(columns: set[str]) -> tuple[tuple[str, ...], bool] | None:
    """The four box columns (lower-cased) and whether they are corners (else x, y, w, h)."""
    for names in CORNERS:
        if set(names) <= columns:
            return names, True
    for names in SIZES:
        if set(names) <= columns:
            return names, False
    return None


class BoxTableReader(Reader):
    """Reads detection tables with one box a row (TF Object Detection / Roboflow CSV, VoTT CSV).

    Columns are found by their usual names: the image (`filename`, `image`, `image_name`, `path`,
    ...), the class (`class`, `label`, `label_name`, ...), the box as corners (`xmin,ymin,xmax,ymax`
    or `x1,y1,x2,y2`) or as `x,y,w,h`, and the image size (`width`, `height`) when the table
    has it; otherwise the size is read from the image beside the table (or in `images/`) when
    it is there. Item ids are the image names; every row is an annotation at its line.

    Kaggle's one-cell boxes (`image_id,width,height,bbox,source` with `"[x, y, w, h]"`, as in
    Global Wheat Detection) are claimed only with the `width` and `height` columns beside (that
    layout's boxes are x, y, w, h); otherwise name the reader with the option `bbox_format`
    (`xywh` or `xyxy`). Without a class column every box is of the class `class_name` (option,
    default `object`).
    """

    name = "box_csv"
    suffixes = (".csv", ".tsv")
    description = "Box tables: filename,width,height,class,xmin,ymin,xmax,ymax (TF OD, Roboflow, VoTT)"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() not in self.suffixes:
            return False
        columns = {c.lower() for c in _header(path, head)}
        has = bool(columns & set(IMAGE_COLUMNS)) and bool(columns & set(LABEL_COLUMNS))
        return (has and _box_columns(columns) is not None) or bbox_cell_layout(columns)

    @gc_paused
    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        builder = ShapeBuilder(SourceFile(path=context.display(path), reader=self.name), shared_ids=True)
        table = _decode(path, context, builder)
        if table is None:
            return builder.build()
        found = _box_columns(set(table.at))
        image, label = table.find(IMAGE_COLUMNS), table.find(LABEL_COLUMNS)
        if found is None and image is not None and BBOX_COLUMN in table.at:
            _BoxCells(builder, table, context.options or {}).read(image, label)
            return builder.build()
        if found is None or image is None or label is None:
            builder.problem("no image, class and box columns (xmin,ymin,xmax,ymax or x,y,w,h)", line=1)
            return builder.build()
        names, corners = found
        box_at = [table.at[n] for n in names]
        size_at = (table.find(("width",)), table.find(("height",))) if corners else (None, None)
        columns = _columns(table, box_at)
        if columns is None:
            _box_rows(builder, table, (image, label, box_at, size_at, corners), path, context)
            return builder.build()
        column, numbers = columns
        boxes = np.column_stack(numbers)
        if corners:
            boxes[:, 2:] -= boxes[:, :2]
        names_of = list(map(str.strip, column(image)))
        number_of = {name: k for k, name in enumerate(dict.fromkeys(names_of))}  # items by first appearance
        of_item = np.fromiter(map(number_of.__getitem__, names_of), np.int32, len(names_of))
        # Items are numbered as they first appear, so a row is an item's first exactly when its
        # number exceeds every number before it.
        first = np.flatnonzero(of_item > np.maximum.accumulate(np.concatenate(([-1], of_item[:-1]))))
        lines = table.line_array()
        ids = list(number_of)
        if None not in size_at:
            at = first.tolist()
            sizes = _sizes(*([cells[k] for k in at] for cells in map(column, size_at)))
        else:
            beside = [_beside(path, name, context) for name in ids]
            sizes = (np.array([s[0] for s in beside], np.float64), np.array([s[1] for s in beside], np.float64))
        labels = list(map(str.strip, column(label)))
        return builder.build_columns(ids, lines[first], (of_item, labels, boxes, lines), sizes)


def _columns(table: _Table, box_at: list[int]) -> tuple[Callable[[int], list[str]], list[np.ndarray]] | None:
    """The table's cells column by column (a function of the column's position) and its box
    columns as numbers, or None when some row is malformed (a cell count unlike the header's, a
    box cell not a number): then rows are read one by one."""
    records, width = table.records, len(table.header)
    if not records or min(map(len, records)) != width or max(map(len, records)) != width:
        return None
    # All cells in one list, a column every `width`-th: slicing is done in C, where taking a cell
    # of each row (itemgetter, zip(*rows)) calls into Python once per row and column.
    cells = list(chain.from_iterable(records))

    def column(k: int) -> list[str]:
        return cells[k::width]

    try:
        numbers = [_floats(column(k)) for k in box_at]
    except ValueError:
        return None
    return column, numbers


def _floats(cells: Sequence[str]) -> np.ndarray:
    """`float` of every cell (ValueError as `float` raises it). Pixel coordinates and image sizes
    repeat a lot in a big table (a few thousand values in a million cells): when a sample of the
    cells shows that, each distinct text is converted once and looked up (hashing is cheaper than
    parsing a float), else every cell is converted."""
    sample = cells[:_SAMPLE]
    if len(cells) < 4 * _SAMPLE or len(set(sample)) * 4 > len(sample):
        return np.fromiter(map(float, cells), np.float64, len(cells))
    value_of = {text: float(text) for text in dict.fromkeys(cells)}
    return np.fromiter(map(value_of.__getitem__, cells), np.float64, len(cells))


def _box_rows(builder: ShapeBuilder, table: _Table, roles: tuple, path: Path, context: ReadContext) -> None:
    """Row by row, reporting each malformed row (the path for tables `_columns` cannot take whole)."""
    image, label, box_at, size_at, corners = roles
    items: dict[str, int] = {}
    of_item: list[int] = []
    labels: list[str] = []
    boxes: list[tuple] = []
    lines: list[int] = []
    for line, row in table.rows:
        if len(row) != len(table.header):
            builder.problem(f"row has {len(row)} cells, the header has {len(table.header)}", line=line, column=1)
            continue
        numbers = _numbers(row, box_at, builder, line, table.header)
        if numbers is None:
            continue
        a, b, c, d = numbers
        box = (a, b, c - a, d - b) if corners else (a, b, c, d)
        name = row[image].strip()
        if name not in items:
            size = _size(row, size_at) if None not in size_at else _beside(path, name, context)
            items[name] = builder.add_item(name, None, line=line, name=name, width=size[0], height=size[1])
        of_item.append(items[name])
        labels.append(row[label].strip())
        boxes.append(box)
        lines.append(line)
    builder.add_boxes(of_item, labels, boxes, lines)


def _decode(path: Path, context: ReadContext, builder: ShapeBuilder) -> _Table | None:
    try:
        text = context.read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        builder.problem(not_utf8(exc), code="LL001")
        return None
    return _Table(text, "\t" if path.suffix.lower() == ".tsv" else ",")


def _numbers(row: list[str], at: list[int], builder: ShapeBuilder, line: int, header: list[str]) -> list[float] | None:
    try:
        return [float(row[k]) for k in at]
    except ValueError:
        k = next(k for k in at if not is_float_text(row[k]))
        builder.problem(f"column {header[k]!r}: {row[k]!r} is not a number", line=line, column=1)
        return None


def _size(row: list[str], at: tuple[int | None, int | None]) -> tuple[float, float]:
    try:
        return float(row[at[0]]), float(row[at[1]])
    except ValueError:
        return np.nan, np.nan


def _sizes(widths: Sequence[str], heights: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """`_size` of many items at once: (widths, heights) as numbers, both NaN where either is not one."""
    try:
        return _floats(widths), _floats(heights)
    except ValueError:
        pairs = [_size(pair, (0, 1)) for pair in zip(widths, heights, strict=True)]
        return np.array([p[0] for p in pairs], np.float64), np.array([p[1] for p in pairs], np.float64)


def _beside(path: Path, name: str, context: ReadContext) -> tuple[float, float]:
    for folder in (path.parent, path.parent / "images"):
        candidate = folder / PurePath(name)
        if context.is_file(candidate):
            return image_size(candidate, context)
    return np.nan, np.nan


class _BoxCells:
    """Rows of a table whose boxes are one `bbox` cell ("[a, b, c, d]"), in the format the
    `bbox_format` option names (`xywh`, `xyxy`), or x, y, w, h with `width`/`height` columns."""

    def __init__(self, builder: ShapeBuilder, table: _Table, options: dict[str, Any]) -> None:
        self.builder, self.table = builder, table
        self.format = options.get("bbox_format")
        if self.format is None and bbox_cell_layout(set(table.at)):
            self.format = "xywh"
        # A table without a class column (Global Wheat Detection: one class) names its class here.
        self.class_name = str(options.get("class_name", "object"))

    def read(self, image: int, label: int | None) -> None:
        table, builder = self.table, self.builder
        if self.format not in BBOX_FORMATS:
            found = "" if self.format is None else f" (found {self.format!r})"
            builder.problem(
                f"one `bbox` column holds corners or x,y,w,h: set the reader option bbox_format to "
                f"'xywh' or 'xyxy'{found}, or add `width` and `height` columns",
                line=1,
            )
            return
        cell = table.at[BBOX_COLUMN]
        size_at = (table.find(("width",)), table.find(("height",)))
        items: dict[str, int] = {}
        for line, row in table.rows:
            if len(row) != len(table.header):
                builder.problem(f"row has {len(row)} cells, the header has {len(table.header)}", line=line, column=1)
                continue
            box = self.box(row[cell], line)
            if box is None:
                continue
            name = row[image].strip()
            if name not in items:
                size = _size(row, size_at) if None not in size_at else (np.nan, np.nan)
                items[name] = builder.add_item(name, None, line=line, name=name, width=size[0], height=size[1])
            name_of_class = row[label].strip() if label is not None else self.class_name
            builder.add_shape(items[name], name_of_class, box, line)

    def box(self, text: str, line: int) -> tuple[float, float, float, float] | None:
        """x, y, w, h from one cell, or None with an LL002 at the row's line."""
        inner = text.strip()
        values = inner[1:-1].split(",") if inner[:1] == "[" and inner[-1:] == "]" else []
        try:
            numbers = [float(v) for v in values]
        except ValueError:
            numbers = []
        if len(numbers) != 4:
            self.builder.problem(f"column 'bbox': {text!r} is not [4 numbers]", line=line, column=1)
            return None
        a, b, c, d = numbers
        return (a, b, c - a, d - b) if self.format == "xyxy" else (a, b, c, d)


class OpenImagesReader(Reader):
    """Reads Open Images annotation CSVs: boxes (`*-annotations-bbox.csv`) and image-level labels.

    Box files (`ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,...`) give
    normalized boxes ([0, 1] of the image; `IsOccluded`, `IsTruncated`, `IsGroupOf`,
    `IsDepiction`, `IsInside` as attributes when not -1, unknown); image-level label files
    (`ImageID,Source,LabelName,Confidence`) give labels without a box for `Confidence` 1 (a 0 is a
    verified absence, counted in the file's meta as `negative_labels`). Class names come from
    the class descriptions CSV beside the file (`oidv6-class-descriptions.csv`,
    `class-descriptions-boxable.csv`, `class-descriptions.csv`): `/m/0k4j` becomes `Car`.
    """

    name = "openimages"
    suffixes = (".csv",)
    description = "Open Images CSV: normalized boxes and image-level labels, MIDs named by class descriptions"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        header = _header(path, head)
        return header[:1] == ["ImageID"] and "LabelName" in header

    @gc_paused
    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        # Not one id namespace across files: Open Images keeps an image's boxes and its image-level
        # labels in separate files by design, so one ImageID in two files is not a duplicate.
        builder = ShapeBuilder(SourceFile(path=context.display(path), reader=self.name))
        table = _decode(path, context, builder)
        if table is None:
            return builder.build()
        names = _class_names(path, context, builder)
        image, label = table.find(("ImageID",)), table.find(("LabelName",))
        confidence = table.find(("Confidence",))
        box_at = [table.find((n,)) for n in OPEN_IMAGES_BOX]
        boxes = None not in box_at
        if image is None or label is None:
            builder.problem("an Open Images table needs `ImageID` and `LabelName` columns", line=1)
            return builder.build()
        _OpenImagesRows(builder, table, names, (image, label, confidence, box_at if boxes else None)).read()
        dataset = builder.build()
        dataset.item_normalized[:] = boxes
        dataset.classes = [ClassRef(names.get(c.name, c.name), c.name) for c in dataset.classes]
        return dataset


def _class_names(path: Path, context: ReadContext, builder: ShapeBuilder) -> dict[str, str]:
    for name in CLASS_FILES:
        candidate = path.parent / name
        if context.is_file(candidate):
            try:
                rows = list(csv_rows(io.StringIO(context.read_bytes(candidate).decode("utf-8-sig"))))
            except (UnicodeDecodeError, csv.Error) as exc:
                builder.problem(f"class descriptions {name!r} unreadable ({exc}): classes keep their MIDs")
                return {}
            return {r[0]: r[1] for r in rows if len(r) >= 2 and r[0] != "LabelName"}
    return {}


class _OpenImagesRows:
    def __init__(self, builder: ShapeBuilder, table: _Table, names: dict[str, str], columns: tuple) -> None:
        self.builder, self.table, self.names = builder, table, names
        self.image, self.label, self.confidence, self.box_at = columns
        self.items: dict[str, int] = {}
        self.flag_at = [(f, table.find((f,))) for f in OPEN_IMAGES_FLAGS]

    def read(self) -> None:
        negative = 0
        header = self.table.header
        for line, row in self.table.rows:
            if len(row) != len(header):
                self.builder.problem(f"row has {len(row)} cells, the header has {len(header)}", line=line, column=1)
                continue
            name = row[self.image].strip()
            if name not in self.items:
                self.items[name] = self.builder.add_item(name, None, line=line, name=name)
            if self.box_at is None:
                if self.confidence is not None and row[self.confidence].strip() in ("0", "0.0"):
                    negative += 1  # verified: the class is NOT in the image
                    continue
                self.builder.add_shape(self.items[name], row[self.label].strip(), None, line)
                continue
            self.box(name, line, row)
        if negative:
            self.builder.source.meta["negative_labels"] = negative

    def box(self, name: str, line: int, row: list[str]) -> None:
        numbers = _numbers(row, self.box_at, self.builder, line, self.table.header)
        if numbers is None:
            return
        x_min, x_max, y_min, y_max = numbers
        attributes: dict[str, Any] = {}
        for flag, at in self.flag_at:
            if at is not None and row[at].strip() in ("0", "1"):
                attributes[flag] = row[at].strip() == "1"
        fields = {"confidence": row[self.confidence]} if self.confidence is not None else None
        box = (x_min, y_min, x_max - x_min, y_max - y_min)
        self.builder.add_shape(
            self.items[name], row[self.label].strip(), box, line, fields=fields, attributes=attributes
        )
