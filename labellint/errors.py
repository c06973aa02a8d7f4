"""Fatal errors: anything that stops a run before it can report problems (exit code 2)."""

from __future__ import annotations


class LabellintError(Exception):
    """A fatal, user-facing error; the CLI prints its message on one line and exits 2."""

    exit_code = 2

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Further lines (e.g. every spec error) shown by commands that list them all.
        self.details = details or []


class UsageError(LabellintError):
    """The command line asks for something impossible."""


class ConfigError(LabellintError):
    """The labellint configuration is missing, unreadable or invalid."""


class SpecError(LabellintError):
    """The label spec is missing, unreadable or invalid."""


class PluginError(LabellintError):
    """A plugin (rule, reader or reporter) could not be loaded."""


class GitError(LabellintError):
    """A git operation failed (not a repository, unknown revision, shallow history)."""


class MissingContentError(LabellintError):
    """A label file's content lives outside git (Git LFS, DVC) and is not available here."""
