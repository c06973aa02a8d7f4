"""Parquet tables and Hugging Face `datasets` shards: classification columns and `objects` boxes (extra [parquet])."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from labellint.errors import MissingContentError
from labellint.model import ClassRef, Dataset, SourceFile, empty_dataset, repeated
from labellint.readers._token_table import read_token_table, token_columns
from labellint.readers.base import ReadContext, Reader, issue
from labellint.readers.classification import LABEL_COLUMNS

EXTRA_HINT = "pip install 'labellint-git[parquet]'"
MAGIC = b"PAR1"
IMAGE_COLUMNS = ("image", "img", "file_name", "filename", "image_path", "path")
TEXT_COLUMNS = ("text", "sentence", "content", "document")
ID_COLUMNS = ("id", "image_id", "idx")
ROWS = "/rows"
# Bad rows reported one by one before the rest are counted in one line.
REPORTED = 100


class ParquetReader(Reader):
    """Reads Parquet tables (a file, or the shards of a Hugging Face `datasets` folder, one by one).

    A file is claimed with a `.parquet` name and Parquet's `PAR1` magic. Detection: an `objects`
    column (a struct of lists, as `datasets` stores `Sequence({...})`, or a list of structs) with
    `bbox` (x, y, w, h in pixels, COCO-like; option `bbox_format: xyxy`) and `category`, and
    `width`/`height` columns when present. A token-classification table (a list-of-strings
    `tokens` column and `ner_tags` of ClassLabel indices or tag names, as the hub stores
    CoNLL-2003; options `tokens`, `tags`, `scheme`) is read as the CoNLL reader reads a file:
    each row a text item, each entity a span (`readers/_token_table.py`). Otherwise
    classification: a label column (`label`, `class`, ...; option `label`) holding class indices,
    names, or lists of them (multi-label); indices are named from the `datasets` ClassLabel in
    the file's `huggingface` schema metadata when it is there, -1 is "no label" as in `datasets`.
    Items: the `id`/`image_id` column, else the image's path (an `Image` struct's `path` or a
    path column), else the row number; the text column (`text`, `sentence`, ...) is the item's
    text. Each record is at `/rows/<row>` (0-based).
    """

    name = "parquet"
    suffixes = (".parquet",)
    description = (
        "Parquet / Hugging Face datasets: label, objects(bbox, category) or tokens + ner_tags columns (extra [parquet])"
    )

    def sniff(self, path: Path, head: bytes) -> bool:
        return path.suffix.lower() == ".parquet" and head[:4] == MAGIC

    def read_one(self, path: Path, context: ReadContext) -> Dataset:
        display = context.display(path)
        pa, pq = _pyarrow(display)
        source = SourceFile(path=display, reader=self.name, item_pointer=ROWS, annotation_pointer=ROWS)
        try:
            table = pq.read_table(pa.BufferReader(context.read_bytes(path)))
        except Exception as exc:  # pyarrow's errors for broken files are many (ArrowInvalid, OSError, ...)
            dataset = empty_dataset(source)
            dataset.issues.append(issue("LL001", f"not a readable Parquet file: {_first_line(exc)}", display))
            return dataset
        source.meta["rows"] = table.num_rows
        table_reader = _Table(table, source, context.options or {})
        try:
            return table_reader.build()
        except _Bad as bad:
            dataset = empty_dataset(source)
            dataset.issues.append(issue("LL002", bad.message, display, pointer=bad.pointer))
            return dataset
        except pa.ArrowException as exc:  # a column pyarrow cannot convert (a cast, a struct field)
            dataset = empty_dataset(source)
            dataset.issues.append(issue("LL002", f"cannot read the columns: {_first_line(exc)}", display))
            return dataset


def _pyarrow(where: str) -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingContentError(f"{where} is a Parquet file: to read it, install the extra: {EXTRA_HINT}") from None
    return pa, pq


class _Bad(Exception):
    def __init__(self, message: str, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message if row is None else f"row {row}: {message}"
        self.pointer = ROWS if row is None else f"{ROWS}/{row}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def hf_features(schema: Any) -> dict[str, Any]:
    """The `datasets` features written in the schema's `huggingface` metadata ({} when absent or broken)."""
    raw = (schema.metadata or {}).get(b"huggingface")
    try:
        features = json.loads(raw)["info"]["features"] if raw else {}
    except (ValueError, KeyError, TypeError):
        return {}
    return features if isinstance(features, dict) else {}


def class_names(feature: Any) -> list[str] | None:
    """The ClassLabel names in a feature, looking through Sequence/list wrappers."""
    for _ in range(8):
        if isinstance(feature, list) and len(feature) == 1:
            feature = feature[0]
        elif isinstance(feature, dict) and feature.get("_type") == "ClassLabel":
            names = feature.get("names")
            return [str(n) for n in names] if isinstance(names, list) else None
        elif isinstance(feature, dict) and "feature" in feature:
            feature = feature["feature"]
        else:
            return None
    return None


def _column(names: list[str], wanted: str | None, usual: tuple[str, ...]) -> str | None:
    if wanted:
        if wanted not in names:
            raise _Bad(f"no column {wanted!r} (columns: {', '.join(names)})")
        return wanted
    lower = {n.lower(): n for n in names}
    return next((lower[n] for n in usual if n in lower), None)


class _Table:
    """One table turned into columnar items and annotations, with pyarrow compute (no per-row Python)."""

    def __init__(self, table: Any, source: SourceFile, options: dict[str, Any]) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        self.pa, self.pc, self.table, self.source, self.options = pa, pc, table, source, options
        self.features = hf_features(table.schema)
        self.names = table.column_names
        self.issues: list = []
        # Row numbers, shared read-only by the items' and (one label a row) the annotations' indexes.
        self.rows = np.arange(table.num_rows, dtype=np.int32)
        self.rows.setflags(write=False)

    def build(self) -> Dataset:
        objects = _column(self.names, self.options.get("objects"), ("objects",))
        tokens = None if objects else token_columns(self.table, self.options)
        if tokens is not None:
            ident = _column(self.names, self.options.get("id"), ID_COLUMNS)
            ids = self.table.column(ident).to_pylist() if ident else None
            names = class_names(self.features.get(tokens[1]))
            return read_token_table(self.table, self.source, self.options, names, ids)
        label = None if objects else _column(self.names, self.options.get("label"), LABEL_COLUMNS)
        if objects is None and label is None:
            raise _Bad(f"no label column ({', '.join(LABEL_COLUMNS)}) and no `objects` column; set the `label` option")
        ds = Dataset(files=[self.source], issues=self.issues)
        self._items(ds)
        if objects:
            self._objects(ds, objects)
        else:
            self._labels(ds, label)
        n_anns = len(ds.ann_item)
        # What a table never says (lines, annotation ids, annotators; boxes for labels) is one
        # repeated value, not one per row.
        ds.ann_file = ds.ann_line = repeated(0, n_anns, np.int32)
        ds.ann_ids = repeated(None, n_anns, object)
        ds.ann_annotator = repeated(-1, n_anns, np.int32)
        if len(ds.ann_box) != n_anns:
            ds.ann_box = repeated(np.nan, (n_anns, 4), np.float64)
        return ds

    def _items(self, ds: Dataset) -> None:
        n = self.table.num_rows
        ds.item_file = ds.item_line = repeated(0, n, np.int32)
        ds.item_index = self.rows
        ds.item_normalized = repeated(False, n, bool)
        ds.item_width = self._size("width")
        ds.item_height = self._size("height")
        ident = _column(self.names, self.options.get("id"), ID_COLUMNS)
        image = _column(self.names, self.options.get("image"), IMAGE_COLUMNS)
        paths = self._image_paths(image) if image else None
        if ident is not None:
            ds.item_ids = self._ids(self.table.column(ident))
        elif paths is not None:
            ds.item_ids = paths
            self.source.shared_item_ids = True  # file names name images across shards and tools
        else:
            ds.item_ids = np.arange(n, dtype=np.int64)
        if paths is not None:  # else no item has a name: the empty list (Dataset.concat fills it in)
            ds.item_names = paths.tolist()
        text = None if image else _column(self.names, self.options.get("text"), TEXT_COLUMNS)
        if text is not None and self.pa.types.is_string(self.table.schema.field(text).type):
            ds.item_text = self.table.column(text).to_pylist()

    def _size(self, name: str) -> np.ndarray:
        n = self.table.num_rows
        if name not in self.names or not self.pa.types.is_integer(self.table.schema.field(name).type):
            if name in self.names and self.pa.types.is_floating(self.table.schema.field(name).type):
                return self.table.column(name).to_numpy().astype(np.float64)
            return repeated(np.nan, n, np.float64)
        column = self.table.column(name)
        return self.pc.fill_null(self.pc.cast(column, self.pa.float64()), float("nan")).to_numpy()

    def _ids(self, column: Any) -> np.ndarray:
        if self.pa.types.is_integer(column.type) and column.null_count == 0:
            return column.to_numpy().astype(np.int64, copy=False)
        return np.asarray(column.to_pylist(), dtype=object)

    def _image_paths(self, name: str) -> np.ndarray | None:
        column = self.table.column(name)
        kind = column.type
        if self.pa.types.is_struct(kind) and kind.get_field_index("path") >= 0:
            column = self.pc.struct_field(column, "path")
        elif not self.pa.types.is_string(column.type):
            return None
        values = column.to_numpy(zero_copy_only=False)
        return values if column.null_count == 0 else None

    def _labels(self, ds: Dataset, name: str) -> None:
        column = self.table.column(name)
        if not self.pa.types.is_integer(column.type):  # lists and dictionary encoding want one chunk
            column = column.combine_chunks()
        rows = self.rows
        if self.pa.types.is_list(column.type) or self.pa.types.is_large_list(column.type):
            rows = self.pc.list_parent_indices(column).to_numpy()
            column = self.pc.list_flatten(column)
        ds.classes, indices = self._classes(column, class_names(self.features.get(name)), rows)
        every = not len(indices) or indices.min() >= 0  # -1 and null: no label (datasets' unlabelled splits)
        keep = slice(None) if every else indices >= 0
        ds.ann_item = ds.ann_index = rows[keep].astype(np.int32, copy=False)  # one array, read-only: never written
        ds.ann_item.setflags(write=False)
        ds.ann_class = indices[keep].astype(np.int32, copy=False)

    def _classes(self, values: Any, names: list[str] | None, rows: np.ndarray) -> tuple[list, np.ndarray]:
        """The classes and each value's class index (-1: no label); an index with no name is reported."""
        pa, pc = self.pa, self.pc
        kind = values.type
        if pa.types.is_integer(kind):
            if names is not None and _within(values, -1, len(names), pc):  # the usual case: one pass, no copy
                return [ClassRef(n, k) for k, n in enumerate(names)], values.cast(pa.int32()).to_numpy()
            indices = pc.fill_null(values.cast(pa.int64()), -1).to_numpy()  # int64 first: -1 fits unsigned labels too
            if names is not None:
                bad = (indices < -1) | (indices >= len(names))
                if bad.any():
                    self._report(
                        bad, rows, lambda k: f"class index {indices[k]} has no name ({len(names)} ClassLabel names)"
                    )
                    indices = np.where(bad, -1, indices)
                return [ClassRef(n, k) for k, n in enumerate(names)], indices
            used, inverse = np.unique(indices, return_inverse=True)
            start = int(used[0] == -1) if len(used) else 0
            return [ClassRef(str(v), int(v)) for v in used[start:]], inverse.astype(np.int64) - start
        if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
            encoded = values if pa.types.is_dictionary(kind) else pc.dictionary_encode(values)
            indices = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
            return [ClassRef(str(v)) for v in encoded.dictionary.to_pylist()], indices
        raise _Bad(f"labels must be class indices or names, found {kind}", int(rows[0]) if len(rows) else None)

    def _report(self, bad: np.ndarray, rows: np.ndarray, message: Any) -> None:
        """An LL002 for each bad value's row (the first REPORTED, then one line for the rest)."""
        where = np.flatnonzero(bad)
        for k in where[:REPORTED]:
            self.issues.append(_row_issue(self.source.path, int(rows[k]), message(k)))
        if len(where) > REPORTED:
            rest = len(where) - REPORTED
            self.issues.append(issue("LL002", f"{rest} more rows like that left out", self.source.path, pointer=ROWS))

    def _objects(self, ds: Dataset, name: str) -> None:
        pa, pc = self.pa, self.pc
        column = self.table.column(name).combine_chunks()
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):  # list<struct<bbox, category>>
            if not pa.types.is_struct(column.type.value_type):
                raise _Bad(f"`{name}` must hold structs with `bbox` and `category`, found {column.type}")
            rows = pc.list_parent_indices(column).to_numpy()
            boxes, categories = _fields(pc.list_flatten(column), name, pc)
        elif pa.types.is_struct(column.type):  # struct<bbox: list<list>, category: list>: datasets' Sequence({...})
            box_lists, category_lists = _fields(column, name, pc)
            lengths = pc.fill_null(pc.list_value_length(box_lists), 0).to_numpy()
            other = pc.fill_null(pc.list_value_length(category_lists), 0).to_numpy()
            same = lengths == other
            if not same.all():
                numbers = np.arange(len(same))
                self._report(~same, numbers, lambda k: f"`{name}` has {lengths[k]} boxes and {other[k]} categories")
                box_lists, category_lists = box_lists.filter(same), category_lists.filter(same)
            kept_rows = np.flatnonzero(same)
            rows = kept_rows[pc.list_parent_indices(box_lists).to_numpy()]
            boxes, categories = pc.list_flatten(box_lists), pc.list_flatten(category_lists)
        else:
            raise _Bad(f"`{name}` must be a struct or list column with `bbox` and `category`, found {column.type}")
        xy, has_box = self._boxes(boxes, rows)
        ds.classes, indices = self._classes(categories, class_names(_category_feature(self.features, name)), rows)
        unnamed = (indices < 0) & has_box
        if unnamed.any():
            self._report(unnamed, rows, lambda k: f"an object in `{name}` without a category")
        keep = has_box & (indices >= 0)
        ds.ann_box, ds.ann_class = xy[keep], indices[keep].astype(np.int32)
        ds.ann_item = rows[keep].astype(np.int32)
        ds.ann_index = ds.ann_item.copy()

    def _boxes(self, boxes: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x, y, w, h per object (NaN rows where the bbox is not 4 numbers, reported) and which are boxes."""
        pa, pc = self.pa, self.pc
        if not (pa.types.is_list(boxes.type) or pa.types.is_fixed_size_list(boxes.type)):
            raise _Bad(f"`bbox` must be a list of 4 numbers, found {boxes.type}", int(rows[0]) if len(rows) else None)
        lengths = pc.fill_null(pc.list_value_length(boxes), 0).to_numpy()
        has_box = lengths == 4
        if not has_box.all():
            self._report(~has_box, rows, lambda k: f"`bbox` has {lengths[k]} values, expected 4 (x, y, w, h)")
            boxes = boxes.filter(pa.array(has_box))
        values = pc.list_flatten(boxes)
        if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type) or pa.types.is_null(values.type)):
            raise _Bad(f"`bbox` values must be numbers, found {values.type}", int(rows[0]))
        xy = np.full((len(lengths), 4), np.nan)
        xy[has_box] = pc.fill_null(pc.cast(values, pa.float64()), float("nan")).to_numpy().reshape(-1, 4)
        if self.options.get("bbox_format") == "xyxy":
            xy[:, 2:] -= xy[:, :2]
        return xy, has_box


def _within(values: Any, low: int, stop: int, pc: Any) -> bool:
    """Whether an integer column has no nulls and every value in [low, stop)."""
    if values.null_count:
        return False
    bounds = pc.min_max(values)
    smallest, largest = bounds["min"].as_py(), bounds["max"].as_py()
    return smallest is None or (smallest >= low and largest < stop)


def _row_issue(path: str, row: int, message: str) -> Any:
    return issue("LL002", f"row {row}: {message}", path, pointer=f"{ROWS}/{row}")


def _fields(struct: Any, name: str, pc: Any) -> tuple[Any, Any]:
    kind = struct.type
    missing = [f for f in ("bbox", "category") if kind.get_field_index(f) < 0]
    if missing:
        raise _Bad(f"`{name}` has no {' or '.join(repr(m) for m in missing)} field (fields: {kind})")
    return pc.struct_field(struct, "bbox"), pc.struct_field(struct, "category")


def _category_feature(features: dict[str, Any], name: str) -> Any:
    """The `category` feature under `objects`, however `datasets` wrapped it."""
    feature = features.get(name)
    for _ in range(4):
        if isinstance(feature, list) and len(feature) == 1:
            feature = feature[0]
        elif isinstance(feature, dict) and "category" in feature:
            return feature["category"]
        elif isinstance(feature, dict) and "feature" in feature:
            feature = feature["feature"]
        else:
            return None
    return None
