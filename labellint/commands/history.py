"""The one walk over git history that `log`, `stats` (rework) and `golden --since` share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from labellint.sources import GitRevision, git
from labellint.sources.git import CommitInfo
from labellint.support.paths import from_repository


@dataclass(slots=True)
class History:
    """The repository that holds some label files, and their paths inside it."""

    repo: object
    root: Path
    anchor: Path

    @classmethod
    def of(cls, anchor: Path) -> History:
        """The repository holding `anchor` (a label file or folder); GitError outside one."""
        anchor = anchor.resolve()
        repo = git.open_repo(anchor if anchor.is_dir() else anchor.parent)
        return cls(repo, git.repo_root(repo), anchor)

    def relative(self, paths: list[str]) -> list[str]:
        """Repository-relative paths of work-tree paths (those outside the repository are left out)."""
        found = (from_repository(p, self.root) for p in paths)
        return [p for p in found if p is not None]

    def newest_first(self, rev_range: str, pathspecs: list[str], max_count: int | None = None) -> list[CommitInfo]:
        """Commits of `rev_range` that touched `pathspecs`, newest first (as `git log` lists them)."""
        return git.commits(self.repo, rev_range, pathspecs, max_count)

    def resolve(self, rev: str) -> str:
        """The commit a revision names (GitError when it names none)."""
        return git.resolve(self.repo, rev)

    def since(self, rev: str | None, paths: list[str], max_count: int | None = None) -> list[CommitInfo]:
        """Oldest first: `rev` itself, then every later commit up to HEAD that touched `paths`; without
        `rev`, every commit that touched them."""
        base = git.resolve(self.repo, rev) if rev else None
        later = git.commits(self.repo, f"{base}..HEAD" if base else "HEAD", paths=paths, max_count=max_count)
        start = git.commits(self.repo, base, max_count=1) if base else []
        return [*start, *reversed(later)]

    def source(self, commit: str) -> GitRevision:
        """The label files as they are at `commit`."""
        return GitRevision(self.anchor if self.anchor.is_dir() else self.anchor.parent, commit)
