"""Model outputs for suspects: class probabilities (CSV, JSONL, .npy) aligned to items, and embeddings."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from labellint.support.csv_cells import csv_rows

ID_COLUMNS = ("item", "id", "item_id", "image", "image_id", "file_name", "filename", "file", "image_name", "path")
MAX_LISTED = 5


class PredictionsError(ValueError):
    """Predictions that cannot be used; the message names the file (and line)."""


def _listing(values) -> str:
    values = list(values)
    shown = ", ".join(repr(v) for v in values[:MAX_LISTED])
    return shown + (f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else "")


def load_probabilities(
    path: Path, item_ids: list[str], class_names: list[str], *, id_column: str | None = None
) -> tuple[np.ndarray, list[str]]:
    """(n_items, k) probabilities in `item_ids` order, and the class order of the columns.

    CSV/JSONL: an id column and one column per class (named like the classes; extra columns are
    errors, classes without a column are errors). `.npy`: rows in item order, columns in
    `class_names` order, shape checked.
    """
    suffix = path.suffix.lower()
    if suffix == ".npy":
        probs = load_npy(path)
        if probs.ndim != 2 or probs.shape != (len(item_ids), len(class_names)):
            raise PredictionsError(
                f"{path}: shape {probs.shape}, expected ({len(item_ids)}, {len(class_names)}) "
                f"(one row per item in label order, one column per class: {', '.join(class_names)})"
            )
        return _checked(probs, path), list(class_names)
    if suffix in (".jsonl", ".ndjson"):
        ids, columns, values = _read_jsonl(path, id_column)
    elif suffix in (".csv", ".tsv"):
        ids, columns, values = _read_csv(path, id_column, "\t" if suffix == ".tsv" else ",")
    else:
        raise PredictionsError(f"{path}: predictions must be .csv, .tsv, .jsonl or .npy")
    unknown = [c for c in columns if c not in class_names]
    if unknown:
        raise PredictionsError(
            f"{path}: class columns the labels lack: {_listing(unknown)} (known classes: {_listing(class_names)})"
        )
    missing_classes = [c for c in class_names if c not in columns]
    if missing_classes:
        raise PredictionsError(f"{path}: no probability column for classes {_listing(missing_classes)}")
    position = {item: row for row, item in enumerate(ids)}
    if len(position) != len(ids):
        seen: set[str] = set()
        repeated = [i for i in ids if i in seen or seen.add(i)]
        raise PredictionsError(f"{path}: repeated item ids {_listing(repeated)}")
    missing = [i for i in item_ids if i not in position]
    if missing:
        raise PredictionsError(f"{path}: no predictions for {len(missing)} labelled items: {_listing(missing)}")
    extra = len(ids) - len(item_ids)
    if extra:
        wanted = set(item_ids)
        raise PredictionsError(
            f"{path}: predictions for {extra} items the labels lack: {_listing(i for i in ids if i not in wanted)}"
        )
    order = np.fromiter((position[i] for i in item_ids), dtype=np.int64, count=len(item_ids))
    column_order = [columns.index(c) for c in class_names]
    return _checked(values[order][:, column_order], path), list(class_names)


def load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise PredictionsError(f"{path}: cannot read the .npy file: {exc}") from None


def _checked(probs: np.ndarray, path: Path) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float64)
    if probs.size and not (probs.min() >= 0.0 and probs.max() <= 1.0):
        bad = np.flatnonzero(~((probs >= 0) & (probs <= 1)).all(axis=1))[0]
        raise PredictionsError(f"{path}: probabilities must be finite and in [0, 1] (first bad row: {bad})")
    return probs


def _id_column(header: list[str], wanted: str | None, path: Path) -> int:
    if wanted is not None:
        if wanted not in header:
            raise PredictionsError(f"{path}: no id column {wanted!r} (columns: {_listing(header)})")
        return header.index(wanted)
    for name in ID_COLUMNS:
        if name in header:
            return header.index(name)
    raise PredictionsError(f"{path}: no item id column (one of {', '.join(ID_COLUMNS)}; or pass --id-column)")


def _read_csv(path: Path, id_column: str | None, delimiter: str):
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise PredictionsError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PredictionsError(f"{path}: not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    lines = text.splitlines()
    if not lines:
        raise PredictionsError(f"{path}: empty file (expected a header row)")
    header = [h.strip() for h in next(csv_rows([lines[0]], delimiter))]
    key = _id_column(header, id_column, path)
    columns = [h for i, h in enumerate(header) if i != key]
    body = [line for line in lines[1:] if line.strip()]
    if '"' in text:
        ids = [row[key] if len(row) > key else "" for row in csv_rows(body, delimiter)]
    elif key == 0:
        ids = [line.partition(delimiter)[0] for line in body]  # no quoting: a plain split is exact
    else:
        ids = [(line.split(delimiter) + [""] * (key + 1))[key] for line in body]
    value_columns = [i for i in range(len(header)) if i != key]
    try:
        # The fast path: numpy parses the numeric columns in C, straight from the text (blank lines skipped).
        values = np.loadtxt(
            io.StringIO(text), delimiter=delimiter, usecols=value_columns, skiprows=1, ndmin=2, dtype=np.float64
        )
    except ValueError:
        values = _slow_rows(lines, delimiter, value_columns, path)
    if values.shape[0] != len(ids):
        values = _slow_rows(lines, delimiter, value_columns, path)
    return [i.strip() for i in ids], columns, values.reshape(len(ids), len(columns))


def _slow_rows(lines: list[str], delimiter: str, value_columns: list[int], path: Path) -> np.ndarray:
    """Row-by-row parsing, only to name the first bad line (`lines` includes the header)."""
    out = []
    for number, row in enumerate(csv_rows(lines[1:], delimiter), start=2):
        if not row or not "".join(row).strip():
            continue
        try:
            out.append([float(row[i]) for i in value_columns])
        except (ValueError, IndexError):
            raise PredictionsError(
                f"{path}:{number}: expected {len(value_columns)} probabilities after the id, got {row!r}"
            ) from None
    return np.asarray(out, dtype=np.float64).reshape(len(out), len(value_columns))


def _read_jsonl(path: Path, id_column: str | None):
    import msgspec

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PredictionsError(f"{path}: cannot read: {exc.strerror}") from None
    decoder = msgspec.json.Decoder()
    ids, rows, columns = [], [], None
    key = id_column
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = decoder.decode(raw)
        except msgspec.DecodeError as exc:
            raise PredictionsError(f"{path}:{number}: cannot parse JSON: {exc}") from None
        if not isinstance(record, dict):
            raise PredictionsError(f"{path}:{number}: expected a JSON object")
        if key is None:
            key = next((k for k in ID_COLUMNS if k in record), None)
            if key is None:
                raise PredictionsError(f"{path}:{number}: no item id key (one of {', '.join(ID_COLUMNS)})")
        if key not in record:
            raise PredictionsError(f"{path}:{number}: no {key!r} key")
        # Either {"id": .., "cat": 0.1, ...} or {"id": .., "probs": {"cat": 0.1, ...}}.
        probs = (
            record["probs"] if isinstance(record.get("probs"), dict) else {k: v for k, v in record.items() if k != key}
        )
        if columns is None:
            columns = list(probs)
        try:
            rows.append([float(probs[c]) for c in columns])
        except (KeyError, TypeError, ValueError):
            raise PredictionsError(f"{path}:{number}: expected a probability for each of {_listing(columns)}") from None
        if len(probs) != len(columns):
            raise PredictionsError(f"{path}:{number}: classes differ from the first line's ({_listing(columns)})")
        ids.append(str(record[key]))
    if columns is None:
        raise PredictionsError(f"{path}: no predictions in the file")
    return ids, columns, np.asarray(rows, dtype=np.float64).reshape(len(rows), len(columns))


def load_coco_results(path: Path, image_ids: dict, category_ids: dict):
    """A COCO results file (a list of {image_id, category_id, bbox, score}) as arrays
    (item, class, box xywh, score), mapped onto the labels' images and categories."""
    import msgspec

    try:
        document = msgspec.json.decode(path.read_bytes())
    except OSError as exc:
        raise PredictionsError(f"{path}: cannot read: {exc.strerror}") from None
    except msgspec.DecodeError as exc:
        raise PredictionsError(f"{path}: not valid JSON: {exc}") from None
    if isinstance(document, dict) and isinstance(document.get("annotations"), list):
        document = document["annotations"]  # a COCO file whose annotations carry scores
    if not isinstance(document, list):
        raise PredictionsError(f"{path}: expected a COCO results list [{{image_id, category_id, bbox, score}}, ...]")
    n = len(document)
    items = np.empty(n, np.int64)
    classes = np.empty(n, np.int64)
    boxes = np.empty((n, 4), np.float64)
    scores = np.empty(n, np.float64)
    unknown_images: set = set()
    for index, record in enumerate(document):
        where = f"{path}: /{index}"
        try:
            image, category, bbox, score = record["image_id"], record["category_id"], record["bbox"], record["score"]
            boxes[index] = [float(v) for v in bbox]
            scores[index] = float(score)
        except (KeyError, TypeError, ValueError):
            raise PredictionsError(f"{where}: expected image_id, category_id, bbox [x, y, w, h] and score") from None
        if image not in image_ids:
            unknown_images.add(image)
            items[index] = -1
        else:
            items[index] = image_ids[image]
        if category not in category_ids:
            raise PredictionsError(f"{where}: category_id {category!r} is not a category of the labels")
        classes[index] = category_ids[category]
    if unknown_images:
        raise PredictionsError(
            f"{path}: predictions for {len(unknown_images)} images the labels lack: "
            f"{_listing(sorted(map(str, unknown_images)))}"
        )
    if n and not (np.isfinite(boxes).all() and np.isfinite(scores).all()):
        raise PredictionsError(f"{path}: non-finite bbox or score values")
    return items, classes, boxes, scores
