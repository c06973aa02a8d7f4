"""Image classification readers: folder-per-class (ImageFolder), `filename,label` tables, txt lists."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from itertools import chain
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from labellint.model import ClassRef, Dataset, SourceFile
from labellint.readers._encoding import not_utf8
from labellint.readers._shapes import ShapeBuilder
from labellint.readers.base import ReadContext, Reader
from labellint.support.csv_cells import csv_rows, numbered_records
from labellint.support.gc_pause import gc_paused

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm")
# Folders that split a dataset, above its class folders (`train/cat/1.jpg`).
SPLIT_FOLDERS = {"train", "training", "val", "valid", "validation", "test", "testing", "dev"}
IMAGE_COLUMNS = ("filename", "file_name", "file", "image", "image_name", "image_path", "path", "image_id", "id")
LABEL_COLUMNS = ("label", "labels", "label_name", "class", "class_name", "category", "category_name")
# Columns of box tables and text tables: a header with any of these is not an image classification table.
NOT_CLASSIFICATION = {
    "xmin",
    "ymin",
    "xmax",
    "ymax",
    "x_min",
    "x1",
    "y1",
    "x2",
    "y2",
    "bbox",
    "text",
    "sentence",
    "labelname",
}
ONE_HOT = {"0", "1", "0.0", "1.0", "true", "false"}
NAME_FILES = ("synsets.txt", "labels.txt", "classes.txt", "class_names.txt")
# ImageNet lists are named by their split; other `image number` lists (CelebA identities, split
# assignments) look the same line by line, so the name (or a names file beside) is the evidence.
LIST_NAMES = ("train.txt", "val.txt", "valid.txt", "validation.txt", "test.txt", "trainval.txt")


class ImageFolderReader(Reader):
    """Reads folder-per-class image datasets (torchvision ImageFolder, ImageNet's train layout).

    Image files are no evidence of labels by themselves (a COCO folder has images too), so this
    reader never claims files: name it (`--reader imagefolder`, or `reader = "imagefolder"` in a
    dataset). The root is the folder the images share; each image's class is its first folder
    under the root, or the second when the first is a split (`train/cat/1.jpg`); images directly
    in the root are items without a class. Item ids are the paths under the class folder (the
    file names, unless a class has subfolders), one namespace per class folder.
    """

    name = "imagefolder"
    suffixes = IMAGE_SUFFIXES
    description = "Folder-per-class images (ImageFolder/ImageNet layout): class = folder (named with --reader)"

    def sniff(self, path: Path, head: bytes) -> bool:
        return False

    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        images = [p for p in paths if p.suffix.lower() in IMAGE_SUFFIXES]
        if not images:
            return Dataset()
        root = PurePath(os.path.commonpath([str(p.parent) for p in images]))
        if all(p.parent == root for p in images):
            root = root.parent  # one class folder named on its own: its name is the class
        by_folder: dict[PurePath, ShapeBuilder] = {}
        for path in images:
            parts = path.relative_to(root).parts
            if len(parts) > 2 and parts[0].lower() in SPLIT_FOLDERS:
                parts = parts[1:]
                folder = root / path.relative_to(root).parts[0] / parts[0]
            else:
                folder = root / parts[0] if len(parts) > 1 else root
            builder = by_folder.get(folder)
            if builder is None:
                source = SourceFile(path=context.display(Path(folder)), reader=self.name)
                builder = by_folder[folder] = ShapeBuilder(source)
            # The path under the class folder: the file name, unless the class has subfolders.
            item = builder.add_item(str(PurePath(*parts[1:])) if len(parts) > 1 else parts[0], None)
            if len(parts) > 1:
                builder.add_shape(item, parts[0], None, 0)
        return Dataset.concat([b.build() for b in by_folder.values()])


class ImageTableReader(Reader):
    """Reads image classification tables: an image column and a label column, or one-hot columns.

    The image column is found by its usual names (`filename`, `file`, `image`, `path`,
    `image_id`, ...), the label by `label`, `class`, `category`, ...; without a label column,
    every other column whose cells are all 0/1 is a one-hot label. Options: `image`, `label`
    (column names), `labels` (the one-hot columns), `delimiter`. Item ids are the image column's
    values; each row is at its line.
    """

    name = "image_csv"
    suffixes = (".csv", ".tsv")
    description = "Image classification CSV/TSV: filename + label columns, or one-hot label columns"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() not in self.suffixes:
            return False
        text = head.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
        try:
            rows = list(csv_rows(io.StringIO(text), "\t" if path.suffix.lower() == ".tsv" else ","))
        except csv.Error:  # a stray quote or carriage return: no evidence of a table
            return False
        if len(rows) < 2:
            return False
        header = [h.strip().lower() for h in rows[0]]
        if NOT_CLASSIFICATION & set(header) or not set(header) & set(IMAGE_COLUMNS):
            return False
        return _roles(header, rows[1:-1] or rows[1:], {}) is not None

    @gc_paused
    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
        try:
            text = context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            builder.problem(not_utf8(exc), code="LL001")
            return builder.build()
        options = context.options or {}
        delimiter = options.get("delimiter") or ("\t" if path.suffix.lower() == ".tsv" else ",")
        header, rows, lines = numbered_records(text, delimiter)
        header = [h.strip() for h in header]
        roles = image_table_roles(header, rows[:50], options)
        if roles is None:
            builder.problem("no image column and label column (set the `image` and `label` options)", line=1)
            return builder.build()
        image, label, _ = roles
        if label is not None:
            dataset = _label_columns(builder, rows, lines, len(header), image, label)
            if dataset is not None:
                return dataset
        _table_rows(builder, rows, lines, len(header), roles, header)
        return builder.build()


def image_table_roles(header: list[str], rows: list[list[str]], options: dict) -> Any:
    """(image column, label column or None, one-hot columns) of a table whose header cells are
    `header` (stripped) and first rows `rows`, as `read` finds them; None when it is not one."""
    return _roles([h.lower() for h in header], rows, options, header)


def _roles(lower: list[str], rows: list[list[str]], options: dict, header: list[str] | None = None) -> Any:
    """(image column, label column or None, one-hot columns) or None when the table is not one."""
    header = header or lower

    def position(wanted: str | None, usual: tuple[str, ...]) -> int | None:
        if wanted:
            return header.index(wanted) if wanted in header else None
        return next((lower.index(n) for n in usual if n in lower), None)

    image = position(options.get("image"), IMAGE_COLUMNS)
    if image is None:
        return None
    if options.get("labels"):
        onehot = [header.index(c) for c in options["labels"] if c in header]
        return (image, None, onehot) if len(onehot) == len(options["labels"]) else None
    label = position(options.get("label"), LABEL_COLUMNS)
    if label is not None:
        return image, label, []
    others = [k for k in range(len(lower)) if k != image]
    full = [r for r in rows if len(r) == len(lower)]
    onehot = [k for k in others if full and all(r[k].strip().lower() in ONE_HOT for r in full)]
    return (image, None, onehot) if len(onehot) >= 2 and len(onehot) == len(others) else None


def _table_rows(
    builder: ShapeBuilder, rows: list[list[str]], lines: Sequence[int], width: int, roles: Any, header: list[str]
) -> None:
    image, label, onehot = roles
    for number, row in zip(lines, rows, strict=True):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            builder.problem(f"row has {len(row)} cells, the header has {width}", line=number, column=1)
            continue
        name = row[image].strip()
        item = builder.add_item(name, None, line=number, name=name)
        if label is not None:
            if row[label].strip():
                builder.add_shape(item, row[label].strip(), None, number)
            continue
        for k in onehot:
            cell = row[k].strip().lower()
            if cell not in ONE_HOT:
                builder.problem(f"column {header[k]!r}: {row[k]!r} is not 0/1 or true/false", line=number, column=1)
            elif cell in ("1", "1.0", "true"):
                builder.add_shape(item, header[k], None, number)


def _label_columns(
    builder: ShapeBuilder, rows: list[list[str]], row_lines: Sequence[int], width: int, image: int, label: int
) -> Dataset | None:
    """Reads an image + label table column by column; None (nothing read) when a row is blank
    or malformed, so that the rows are read one by one and each bad one reported."""
    if not rows or min(map(len, rows)) != width or max(map(len, rows)) != width:
        return None
    # All cells in one list, a column every `width`-th: slicing is done in C, where taking a cell
    # of each row (itemgetter, zip(*rows)) calls into Python once per row and column.
    cells = list(chain.from_iterable(rows))
    names = list(map(str.strip, cells[image::width]))
    if not all(names):  # a row without an image name may be blank: the row-by-row path decides
        return None
    labels = list(map(str.strip, cells[label::width]))
    if isinstance(row_lines, range):
        lines = np.arange(row_lines.start, row_lines.stop, dtype=np.int32)
    else:
        lines = np.asarray(row_lines, np.int32)
    if all(labels):
        annotations = (np.arange(len(rows), dtype=np.int32), labels, None, lines)
    else:  # rows with an empty label are items without a class
        labelled = np.flatnonzero(np.fromiter(map(bool, labels), bool, len(labels)))
        annotations = (labelled.astype(np.int32), list(filter(None, labels)), None, lines[labelled])
    return builder.build_columns(names, lines, annotations)


class ImageListReader(Reader):
    """Reads ImageNet-style txt lists (`train.txt`, `val.txt`, ...): `path label_index` a line.

    Other names are read when the reader is named (`--reader imagenet_txt`).
    The names file is `synsets.txt`, `labels.txt`, `classes.txt` or `class_names.txt` in the same
    folder, or the `names` option (a path relative to the list); its line k names index k. With
    no names file, classes are named by their index. An index with no name is LL002.
    """

    name = "imagenet_txt"
    suffixes = (".txt",)
    description = "ImageNet txt list: `path label_index` lines with a synsets.txt names file"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.name.lower() not in LIST_NAMES:
            return False
        lines = head.decode("utf-8", "replace").splitlines()
        rows = [line.split() for line in (lines[:-1] if len(lines) > 1 else lines) if line.strip()]
        return bool(rows) and all(_list_row(r) for r in rows)

    @gc_paused
    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        builder = ShapeBuilder(SourceFile(path=display, reader=self.name), shared_ids=True)
        names = _names(path, context, builder)
        try:
            text = context.read_bytes(path).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            builder.problem(not_utf8(exc), code="LL001")
            return builder.build()
        for number, line in enumerate(text.splitlines(), 1):
            cells = line.rsplit(None, 1)
            if not cells:
                continue
            if len(cells) != 2 or not cells[1].lstrip("-").isdigit():
                builder.problem("expected `path label_index`", line=number, column=1)
                continue
            index = int(cells[1])
            item = builder.add_item(PurePath(cells[0]).name, None, line=number, name=cells[0])
            if names is not None and not 0 <= index < len(names):
                builder.problem(f"label index {index} has no name ({len(names)} names)", line=number, column=1)
                continue
            builder.add_shape(item, names[index] if names is not None else str(index), None, number)
        dataset = builder.build()
        if names is None:
            dataset.classes = [ClassRef(c.name, int(c.name)) for c in dataset.classes]
            dataset.files[0].meta["names"] = "index"
        return dataset


def _list_row(row: list[str]) -> bool:
    return len(row) == 2 and row[1].isdigit() and PurePath(row[0]).suffix.lower() in IMAGE_SUFFIXES


def _names(path: Path, context: ReadContext, builder: ShapeBuilder) -> list[str] | None:
    wanted = (context.options or {}).get("names")
    candidates = [path.parent / wanted] if wanted else [path.parent / n for n in NAME_FILES]
    for candidate in candidates:
        if context.is_file(candidate):
            try:
                text = context.read_bytes(candidate).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                builder.problem(f"names file {candidate.name!r} is not UTF-8 (byte {exc.start}): class names unread")
                return None
            names = [n.strip() for n in text.splitlines() if n.strip()]
            for name in names:
                builder.declare(name)
            return names
    if wanted:
        builder.problem(f"names file {wanted!r} not found beside the list")
    return None
