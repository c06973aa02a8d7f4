"""The two sides of a change (a spec and its labels): the work tree, a spec file, a git revision, a folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from labellint.commands.labels import LabelSelection, read_dataset
from labellint.errors import SpecError, UsageError
from labellint.model import Dataset
from labellint.rules.change import ChangeContext, Side
from labellint.settings.config import Config
from labellint.sources import GitRevision, WorkTree
from labellint.spec.diff import diff_specs
from labellint.spec.loader import load_spec_text
from labellint.support.paths import from_cwd, from_repository

WORK_TREE = "work tree"


def work_tree_side(spec_path: Path, display: str) -> Side:
    """The spec as it is on disk now (the default HEAD)."""
    text = _read_text(spec_path, display)
    return Side(WORK_TREE, load_spec_text(text, display), text, display, spec_path.parent.resolve(), WorkTree())


def file_side(spec_path: Path, display: str) -> Side:
    """A spec file given by path (`spec diff old.yaml new.yaml`); its labels are those beside it."""
    text = _read_text(spec_path, display)
    return Side(display, load_spec_text(text, display), text, display, spec_path.parent.resolve(), WorkTree())


def revision_side(spec_path: Path, rev: str, *, missing_ok: bool = False) -> Side:
    """The spec (and labels) at a git revision; the spec path is where it sits in the work tree.

    `missing_ok`: a revision without the spec gives a side whose spec is None (a brand-new spec).
    """
    from labellint.sources import git

    source = GitRevision(spec_path.parent, rev)
    relative = from_repository(spec_path, source.root)
    if relative is None:
        raise SpecError(f"{spec_path} is outside the repository {source.root}")
    data = git.read_at(source.repo, source.rev, relative)
    display = f"{rev}:{relative}"
    if data is None:
        if missing_ok:
            return Side(rev, None, None, display, spec_path.parent.resolve(), source)
        raise SpecError(f"{relative} does not exist at {rev}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(f"{display}: the spec is not UTF-8 text") from None
    return Side(rev, load_spec_text(text, display), text, display, spec_path.parent.resolve(), source)


def _read_text(path: Path, display: str) -> str:
    try:
        # Bytes decoded as they are: universal newlines would turn CRLF into LF behind the user's back.
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SpecError(f"{display}: spec file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{display}: cannot read the spec: {exc}") from None


def folder_side(folder: Path, label: str, cwd: Path) -> Side:
    """A folder holding `labelspec.yaml` and labels (a rulebook's `before/` or `after/`)."""
    spec_path = folder / "labelspec.yaml"
    source = WorkTree(cwd=cwd)
    display = source.display(spec_path)
    if not spec_path.is_file():
        return Side(label, None, None, display, folder.resolve(), source)
    text = _read_text(spec_path, display)
    return Side(label, load_spec_text(text, display), text, display, folder.resolve(), source)


def labels_loader(config: Config, datasets_root: Path | None = None):
    """A `load_labels(side, paths)` for ChangeContext: the given files, or the config's datasets."""

    def load(side: Side, paths: Sequence[Path] | None) -> Dataset:
        if paths is None:
            if config.datasets:
                request = LabelSelection()
            elif datasets_root is not None:
                request = LabelSelection(paths=[str(side.root)])
            else:
                return Dataset()
        else:
            request = LabelSelection(paths=[str(p) for p in paths])
        try:
            dataset, _ = read_dataset(request, config, side.spec, side.source)
        except UsageError:
            return Dataset()  # the dataset does not exist on this side (added or removed in the change)
        return dataset

    return load


def change_context(base: Side, head: Side, policy, config: Config | None = None, datasets_root=None) -> ChangeContext:
    """Both sides, the semantic spec diff between them, and how to read either side's labels."""
    amendments = diff_specs(base.spec, head.spec, policy) if base.spec is not None and head.spec is not None else []
    return ChangeContext(base, head, amendments, labels_loader(config or Config(), datasets_root))


def side_for(arg: str | None, spec_path: Path, *, base: bool) -> Side:
    """A side from a spec file path, a git revision, or (None) the work tree. A BASE revision that
    lacks the spec, or a repository with no commit yet, is a side with no spec (a brand-new spec)."""
    from labellint.errors import GitError
    from labellint.sources import git

    if arg is None:
        return work_tree_side(spec_path, from_cwd(spec_path))
    if Path(arg).is_file():
        return file_side(Path(arg).resolve(), from_cwd(Path(arg)))
    try:
        return revision_side(spec_path, arg, missing_ok=base)
    except GitError:
        repo = git.open_repo(spec_path.parent)
        if base and not git.has_commits(repo):
            # The first commit of a repository: nothing to compare against.
            return Side(arg, None, None, None, spec_path.parent, WorkTree())
        raise


def base_revision(rev: str, spec_path: Path) -> str:
    """Where HEAD branched from `rev` (a pull request compares against that), when `rev` is a revision."""
    from labellint.sources import git

    if Path(rev).is_file():
        return rev
    repo = git.open_repo(spec_path.parent)
    if not git.has_commits(repo):
        return rev
    return git.merge_base(repo, rev)
