"""The image files labels name: where they are, their bytes' hash and their header (size, EXIF orientation).

Images are found beside the label file as `name`, `images/name` or `../images/name`, or in a
subfolder of those `images` folders (COCO's `images/train2017/`) (and, for
readers that name items by stem, such as YOLO, with a usual image suffix). Only headers are read,
never pixels; hashes and headers are cached in `.labellint_cache/` beside the label file, keyed by
path, size and modification time, so an image is read again only after it changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG

from labellint.support.atomic import write_atomically

CACHE_DIR = ".labellint_cache"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
# EXIF orientations 5-8 turn the stored pixels by 90 degrees: width and height swap on display.
QUARTER_TURNS = {5, 6, 7, 8}


@dataclass(frozen=True, slots=True)
class Header:
    """What an image's header says: stored width and height, and the EXIF orientation (1: none)."""

    width: int
    height: int
    orientation: int = 1

    @property
    def shown(self) -> tuple[int, int]:
        """Width and height as the image is displayed (EXIF orientation applied)."""
        if self.orientation in QUARTER_TURNS:
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True, slots=True)
class Found:
    """An image file found for a name: its path, the folder prefix it was found under (``""``,
    ``images/``, ``../images/``), its cache key and its stat."""

    path: Path
    prefix: str
    key: str
    stat: os.stat_result


class Cache:
    """One JSON cache file of per-image values keyed by (relative path, size, mtime)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries: dict[str, list] | None = None
        self.used: dict[str, list] = {}
        self.changed = False

    def get(self, key: str, size: int, mtime_ns: int) -> list | None:
        if self.entries is None:
            self.entries = _load_cache(self.path)
        known = self.entries.get(key)
        if known is not None and known[:2] == [size, mtime_ns]:
            self.used[key] = known
            return known[2:]
        return None

    def put(self, key: str, size: int, mtime_ns: int, values: list) -> None:
        self.used[key] = [size, mtime_ns, *values]
        self.changed = True

    def save(self) -> None:
        """Write the entries used in this run (dropping stale ones); a cache that cannot be
        written only costs speed next time."""
        if not self.changed and (self.entries is None or len(self.used) == len(self.entries)):
            return
        folder = self.path.parent
        try:
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# Written by labellint: a cache, never commit it.\n*\n", encoding="utf-8")
            write_atomically(self.path, json.dumps({"version": 1, "files": self.used}))
        except OSError:
            return


def _load_cache(path: Path) -> dict[str, list]:
    if not path.is_file():  # absent, or a FIFO or device that would block the run
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) and data.get("version") == 1 else None
    if not isinstance(files, dict):
        return {}
    return {k: v for k, v in files.items() if isinstance(v, list) and len(v) >= 3}


class ImageFiles:
    """The image files next to one label file's folder, found by name, hashed and their headers read.

    Each candidate folder is listed once, so a dataset without images costs a few directory reads,
    not three `stat` calls per item."""

    def __init__(self, folder: Path) -> None:
        # Absolute: a label file in the working folder has `.` as its folder, whose parent is `.`.
        folder = Path(folder).absolute()
        # (folder, how a path in it is written relative to the label file's folder: the cache key)
        self.bases = [(folder, ""), (folder.parent / "images", "../images/"), (folder / "images", "images/")]
        self.listings: dict[Path, frozenset[str] | None] = {}
        self._with_splits: list[tuple[Path, str]] | None = None
        self._findable: set[str] | None = None
        self.hashes = Cache(folder / CACHE_DIR / "image-hashes.json")
        self.headers = Cache(folder / CACHE_DIR / "image-headers.json")

    def entries(self, base: Path) -> frozenset[str] | None:
        """The names in one candidate folder (None when it is not a folder)."""
        if base not in self.listings:
            try:
                self.listings[base] = frozenset(os.listdir(base))
            except OSError:
                self.listings[base] = None
        return self.listings[base]

    def find(self, name: str, by_stem: bool = False) -> Found | None:
        """The image file `name` names, or None when none exists."""
        # A name can only exist if its first part is listed in a folder: one set lookup against
        # every folder's names (and images' stems) settles most names, without a Path per item.
        plain = "/" not in name
        head = None if plain else _first_part(name)
        if (plain or head not in (None, "..")) and (name if plain else head) not in self.findable():
            return None
        names = [name, *(name + suffix for suffix in IMAGE_SUFFIXES)] if by_stem else [name]
        for base, prefix in self.all_bases():
            listed = self.entries(base)
            if listed is None:
                continue
            for candidate_name in names:
                part = candidate_name if plain else (head or (Path(candidate_name).parts or ("",))[0])
                if part not in ("", ".", "..", "/") and part not in listed:
                    continue
                candidate = base / candidate_name
                try:
                    stat = candidate.stat()
                except OSError:
                    continue
                if S_ISREG(stat.st_mode):
                    return Found(candidate, prefix, prefix + candidate_name, stat)
        return None

    def findable(self) -> set[str]:
        """Every name listed in a candidate folder, and each image's name without its suffix (the
        names `find` could match by stem)."""
        if self._findable is None:
            names: set[str] = set()
            for base, _ in self.all_bases():
                names.update(self.entries(base) or ())
            suffixes = set(IMAGE_SUFFIXES)
            stems = [stem for stem, dot, ext in map(_split_suffix, names) if dot and "." + ext in suffixes]
            names.update(stems)
            self._findable = names
        return self._findable

    def all_bases(self) -> list[tuple[Path, str]]:
        """The candidate folders, then the subfolders of the `images` folders: COCO keeps
        `annotations/instances_train2017.json` beside `images/train2017/`."""
        if self._with_splits is None:
            extra = []
            for base, prefix in self.bases[1:]:
                if self.entries(base) is None:
                    continue
                try:
                    with os.scandir(base) as listing:  # d_type: no stat per image
                        subfolders = sorted(e.name for e in listing if e.is_dir() and not e.name.startswith("."))
                except OSError:
                    continue
                extra.extend((base / sub, f"{prefix}{sub}/") for sub in subfolders)
            self._with_splits = self.bases + extra
        return self._with_splits

    def image_folder(self) -> tuple[Path, str] | None:
        """The folder that holds images: an `images` folder with image files directly in it (one
        with only subfolders, such as COCO's `images/train2017/`, does not say which is this one's)."""
        for base, prefix in self.bases[1:]:
            listed = self.entries(base)
            if listed is not None and any(n.lower().endswith(IMAGE_SUFFIXES) for n in listed):
                return base, prefix
        return None

    def digest(self, found: Found) -> str:
        """A hash of the image file's bytes (cached)."""
        path, key, stat = found.path, found.key, found.stat
        known = self.hashes.get(key, stat.st_size, stat.st_mtime_ns)
        if known is not None:
            return known[0]
        digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
        self.hashes.put(key, stat.st_size, stat.st_mtime_ns, [digest])
        return digest

    def header(self, found: Found) -> Header | None:
        """The image's header (cached); None when the file is not an image Pillow knows."""
        path, key, stat = found.path, found.key, found.stat
        known = self.headers.get(key, stat.st_size, stat.st_mtime_ns)
        if known is not None:
            return Header(*known) if known else None
        header = read_header(path)
        self.headers.put(key, stat.st_size, stat.st_mtime_ns, [] if header is None else list(_fields(header)))
        return header

    def save(self) -> None:
        self.hashes.save()
        self.headers.save()


def _first_part(name: str) -> str | None:
    """The first part of a relative name with a folder, as `Path(name).parts[0]`; None where only
    pathlib can say (`/a`, `./a`, `//a`: it drops or keeps such parts its own way)."""
    first = name.partition("/")[0]
    return first if first not in ("", ".") else None


def _split_suffix(name: str) -> tuple[str, str, str]:
    return name.rpartition(".")


def has_suffix(name: str) -> bool:
    """Whether the name's last part has a suffix, as `Path(name).suffix` says (without building
    a Path for the plain names nearly every item has)."""
    last = name.rpartition("/")[2]
    if last in ("", "."):  # `a/` or `a/.`: pathlib takes the part before as the name
        return bool(Path(name).suffix)
    dot = last.rfind(".")
    return 0 < dot < len(last) - 1


def _fields(header: Header) -> tuple[int, int, int]:
    return header.width, header.height, header.orientation


def read_header(path: Path) -> Header | None:
    """Width, height and EXIF orientation from the header alone (Pillow opens lazily: no pixels)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
            raw = image.info.get("exif")  # JPEG's APP1, WebP's and PNG's eXIf when before the pixels
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    orientation = 1
    if raw:
        exif = Image.Exif()
        try:
            exif.load(raw)
            orientation = int(exif.get(0x0112, 1))
        except (OSError, ValueError, TypeError, SyntaxError):
            orientation = 1
    return Header(width, height, orientation if 1 <= orientation <= 8 else 1)


@dataclass(slots=True)
class Resolved:
    """Per item: the image file found (None: not found), and the ImageFiles of its label file."""

    found: list[Found | None]
    files: list[ImageFiles | None]


def resolve_images(context) -> Resolved:
    """Each item's image file, looked up once per run and shared by the media rules (context.cache)."""
    if "media" in context.cache:
        return context.cache["media"]
    ds = context.dataset
    found: list = [None] * ds.n_items
    per_item: list = [None] * ds.n_items
    if context.work_tree is not None:  # labels read from a git revision have no images on disk
        folders = LabelFolders(context, context.work_tree)
        item_file = ds.item_file.tolist()
        names, texts = ds.item_names, ds.item_text
        for item in range(ds.n_items):
            name = names[item] if item < len(names) else None
            if not name or (texts and texts[item] is not None):
                continue
            per_item[item], found[item] = folders.find(item_file[item], name)
    context.cache["media"] = Resolved(found, per_item)
    return context.cache["media"]


class LabelFolders:
    """The ImageFiles of each label file's folder: one per folder, found once per folder rather
    than once per label file (100k YOLO files in one folder resolve one path, not 100k)."""

    def __init__(self, context, root: Path | None) -> None:
        self.context, self.root = context, root
        self.paths = [file.path for file in context.dataset.files]
        self.per_file: dict[int, ImageFiles] = {}
        self.per_folder: dict[str, ImageFiles] = {}
        self.twins: dict[str, ImageFiles | None] = {}  # label folder -> its images twin

    def of(self, file: int) -> ImageFiles:
        files = self.per_file.get(file)
        if files is None:
            path = self.paths[file]
            folder, _, last = path.rpartition("/")
            if last in ("", "."):  # the parent pathlib sees is not what precedes the last slash
                folder = path
            files = self.per_folder.get(folder)
            if files is None:
                where = Path(path) if self.root is None else self.root / path
                files = self.per_folder[folder] = image_files(self.context, where.parent)
            self.per_file[file] = files
        return files

    def find(self, file: int, name: str) -> tuple[ImageFiles, Found | None]:
        """The image file an item of label file `file` names (None: not found), and the ImageFiles
        it was looked for in. A name without a suffix (YOLO's stems) is matched with an image
        suffix, and also in the label folder's images twin."""
        files = self.of(file)
        by_stem = not has_suffix(name)
        found = files.find(name, by_stem=by_stem)
        if found is None and by_stem and (twin := self.twin(file)) is not None:
            # YOLO's own layout: `…/labels/…/a.txt` labels `…/images/…/a.jpg` (the last `labels`
            # of the path made `images`, as Ultralytics finds them); looked up by the file's stem.
            return twin, twin.find(name.rpartition("/")[2], by_stem=True)
        return files, found

    def twin(self, file: int) -> ImageFiles | None:
        """The images twin of a label file's folder (`…/labels/…` with its last `labels` part made
        `images`), when that folder exists."""
        folder = self.paths[file].rpartition("/")[0]  # one lookup per folder, not per label file
        if folder not in self.twins:
            self.twins[folder] = None
            parts = folder.split("/") if folder else []
            if "labels" in parts:
                at = len(parts) - 1 - parts[::-1].index("labels")
                root = Path() if self.root is None else self.root
                twin = root.joinpath(*parts[:at], "images", *parts[at + 1 :])
                if twin.is_dir():
                    self.twins[folder] = twin_image_files(self.context, root.joinpath(*parts), twin)
        return self.twins[folder]

    def used(self) -> list[ImageFiles]:
        """Each ImageFiles handed out, once (to save their caches)."""
        handed = [*self.per_folder.values(), *(files for files in self.twins.values() if files is not None)]
        return list({id(files): files for files in handed}.values())


def twin_image_files(context, label_folder: Path, twin: Path) -> ImageFiles:
    """The ImageFiles of a label folder's images twin (YOLO's `labels/` -> `images/`): the twin is
    its image folder, written relative to the label folder (`../images/`, `../../images/train/`)."""
    shared = context.cache.setdefault("image-files", {})
    key = ("twin", twin.resolve())
    if key not in shared:
        files = ImageFiles(label_folder)
        prefix = os.path.relpath(twin.absolute(), label_folder.absolute()).replace(os.sep, "/") + "/"
        files.bases = [files.bases[0], (twin.absolute(), prefix)]  # beside the labels, then the twin
        shared[key] = files
    return shared[key]


def image_files(context, folder: Path) -> ImageFiles:
    """The one ImageFiles of a label folder in this run (shared by LL303 and the media rules, so
    their cache files keep every entry either used)."""
    shared = context.cache.setdefault("image-files", {})
    key = folder.resolve()
    if key not in shared:
        shared[key] = ImageFiles(folder)
    return shared[key]
