"""Where an item's image file is: beside its label file, in `../images/` or in `images/`."""

from __future__ import annotations

import os
from os import stat_result
from pathlib import Path
from stat import S_ISREG

# How a path in each candidate folder is written relative to the label file's folder.
IMAGE_FOLDERS = ("", "../images/", "images/")


class ImageFolders:
    """The image files next to one label file's folder, each candidate folder listed once, so a
    dataset without images costs a few directory reads, not three `stat` calls per item."""

    def __init__(self, folder: Path) -> None:
        self.bases = [(folder, ""), (folder.parent / "images", "../images/"), (folder / "images", "images/")]
        self.listings: dict[Path, frozenset[str] | None] = {}

    def _entries(self, base: Path) -> frozenset[str] | None:
        if base not in self.listings:
            try:
                self.listings[base] = frozenset(os.listdir(base))
            except OSError:
                self.listings[base] = None
        return self.listings[base]

    def locate(self, name: str) -> tuple[Path, str, stat_result] | None:
        """The first regular file named `name` in the candidate folders: its path, its path as
        written from the label file's folder, and its stat; None when there is none."""
        # A plain relative name can only exist if its first part is listed in the folder.
        head = name if "/" not in name else (Path(name).parts or ("",))[0]
        listed = head not in ("", ".", "..", "/")
        for base, prefix in self.bases:
            if listed and head not in (self._entries(base) or ()):
                continue
            # Strings, not Path objects, until a file is found: this runs once per item.
            candidate = os.path.join(base, name)
            try:
                stat = os.stat(candidate)
            except (OSError, ValueError):
                continue
            if S_ISREG(stat.st_mode):
                return Path(candidate), prefix + name, stat
        return None
