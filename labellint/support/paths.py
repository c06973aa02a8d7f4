"""Paths as labellint shows them: one named function per root a path is made relative to."""

from __future__ import annotations

import os
from pathlib import Path


def absolute(path: Path | str, cwd: Path | None = None) -> Path:
    """`path` made absolute against `cwd` (default: the working folder), `..` folded, links kept."""
    path = Path(path)
    return Path(os.path.normpath(path if path.is_absolute() else (cwd or Path.cwd()) / path))


def from_cwd(path: Path | str, cwd: Path | None = None) -> str:
    """How a path is displayed: relative to the working folder, `../` when outside it (as ruff and
    git print paths). Every problem's `path` is in this form."""
    try:
        resolved = Path(path).resolve()
    except (RuntimeError, OSError):  # a symlink loop (RuntimeError before Python 3.13)
        resolved = absolute(Path(path).parent, cwd).resolve() / Path(path).name
    return printable(Path(os.path.relpath(resolved, (cwd or Path.cwd()).resolve())).as_posix())


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: str) -> str:
    """A file name as one printable line: bytes that are not UTF-8 (which Python keeps as lone
    surrogates) as `\\xff`, control characters (a newline) as `\\n` or `\\x1b`."""
    if name.isprintable():
        return name
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable():
            out.append(char)
        else:
            out.append(_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"))
    return "".join(out)


def from_config(path: Path | str, config_root: Path) -> str:
    """A path relative to the config's folder (`../` when outside): what `exclude`,
    `per-file-ignores` and baseline keys are written against. `path` may be a displayed path."""
    target = (Path.cwd() / path).resolve()
    root = config_root.resolve()
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        return Path(os.path.relpath(target, root)).as_posix()


def from_repository(path: Path | str, repo_root: Path, cwd: Path | None = None) -> str | None:
    """A path relative to the repository's root (what git pathspecs, changed-file lists and code
    scanning use), or None when it is outside the repository. Symlinks are resolved, and a deleted
    file still resolves as far as its folders exist."""
    target = Path(os.path.realpath(absolute(path, cwd)))
    try:
        return target.relative_to(Path(os.path.realpath(repo_root))).as_posix()
    except ValueError:
        return None


def repository_root(start: Path) -> Path | None:
    """The nearest folder from `start` upward that holds `.git`, or None."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return None
