"""Git LFS pointer files: recognised by their spec's first line, their content read through git-lfs."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from labellint.errors import MissingContentError

# The pointer spec (git-lfs docs/spec.md): a pointer is UTF-8 text under 1024 bytes whose first
# line names the spec version; `hawser` is the name the spec had before git-lfs 1.0.
VERSION_LINES = (b"version https://git-lfs.github.com/spec/v1\n", b"version https://hawser.github.com/spec/v1\n")
MAX_POINTER_BYTES = 1024
_OID = re.compile(rb"^oid sha256:([0-9a-f]{64})$", re.MULTILINE)
_SIZE = re.compile(rb"^size (\d+)$", re.MULTILINE)
FETCH_HINT = "`git lfs fetch --all` (or `git lfs pull` to update the work tree too)"


@dataclass(frozen=True, slots=True)
class Pointer:
    """One LFS pointer: the object's sha256 and size, and the pointer's own bytes (fed to git-lfs)."""

    oid: str
    size: int
    text: bytes


def parse_pointer(data: bytes) -> Pointer | None:
    """The pointer these bytes are, or None when they are not one (checked as the spec says:
    the version line first, an `oid sha256:` and a `size` line, under 1024 bytes)."""
    if len(data) >= MAX_POINTER_BYTES or not data.startswith(VERSION_LINES):
        return None
    oid, size = _OID.search(data), _SIZE.search(data)
    if oid is None or size is None:
        return None
    return Pointer(oid.group(1).decode(), int(size.group(1)), data)


def might_be_pointer(head: bytes) -> bool:
    """Whether the first bytes of a file could start a pointer (cheap test before reading it whole)."""
    return head.startswith(VERSION_LINES[0][:40]) or head.startswith(VERSION_LINES[1][:40])


class LfsStore:
    """The local LFS object store of one repository, read through `git lfs smudge`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._media: Path | None = None

    def _media_dir(self, where: str) -> Path:
        """Where git-lfs keeps objects here (`lfs.storage` may move it), as git-lfs itself says."""
        if self._media is not None:
            return self._media
        if shutil.which("git-lfs") is None:
            raise MissingContentError(
                f"{where} is a Git LFS pointer and git-lfs is not installed: install git-lfs "
                f"(https://git-lfs.com, or your package manager), then run {FETCH_HINT}"
            )
        import subprocess  # only for LFS pointers: a check without them starts no process

        done = subprocess.run(["git", "lfs", "env"], cwd=self.root, capture_output=True, text=True, check=False)
        found = re.search(r"^LocalMediaDir=(.*)$", done.stdout, re.MULTILINE)
        if done.returncode != 0 or found is None or not found.group(1):
            raise MissingContentError(f"{where} is a Git LFS pointer and `git lfs env` fails: {done.stderr.strip()}")
        self._media = Path(found.group(1))
        return self._media

    def _object(self, pointer: Pointer, where: str) -> Path:
        media = self._media_dir(where)
        return media / pointer.oid[:2] / pointer.oid[2:4] / pointer.oid

    def has(self, pointer: Pointer, where: str) -> bool:
        """Whether the object is in the local store (never downloads: a linter must not fetch)."""
        return self._object(pointer, where).is_file()

    def read(self, pointer: Pointer, path: str, where: str, limit: int | None = None) -> bytes:
        """The content the pointer stands for (its first `limit` bytes when given); a clear
        MissingContentError naming `where` and the fix when the object was never fetched. `path`
        (repository-relative) is the file git-lfs is told it smudges."""
        if not self.has(pointer, where):
            raise MissingContentError(
                f"{where} is a Git LFS pointer whose object (sha256:{pointer.oid[:12]}…, {pointer.size} bytes) "
                f"is not in the local LFS store: run {FETCH_HINT}"
            )
        if limit is not None:
            # Sniffing needs only the head: the store keeps each object as its plain bytes, so read
            # them there rather than start git-lfs and stop it mid-stream (the whole read goes through it).
            with open(self._object(pointer, where), "rb") as handle:
                return handle.read(limit)
        import subprocess

        command = ["git", "lfs", "smudge", "--", path]
        # No prompts and no surprise downloads: the object is local, checked above.
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        with subprocess.Popen(
            command, cwd=self.root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        ) as process:
            process.stdin.write(pointer.text)
            process.stdin.close()
            data = process.stdout.read()
            error = process.stderr.read()
            code = process.wait()
        if code != 0 or len(data) != pointer.size:
            message = error.decode(errors="replace").strip().splitlines()
            raise MissingContentError(
                f"{where}: git-lfs cannot give the content of its pointer ({message[0] if message else code}); "
                f"run {FETCH_HINT}"
            )
        return data
