"""`spec bump`: write the version a change of meaning needs, and a changelog stub, byte for byte elsewhere."""

from __future__ import annotations

import datetime
import difflib
import enum
from dataclasses import dataclass
from pathlib import Path

from labellint.commands.sides import side_for
from labellint.errors import UsageError
from labellint.settings.resolve import resolve_spec_path
from labellint.spec.bump import bumped_text
from labellint.spec.diff import diff_specs, required_bump
from labellint.spec.versioning import Bump, bump_made, least_version, next_version, satisfies
from labellint.support.atomic import write_atomically
from labellint.support.paths import from_cwd


class Outcome(enum.StrEnum):
    """What a bump did."""

    NO_CHANGE = "no-change"  # no change of meaning since BASE
    UP_TO_DATE = "up-to-date"  # already bumped, with a changelog entry
    PLANNED = "planned"  # --dry-run: the edit, not written
    WRITTEN = "written"


@dataclass(slots=True)
class BumpRequest:
    """Which bump (auto: what the changes since BASE need), against which release, and whether to write."""

    level: str = "auto"
    base: str = "HEAD"
    dry_run: bool = False
    spec_file: str | None = None
    config_file: str | None = None


@dataclass(slots=True)
class BumpResult:
    """The outcome, the versions, and the edit as a unified diff (for --dry-run)."""

    outcome: Outcome
    display: str
    current: str
    target: str | None = None
    wanted: Bump = Bump.NONE
    changes: int = 0
    edit: str = ""
    made: Bump = Bump.NONE  # the bump the new version is (a MAJOR change is a MINOR bump under 0.x)

    def to_json(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "spec": self.display,
            "version": self.current,
            "target": self.target,
            "bump": self.wanted.value,
            "changes": self.changes,
            "made": self.made.value,
        }


def run_spec_bump(request: BumpRequest) -> BumpResult:
    """Bumps the spec's version to what its changes since BASE need (or `level`), atomically."""
    _, spec_path, policy = resolve_spec_path(request.config_file, request.spec_file)
    display = from_cwd(spec_path)
    after = side_for(None, spec_path, base=False)
    before = side_for(request.base, spec_path, base=not Path(request.base).is_file())
    released = before.spec or after.spec  # no spec at BASE: bump from the current version
    changes = diff_specs(before.spec, after.spec, policy) if before.spec is not None else []
    wanted = required_bump(changes) if request.level == "auto" else Bump(request.level)
    current = after.spec.version
    if wanted is Bump.NONE:
        return BumpResult(Outcome.NO_CHANGE, display, current)
    target = _target(request.level, wanted, released.version, current, released is after.spec)
    has_entry = any(e.version == target for e in after.spec.changelog)
    if target == current and has_entry:
        return BumpResult(Outcome.UP_TO_DATE, display, current, target, wanted)
    if has_entry:
        raise UsageError(f"{display}: the changelog already has {target} but the version says otherwise")
    text = after.spec_text
    new_text = bumped_text(text, target, [c.detail for c in changes], datetime.date.today().isoformat())
    result = BumpResult(Outcome.WRITTEN, display, current, target, wanted, len(changes))
    result.made = bump_made(released.version, target) if released is not after.spec else wanted
    if request.dry_run:
        lines = difflib.unified_diff(
            text.splitlines(keepends=True), new_text.splitlines(keepends=True), display, f"{display} (bumped)"
        )
        result.outcome, result.edit = Outcome.PLANNED, "".join(lines)
        return result
    # Bytes as they are: universal newlines would turn CRLF into LF behind the user's back.
    write_atomically(spec_path, new_text, newline="")
    return result


def _target(level: str, wanted: Bump, released: str, current: str, no_base: bool) -> str:
    """The version to write."""
    if not no_base and current != released and satisfies(wanted, released, current):
        return current  # already bumped far enough: only make sure the changelog says so
    if level == "auto":
        # Under MAJOR 0 a breaking change is a MINOR bump (semver item 4); 1.0.0 is a deliberate
        # `--level major`, not something a rename should force.
        return least_version(released, wanted)
    return next_version(released, wanted)
