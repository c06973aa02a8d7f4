"""The `.labellint_cache/` folder: signed pickled entries, written atomically, read back or missed."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
from pathlib import Path
from typing import Any

from labellint.support.atomic import write_atomically

CACHE_FOLDER = ".labellint_cache"
# Where the key that signs entries lives: outside every project, so an entry committed to a
# repository (or planted by a pull request) never verifies and is never unpickled.
KEY_ENV = "LABELLINT_CACHE_KEY_DIR"
MAGIC = b"labellint-cache 1\n"
DIGEST_SIZE = 32


def digest(*parts: bytes | str) -> str:
    """A hex BLAKE2b digest of the parts (each length-prefixed, so ("ab", "c") != ("a", "bc"))."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def load_entry(path: Path) -> Any | None:
    """The object stored at `path`, or None when it is absent, truncated, corrupt or signed by
    another key (a miss, never an error: the caller reads the labels instead)."""
    key = signing_key()
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if key is None or not data.startswith(MAGIC) or len(data) < len(MAGIC) + DIGEST_SIZE:
        return None
    signature, payload = data[len(MAGIC) : len(MAGIC) + DIGEST_SIZE], data[len(MAGIC) + DIGEST_SIZE :]
    if not hmac.compare_digest(signature, _sign(key, payload)):
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a payload of an older labellint whose classes changed: a miss
        return None


def store_entry(folder: Path, name: str, value: Any) -> bool:
    """Writes `value` as `folder/name` atomically (concurrent runs each rename a whole file in);
    False when the folder cannot be written (a read-only checkout: the run just is not cached)."""
    key = signing_key()
    if key is None:
        return False
    try:
        make_folder(folder)
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(folder / name, MAGIC + _sign(key, payload) + payload)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


def make_folder(folder: Path) -> None:
    """The cache folder with its own `.gitignore` (`*`, as ruff writes) and a CACHEDIR.TAG."""
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomically(ignore, "# Automatically created by labellint.\n*\n")
    tag = folder / "CACHEDIR.TAG"
    if not tag.exists():
        write_atomically(
            tag,
            "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by labellint.\n",
        )


def signing_key() -> bytes | None:
    """This user's cache key (made on first use, readable by the user only), or None when no
    user cache folder can be written."""
    folder = _key_folder()
    path = folder / "cache-key"
    try:
        key = path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    try:
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it meanwhile: use that one
        try:
            key = path.read_bytes()
        except OSError:
            return None
        return key if len(key) == 32 else None
    except OSError:
        return None
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(key)
    return key


def _key_folder() -> Path:
    if os.environ.get(KEY_ENV):
        return Path(os.environ[KEY_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "labellint"


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()
