"""Writers: one module per writable reader; each rewrites label files in place for a spec migration.

Writers know the readers' formats (they import from `labellint.readers`); readers never import writers.
"""

from __future__ import annotations

from labellint.writers.base import FileEdit, Writer


def writer_for(reader: str) -> Writer | None:
    """The writer for files a reader called `reader` claims; None when that format is not writable."""
    return _writers().get(reader)


def _writers() -> dict[str, Writer]:
    from labellint.writers import coco, csv_table, cvat, image_tables, jsonl, kitti, labelme, labelstudio, voc, yolo

    writers: list[Writer] = [
        coco.CocoWriter(),
        yolo.YoloWriter(),
        voc.VocWriter(),
        labelstudio.LabelStudioWriter(),
        jsonl.JsonlWriter(),
        csv_table.CsvTableWriter(),
        labelme.LabelMeWriter(),
        cvat.CvatWriter(),
        image_tables.ImageTableWriter(),
        image_tables.BoxTableWriter(),
        kitti.KittiWriter(),
    ]
    return {w.reader: w for w in writers}


__all__ = ["FileEdit", "Writer", "writer_for"]
