"""The only GitPython user (imported lazily): read revisions without touching the work tree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from labellint.errors import GitError
from labellint.sources import lfs

if TYPE_CHECKING:
    from git import Repo


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """One commit as `log` shows it."""

    sha: str
    author: str
    email: str
    date: str
    message: str
    parents: tuple[str, ...]


def open_repo(path: Path) -> Repo:
    """The repository that holds `path`; a clear GitError when there is none or git is missing."""
    try:
        import git
    except ImportError as exc:  # GitPython imports but cannot find the git executable
        raise GitError(f"git is not available: {exc}") from None
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError(f"{path}: not inside a git repository") from None


def ignored_below(folder: Path) -> Callable[[Path], bool] | None:
    """Whether a file below `folder` is ignored by git (.gitignore, info/exclude, the global
    excludes); None outside a repository, where nothing is ignored."""
    import git

    try:
        repo = open_repo(folder)
        listed = repo.git.ls_files("-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", folder)
    except (GitError, git.GitCommandError):
        return None
    root = repo_root(repo)
    files: set[Path] = set()
    folders: list[Path] = []  # git lists a wholly ignored folder once, with a trailing slash
    for relative in filter(None, listed.split("\0")):
        if relative.endswith("/"):
            folders.append((root / relative).resolve())
        else:
            files.add((root / relative).resolve())

    def ignored(path: Path) -> bool:
        path = path.resolve()
        return path in files or any(path.is_relative_to(d) for d in folders)

    return ignored


def repo_root(repo: Repo) -> Path:
    return Path(repo.working_tree_dir).resolve()


def resolve(repo: Repo, rev: str) -> str:
    """The full sha of a revision; says so when a shallow clone lacks the history."""
    import git

    try:
        return repo.commit(rev).hexsha
    # IndexError: GitPython's answer to a reflog entry past the end (`HEAD@{999}`).
    except (git.BadName, ValueError, IndexError, git.GitCommandError):
        shallow = (Path(repo.git_dir) / "shallow").exists()
        hint = " (this clone is shallow: fetch more history, e.g. `git fetch --unshallow` or fetch-depth: 0)"
        raise GitError(f"unknown revision {rev!r}{hint if shallow else ''}") from None


def read_at(repo: Repo, rev: str, relative: str, limit: int | None = None, label: str | None = None) -> bytes | None:
    """The content of a file at a revision (repository-relative posix path), or None if absent; a Git
    LFS pointer is read through git-lfs from the local store (MissingContentError when not fetched).
    With `limit`, only the first `limit` bytes are guaranteed (enough to sniff a reader); `label`
    names the revision in messages (default: `rev`)."""
    data = read_blob_at(repo, rev, relative)
    if data is None:
        return None
    pointer = lfs.parse_pointer(data)
    if pointer is None:
        return data
    label = label or rev
    where = f"{relative} at {label[:12] if _is_sha(label) else label}"
    return lfs_store(repo_root(repo)).read(pointer, relative, where, limit)


def _is_sha(rev: str) -> bool:
    return len(rev) == 40 and all(c in "0123456789abcdef" for c in rev)


_STORES: dict[Path, lfs.LfsStore] = {}


def lfs_store(root: Path) -> lfs.LfsStore:
    """The LFS store of the repository at `root` (one per root: git-lfs is asked once where it is)."""
    if root not in _STORES:
        _STORES[root] = lfs.LfsStore(root)
    return _STORES[root]


def read_blob_at(repo: Repo, rev: str, relative: str) -> bytes | None:
    """The raw blob of a file at a revision (a pointer stays a pointer), or None if absent."""
    import git

    sha = resolve(repo, rev)
    try:
        blob = repo.commit(sha).tree / relative
    except KeyError:
        return None
    if blob.type != "blob":
        return None
    try:
        return blob.data_stream.read()
    except git.GitCommandError as exc:  # pragma: no cover - corrupt objects
        raise GitError(f"cannot read {relative} at {rev}: {exc}") from None


def files_at(repo: Repo, rev: str, under: str = "") -> list[str]:
    """Every file (repository-relative) in the tree of `rev`, optionally below a folder."""
    sha = resolve(repo, rev)
    output = repo.git.ls_tree("-r", "--name-only", "-z", sha, "--", under or ".")
    return sorted(p for p in output.split("\0") if p)


def changed_files(repo: Repo, base: str | None = None, *, staged: bool = False) -> list[str]:
    """Repository-relative paths changed since `base` (work tree, untracked included), or staged."""
    if staged:
        output = repo.git.diff("--cached", "--name-only", "-z", "--no-renames")
        return sorted(p for p in output.split("\0") if p)
    sha = resolve(repo, base or "HEAD")
    output = repo.git.diff(sha, "--name-only", "-z", "--no-renames")
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z")
    return sorted({p for p in (output + "\0" + untracked).split("\0") if p})


def commits(
    repo: Repo, rev_range: str, paths: list[str] | None = None, max_count: int | None = None
) -> list[CommitInfo]:
    """Commits in `rev_range` that touch `paths` (or the `.dvc` files tracking them), newest first."""
    # A DVC-tracked label file changes in git as its `.dvc` file: ask for both.
    pathspecs = [*paths, *(f"{p}.dvc" for p in paths if not p.endswith(("/", ".dvc")))] if paths else []
    try:
        found = list(repo.iter_commits(rev_range, paths=pathspecs, max_count=max_count))
    except Exception as exc:  # GitPython raises GitCommandError subclasses for bad ranges
        raise GitError(f"cannot list commits in {rev_range!r}: {str(exc).strip().splitlines()[-1]}") from None
    return [
        CommitInfo(
            sha=c.hexsha,
            author=c.author.name or "",
            email=c.author.email or "",
            date=c.committed_datetime.isoformat(),
            message=c.message.strip(),
            parents=tuple(p.hexsha for p in c.parents),
        )
        for c in found
    ]


def merge_base(repo: Repo, rev: str, head: str = "HEAD") -> str:
    """Where `head` branched from `rev` (what a pull request is compared against); a clear
    GitError when a shallow clone lacks the history to find it."""
    import git

    base = resolve(repo, rev)
    try:
        head_sha = repo.commit(head).hexsha
    except (git.BadName, ValueError, git.GitCommandError):
        return base  # no commit yet: everything in the work tree is new relative to `rev`
    try:
        found = repo.git.merge_base(base, head_sha).strip()
    except git.GitCommandError:
        found = ""
    if found:
        return found
    if (Path(repo.git_dir) / "shallow").exists():
        raise GitError(
            f"history too shallow to compare with {rev!r}: no common ancestor with {head} in this shallow clone "
            "(run `git fetch --unshallow`, or use `fetch-depth: 0` with actions/checkout)"
        )
    raise GitError(f"{rev!r} and {head} have no common ancestor")


def has_commits(repo: Repo) -> bool:
    """Whether the repository has any commit yet (a first commit compares against nothing)."""
    return repo.head.is_valid()
