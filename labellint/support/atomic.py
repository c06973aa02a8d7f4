"""Writes files atomically (temp file in the same folder + rename) so nothing is half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, text: str | bytes, *, replace: bool = True, newline: str | None = None) -> None:
    """Writes `text` (or bytes, as they are) to `path` via a temp file in the same folder.

    `replace=True` swaps the file in with a rename (keeping an existing file's mode); with
    `replace=False` a hard link publishes it, which fails with FileExistsError rather than
    overwrite a file that appeared meanwhile. A path that exists but is not a regular file
    (/dev/null, a FIFO) is written through: a rename would replace the device with a file.
    """
    if path.exists() and not path.is_file():
        with _open(path, text, newline) as stream:
            stream.write(text)
        return
    folder = path.parent if str(path.parent) else Path(".")
    # An existing file keeps its mode; a new one gets the umask's, as open() would give it
    # (mkstemp's 0600 would hide a SARIF report from a CI artifact server running as another user).
    mode = path.stat().st_mode & 0o7777 if replace and path.exists() else 0o666 & ~current_umask()
    handle, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with _open(handle, text, newline) as stream:
            stream.write(text)
        os.chmod(temp, mode)
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)


def _open(target, content: str | bytes, newline: str | None):
    if isinstance(content, bytes):
        return open(target, "wb")
    return open(target, "w", encoding="utf-8", newline=newline)


def current_umask() -> int:
    """The process's umask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
