"""Changed files: what `--changed-since REV`, `--staged` or a pre-commit hook says a change touches."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from labellint.errors import UsageError
from labellint.support.paths import from_repository


@dataclass(frozen=True, slots=True)
class ChangedFiles:
    """Files (repository-relative posix paths) changed since a revision, or staged for commit."""

    root: Path
    files: frozenset[str]
    label: str  # how to name the change in messages: "since origin/main", "staged"

    def touches(self, path: Path) -> bool:
        relative = from_repository(path, self.root)
        # A DVC-tracked file changes as its `.dvc` file (the content is not in git).
        return relative is not None and (relative in self.files or f"{relative}.dvc" in self.files)


def changes_for(start: Path, since: str | None, staged: bool) -> ChangedFiles:
    """The change a `--changed-since REV` or `--staged` run looks at (compared by merge base)."""
    from labellint.sources import git

    if since and staged:
        raise UsageError("--changed-since and --staged cannot be used together")
    repo = git.open_repo(start)
    root = git.repo_root(repo)
    if staged:
        return ChangedFiles(root, frozenset(git.changed_files(repo, staged=True)), "staged")
    base = git.merge_base(repo, since or "HEAD")
    return ChangedFiles(root, frozenset(git.changed_files(repo, base)), f"since {since}")


# Files a hook may pass that are never label files themselves (the spec, configs, names files):
# they only tell us what changed.
NOT_LABEL_SUFFIXES = (".yaml", ".yml", ".toml", ".names")


def changes_from_paths(paths: Iterable[str], cwd: Path | None = None) -> ChangedFiles:
    """The change pre-commit describes by passing the files being committed."""
    from labellint.support.paths import repository_root

    base = (cwd or Path.cwd()).resolve()
    root = repository_root(base) or base
    files = {from_repository(base / p, root) for p in paths}
    return ChangedFiles(root, frozenset(f for f in files if f is not None), "in the files being committed")


def hook_paths(paths: Iterable[str], has_datasets: bool) -> list[str]:
    """What to read when PATHS are the changed files: the config's datasets (every label, so
    dataset-level rules see everything) when it names any, else the changed label files."""
    if has_datasets:
        return []
    # A committed `labels.json.dvc` stands for the DVC-tracked `labels.json`.
    named = [p.removesuffix(".dvc") for p in paths]
    return [p for p in named if not p.lower().endswith(NOT_LABEL_SUFFIXES)]
