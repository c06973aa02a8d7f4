"""Git-aware runs: narrow per-file problems to the label files a change touches."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from labellint.errors import UsageError
from labellint.readers.yolo import NAME_FILES
from labellint.report import Report


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Files (repository-relative posix paths) changed since a revision, or staged for commit."""

    root: Path
    files: frozenset[str]
    label: str  # how to name the change in messages: "since origin/main", "staged"

    def touches(self, path: Path) -> bool:
        relative = _relative(path, self.root)
        return relative is not None and relative in self.files


def changes_for(start: Path, since: str | None, staged: bool) -> ChangeSet:
    """The change a `--changed-since REV` or `--staged` run looks at (compared by merge base)."""
    from labellint import git

    if since and staged:
        raise UsageError("--changed-since and --staged cannot be used together")
    repo = git.open_repo(start)
    root = git.repo_root(repo)
    if staged:
        return ChangeSet(root, frozenset(git.changed_files(repo, staged=True)), "staged")
    base = git.merge_base(repo, since or "HEAD")
    return ChangeSet(root, frozenset(git.changed_files(repo, base)), f"since {since}")


def narrow(report: Report, change: ChangeSet, shared: Iterable[Path], cwd: Path | None = None) -> Report:
    """The report with per-file problems kept only for changed files.

    All files were read and every rule saw the whole dataset, so problems with no file, and
    dataset-level problems placed in the spec or config, stay. A change to a file every label
    depends on (the spec, the config, a YOLO names file) can break untouched labels, so then
    nothing is narrowed.
    """
    shared = list(shared)
    shared_changed = [p for p in shared if change.touches(p)]
    names_changed = sorted(f for f in change.files if f.rsplit("/", 1)[-1] in NAME_FILES)
    if shared_changed or names_changed:
        first = _relative(shared_changed[0], change.root) if shared_changed else names_changed[0]
        note = f"{first} changed ({change.label}): checking every label file"
        return dataclasses.replace(report, notes=[*report.notes, note])
    base = (cwd or Path.cwd()).resolve()
    shared_files = {_relative(p, change.root) for p in shared} - {None}
    dataset_wide = _dataset_scoped_codes()

    def keep(problem) -> bool:
        path = problem.location.path
        if path is None or change.touches(base / path):
            return True
        # A dataset-level finding placed in the spec or config (e.g. a class nobody uses any more)
        # may be caused by any label change, so it is never narrowed away.
        return problem.code in dataset_wide and _relative(base / path, change.root) in shared_files

    kept = [p for p in report.problems if keep(p)]
    dropped = len(report.problems) - len(kept)
    notes = list(report.notes)
    if dropped:
        notes.append(f"{dropped} problem{'s' if dropped != 1 else ''} in unchanged files not shown ({change.label})")
    return dataclasses.replace(report, problems=kept, notes=notes)


def _dataset_scoped_codes() -> set[str]:
    from labellint.rules import Scope, all_rules

    return {code for code, rule in all_rules().items() if rule.scope is Scope.DATASET}


def _relative(path: Path, root: Path) -> str | None:
    # realpath also works for deleted files (it resolves the part of the path that exists).
    absolute = Path(os.path.realpath(Path(path).absolute()))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return None


# Files a hook may pass that are never label files themselves (the spec, configs, names files):
# they only tell us what changed.
NOT_LABEL_SUFFIXES = (".yaml", ".yml", ".toml", ".names")


def changes_from_paths(paths: Iterable[str], cwd: Path | None = None) -> ChangeSet:
    """The change pre-commit describes by passing the files being committed."""
    from labellint.config import repository_root

    base = (cwd or Path.cwd()).resolve()
    root = repository_root(base) or base
    files = {_relative(base / p, root) for p in paths}
    return ChangeSet(root, frozenset(f for f in files if f is not None), "in the files being committed")


def hook_paths(paths: Iterable[str], has_datasets: bool) -> list[str]:
    """What to read when PATHS are the changed files: the config's datasets (every label, so
    dataset-level rules see everything) when it names any, else the changed label files."""
    if has_datasets:
        return []
    return [p for p in paths if not p.lower().endswith(NOT_LABEL_SUFFIXES)]
