"""DVC-tracked files: found from their `.dvc` files in git, their content read through DVC's own API."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from labellint.errors import MissingContentError

EXTRA_HINT = "pip install 'labellint-git[dvc]'"
FETCH_HINT = "`dvc fetch` (or `dvc pull` to update the work tree too)"


@dataclass(frozen=True, slots=True)
class TrackedFile:
    """One output a `.dvc` file tracks: its repository-relative path, the `.dvc` file, its md5."""

    path: str
    dvc_file: str
    md5: str


def tracked_outputs(dvc_file: str, text: bytes) -> list[TrackedFile]:
    """The single files a `.dvc` file (repository-relative path, its bytes) tracks; folders
    (`md5` ending in `.dir`) are left to DVC and not listed here."""
    from ruamel.yaml import YAML, YAMLError

    try:
        document = YAML(typ="safe").load(text.decode("utf-8"))
    except (YAMLError, UnicodeDecodeError):
        return []
    outs = document.get("outs") if isinstance(document, dict) else None
    found = []
    folder = posixpath.dirname(dvc_file)
    for out in outs if isinstance(outs, list) else []:
        if not isinstance(out, dict) or not isinstance(out.get("path"), str):
            continue
        md5 = str(out.get("md5", ""))
        if md5.endswith(".dir"):
            continue
        found.append(TrackedFile(posixpath.normpath(posixpath.join(folder, out["path"])), dvc_file, md5))
    return found


def is_dvc_file(relative: str) -> bool:
    """A `.dvc` file (not DVC's own `.dvc/` folder)."""
    return relative.endswith(".dvc") and not relative.startswith(".dvc/") and "/.dvc/" not in relative


_SYSTEMS: dict[tuple[Path, str | None], object] = {}


def _filesystem(root: Path, rev: str | None, where: str):
    """DVC's file system of the repository at `root` as of `rev` (None: the work tree), made once."""
    key = (root, rev)
    if key not in _SYSTEMS:
        try:
            from dvc.api import DVCFileSystem
        except ImportError:
            raise MissingContentError(
                f"{where} is tracked by DVC: to read it, install the extra: {EXTRA_HINT}"
            ) from None
        _SYSTEMS[key] = DVCFileSystem(str(root), rev=rev)
    return _SYSTEMS[key]


def read(root: Path, rev: str | None, tracked: TrackedFile, where: str, limit: int | None = None) -> bytes:
    """The content of a DVC-tracked file from the DVC cache (as of `rev`); a clear
    MissingContentError with the fix when the cache lacks it or DVC is not installed."""
    system = _filesystem(root, rev, where)
    try:
        if limit is None:
            return system.read_bytes(tracked.path)
        with system.open(tracked.path, "rb") as handle:
            return handle.read(limit)
    except FileNotFoundError:
        raise MissingContentError(
            f"{where} is tracked by DVC ({tracked.dvc_file}) and its content (md5 {tracked.md5[:12]}…) is not in "
            f"the DVC cache: run {FETCH_HINT}"
        ) from None
    except Exception as exc:  # DVC's own errors (a broken cache, an unreadable config)
        raise MissingContentError(f"{where}: DVC cannot read it: {type(exc).__name__}: {exc}") from None
