"""How labellint runs: `[tool.labellint]` or `labellint.toml`, found by walking up; CLI overrides."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from labellint.errors import ConfigError, UsageError
from labellint.settings.trust import current_trust
from labellint.support import stderr
from labellint.support.paths import from_cwd, repository_root
from labellint.support.yaml_errors import describe_errors

CONFIG_FILE = "labellint.toml"


class Section(BaseModel):
    """Base for config sections: kebab-case keys as TOML users write them; unknown keys fail.
    Schemas are built on first validation (defer_build): a run without a config file builds none."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, alias_generator=lambda n: n.replace("_", "-"), defer_build=True
    )


class DatasetEntry(Section):
    """One dataset: a path or glob of label files, and the reader to use (default: sniff)."""

    path: str
    reader: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    # The spec version these labels were made under (LL503 stale-labels reports an older MAJOR).
    spec_version: str | None = None
    # Which split these labels are (train, val, test): the same image in two splits is LL703.
    split: str | None = None


class QualitySources(Section):
    """`[quality]`: where `labellint gate` finds the figures the spec's quality gates need."""

    # The agreement table or a multi-annotator export, as `agree` reads it (also the golden labels).
    ratings: str | None = None
    # The golden set (item, label), as `golden` reads it.
    gold: str | None = None
    # Predicted probabilities of the labels, as `suspects` reads them.
    predictions: str | None = None
    # How to read the ratings table (as `agree --item-col ... --columns ... --no-header`).
    item_col: str | None = None
    annotator_col: str | None = None
    label_col: str | None = None
    columns: list[str] | None = None
    header: bool = True
    gold_item_col: str | None = None
    gold_label_col: str | None = None


class Config(Section):
    """Everything `[tool.labellint]` may say; `None` means "not set here" so merging works."""

    spec: str | None = None
    datasets: list[DatasetEntry] = Field(default_factory=list)
    select: list[str] | None = None
    extend_select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    reader: str | None = None
    # Globs (relative to the config's folder) of label files not to read at all.
    exclude: list[str] = Field(default_factory=list)
    # Glob -> rule selectors whose problems are dropped for matching files.
    per_file_ignores: dict[str, list[str]] = Field(default_factory=dict)
    # Per-rule settings by selector (code, prefix or name): `severity` and the rule's options.
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Local rule modules (paths relative to the config); they run code, so only the config names them.
    plugins: list[str] = Field(default_factory=list)
    # Bump per spec change kind, over DESIGN §3's defaults: `[spec-policy] "example-added" = "minor"`.
    spec_policy: dict[str, str] = Field(default_factory=dict)
    # Constructed, not validated: nothing to check in the defaults, and no schema built for them.
    quality: QualitySources = Field(default_factory=QualitySources.model_construct)

    # Where the config file was found: relative paths in it are relative to this folder.
    root: Path = Field(default_factory=Path.cwd, exclude=True)
    source: str | None = Field(default=None, exclude=True)

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()


def config_location(config_file: str | None, start: Path) -> Path | None:
    """`--config FILE`, else the nearest config found from `start` (none under --isolated)."""
    if config_file and current_trust().isolated:
        raise UsageError("--isolated ignores every config file; drop --config or --isolated")
    return Path(config_file) if config_file else find_config(start)


def find_config(start: Path) -> Path | None:
    """The nearest config file from `start` up to the repository root. Outside a repository the
    search does not look in shared folders (the home folder, a mount point, a folder anyone may
    write to such as /tmp) unless it starts there: a stray file there must not configure every
    run below it."""
    if current_trust().isolated:
        return None
    start = start.resolve()
    if start.is_file():
        start = start.parent
    stop = repository_root(start)
    for folder in [start, *start.parents]:
        if stop is None and folder != start and _shared_folder(folder):
            break
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            return pyproject
        if stop is not None and folder == stop:
            break
    return None


def _shared_folder(folder: Path) -> bool:
    if folder == Path.home().resolve() or os.path.ismount(folder):
        return True
    try:
        mode = folder.stat().st_mode
    except OSError:
        return True
    return bool(mode & stat.S_IWOTH)


def local_plugin_paths(config: Config) -> list[Path]:
    """The local rule modules the config names, each inside the config's folder or its repository
    (a cloned repository's config must not import `../outside.py` or an absolute path); none under
    --no-plugins, which says so on stderr."""
    if not config.plugins:
        return []
    if not current_trust().plugins:
        stderr.note(f"not loading local plugins (--no-plugins): {', '.join(config.plugins)}")
        return []
    allowed = [config.root.resolve()]
    repo = repository_root(config.root)
    if repo is not None:
        allowed.append(Path(repo).resolve())
    paths = []
    for relative in config.plugins:
        path = config.resolve(relative)
        if not any(path.is_relative_to(root) for root in allowed):
            where = config.source or "the config"
            raise ConfigError(f"{where}: plugins: {relative!r} is outside the config's folder and repository")
        paths.append(path)
    return paths


def _has_tool_section(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        return "labellint" in tomllib.loads(text).get("tool", {})
    except (tomllib.TOMLDecodeError, RecursionError):
        # A broken file that mentions the section is this project's config: load_config names the
        # error rather than every ignore, select and spec path being dropped without a word.
        return "[tool.labellint" in text


def load_config(path: Path | None) -> Config:
    """Reads a config file (or returns the defaults for `None`); errors name file and key."""
    if path is None:
        # The defaults need no validation: constructing them builds no pydantic schema (start-up).
        return Config.model_construct()
    display = from_cwd(path)
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{display}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(display, exc)) from None
    except RecursionError:
        raise ConfigError(f"{display}: invalid TOML: too deeply nested") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{display}: cannot read the config: {exc}") from None
    if path.name == "pyproject.toml":
        document = document.get("tool", {}).get("labellint", {})
        prefix = "tool.labellint."
    else:
        prefix = ""
    text = path.read_text("utf-8")
    try:
        config = Config.model_validate(document)
    except ValidationError as exc:
        lines = describe_errors(exc, Config, display, lambda loc: _toml_line(text, prefix, loc))
        raise ConfigError(f"invalid config: {lines[0]}", details=lines) from None
    config.root = path.parent.resolve()
    config.source = str(path)
    return config


def toml_error(display: str, exc: tomllib.TOMLDecodeError) -> str:
    """`labellint.toml:3:1: invalid TOML: Invalid value`: tomllib puts the place in its message."""
    message = str(exc)
    found = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if found is None:
        return f"{display}: invalid TOML: {message}"
    return f"{display}:{found.group(1)}:{found.group(2)}: invalid TOML: {message[: found.start()]}"


def _toml_line(text: str, prefix: str, loc: tuple[Any, ...]) -> tuple[int, int] | None:
    """Best-effort line of a key in TOML text (tomllib keeps no positions): its first `key =`."""
    keys = [str(p) for p in loc if not isinstance(p, int)]
    if not keys:
        return None
    key = keys[-1]
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith(f"{key} ") or stripped.startswith(f"{key}=") or stripped == f"[{prefix}{key}]":
            return number, line.index(key) + 1
    return None


def option_position(config: Config, dataset: int, key: str, value: str, occurrence: int) -> tuple[int, int] | None:
    """Best-effort (line, column) in the config file of the `occurrence`-th (1-based) quoted
    `value` after the `key =` of the `dataset`-th `[[datasets]]` entry's options (tomllib keeps
    no positions; the file is read again, only when a problem needs the place)."""
    try:
        lines = Path(config.source or "").read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    headers = [n for n, line in enumerate(lines) if re.match(r"\s*\[\[\s*(tool\.labellint\.)?datasets\s*\]\]", line)]
    start = headers[dataset] if dataset < len(headers) else 0
    stop = headers[dataset + 1] if dataset + 1 < len(headers) else len(lines)
    key_at = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
    quoted = re.compile(rf"([\"']){re.escape(value)}\1")
    key_line: tuple[int, int] | None = None  # from the `key =` on: its value (a list may span lines)
    for number in range(start, stop):
        line, offset = lines[number], 0
        if key_line is None:
            found = key_at.search(line)
            if found is None:
                continue
            key_line, offset = (number + 1, found.end() - len(key)), found.end()
        for match in quoted.finditer(line, offset):
            occurrence -= 1
            if occurrence == 0:
                return number + 1, match.start() + 1
    return key_line  # the value written some other way (escapes): the key's line, at least
