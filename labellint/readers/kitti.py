"""KITTI object labels: one txt per image in `label_2/`, 15 fields a line (type, 2D box, 3D box)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from labellint.model import Dataset
from labellint.readers._kitti_columns import LABEL_FOLDER, KittiColumns
from labellint.readers.base import ReadContext, Reader
from labellint.support.gc_pause import gc_paused

_NUMBER = r"-?\d+(\.\d*)?([eE][-+]?\d+)?"
_LINE = re.compile(rb"^[A-Za-z_][\w-]*( " + _NUMBER.encode() + rb"){14,15}\s*$")


class KittiReader(Reader):
    """Reads KITTI object detection labels (`label_2/*.txt`, the devkit's 15 fields a line).

    Every file is an item (id: its path under `label_2/` with the image's suffix, `000001.png`);
    every line an annotation with the 2D box; `truncated` and `occluded` become attributes, the
    3D fields (`alpha`, dimensions, location, `rotation_y`) and a 16th `score` format fields.
    `DontCare` lines are regions where objects were not labelled, not objects: they are kept in
    the file's meta (`dont_care`, their boxes) and left out of the annotations. The image size is
    read from the header of `image_2/<same path>.png` when that image is there.
    """

    name = "kitti"
    suffixes = (".txt",)
    description = "KITTI object labels: label_2/*.txt, type + 2D box + 3D fields, DontCare regions"

    def sniff(self, path: Path, head: bytes) -> bool:
        if path.suffix.lower() != ".txt":
            return False
        lines = [line for line in head.splitlines()[:20] if line.strip()]
        if not lines:
            return LABEL_FOLDER in path.parts[:-1]  # an image without objects, in KITTI's own folder
        complete = lines if len(head) < 4096 else lines[:-1] or lines
        if LABEL_FOLDER in path.parts[:-1]:
            # In KITTI's own folder one object line is evidence enough: a broken line in it must be
            # reported at its line, not make the whole file unclaimed.
            return any(_LINE.match(line) for line in complete)
        return all(_LINE.match(line) for line in complete)

    @gc_paused
    def read(self, paths: Sequence[Path], context: ReadContext) -> Dataset:
        # KITTI is ~130k files of ~8 lines: per file one read, a decode and a split per line; every
        # file's numbers are converted at the end in one numpy call and the columns built once.
        columns = KittiColumns(self.name, context)
        for path in paths:
            columns.add_file(path)
        return columns.dataset()
