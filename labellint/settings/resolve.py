"""The settings of one run: the config and the spec, found and loaded (defaults < file < command line)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labellint.errors import ConfigError, SpecError
from labellint.settings.config import Config, config_location, load_config
from labellint.spec.loader import find_spec, load_spec
from labellint.spec.model import LabelSpec
from labellint.support.paths import from_cwd, repository_root


@dataclass(slots=True)
class Settings:
    """Config, spec and where they came from."""

    config: Config
    spec: LabelSpec | None = None
    spec_path: Path | None = None
    spec_display: str | None = None

    def shared_files(self) -> list[Path]:
        """Files every label depends on (the spec, the config): a change to one touches them all."""
        found = [self.spec_path, Path(self.config.source) if self.config.source else None]
        return [p for p in found if p is not None]


def find_spec_path(config: Config, config_found: bool, spec_file: str | None, start: Path) -> Path | None:
    """`--spec`, else the config's `spec`, else labelspec.yaml found walking up to the repository root."""
    if spec_file:
        return Path(spec_file)
    if config.spec:
        return config.resolve(config.spec)
    search_from = config.root if config_found else (start if start.is_dir() else start.parent)
    return find_spec(search_from, repository_root(search_from))


def resolve_settings(config_file: str | None, spec_file: str | None, start: Path) -> Settings:
    """Finds and loads the config and the spec; a missing file that was asked for is fatal."""
    config_path = config_location(config_file, start)
    config = load_config(config_path)
    spec_path = find_spec_path(config, config_path is not None, spec_file, start)
    if spec_path is None:
        return Settings(config)
    if not spec_path.is_file():
        raise SpecError(f"{from_cwd(spec_path)}: spec file not found")
    display = from_cwd(spec_path)
    return Settings(config, load_spec(spec_path, display), spec_path, display)


def resolve_spec_path(config_file: str | None, spec_file: str | None, *, need_spec: bool = True):
    """(config, absolute spec path or None, spec-policy) for the spec commands, which load the spec
    themselves (at a revision, or from a file)."""
    from labellint.spec.policy import resolve_policy

    start = Path.cwd()
    config_path = config_location(config_file, start)
    config = load_config(config_path)
    if spec_file:
        spec_path = Path(spec_file)
    elif config.spec:
        spec_path = config.resolve(config.spec)
    else:
        spec_path = find_spec(config.root if config_path else start, repository_root(start))
    if spec_path is None and need_spec:
        raise SpecError("no labelspec.yaml found here or above; pass --spec FILE")
    try:
        policy = resolve_policy(config.spec_policy)
    except ValueError as exc:
        raise ConfigError(f"{config.source or 'config'}: [spec-policy] {exc}") from None
    return config, spec_path.resolve() if spec_path else None, policy
