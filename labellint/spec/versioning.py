"""Semantic versions of the spec's meaning: bump levels, comparing versions, the bump a change made."""

from __future__ import annotations

import enum
import re

from labellint.spec.model import SEMVER


class Bump(enum.StrEnum):
    """How much a version must move: none < patch < minor < major."""

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"

    @property
    def rank(self) -> int:
        return ("none", "patch", "minor", "major").index(self.value)

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        return self.rank >= Bump(other).rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        return self.rank > Bump(other).rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        return self.rank <= Bump(other).rank

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        return self.rank < Bump(other).rank


def parse_version(version: str) -> tuple[int, int, int, str]:
    """(major, minor, patch, pre-release) of a semantic version; ValueError when it is not one."""
    match = SEMVER.match(str(version))
    if not match:
        raise ValueError(f"{version!r} is not a semantic version (MAJOR.MINOR.PATCH)")
    pre = re.match(r"^[^-+]*(?:-([^+]*))?", str(version)).group(1) or ""
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), pre


def version_key(version: str) -> tuple:
    """A sort key that orders versions as semver does (a pre-release sorts before its release)."""
    major, minor, patch, pre = parse_version(version)
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else ()
    return (major, minor, patch, 0 if pre else 1, parts)


def bump_made(base: str, head: str) -> Bump:
    """The bump from `base` to `head` (NONE when equal or lower: see `is_downgrade`)."""
    b, h = parse_version(base), parse_version(head)
    if version_key(head) <= version_key(base):
        return Bump.NONE
    if h[0] > b[0]:
        return Bump.MAJOR
    if h[0] == b[0] and h[1] > b[1]:
        return Bump.MINOR
    if h[:2] == b[:2] and h[2] > b[2]:
        return Bump.PATCH
    # Same MAJOR.MINOR.PATCH, a later pre-release (2.0.0-rc.1 -> 2.0.0-rc.2 or -> 2.0.0): the
    # release the pre-release leads to decides; count it as a patch on that line.
    return Bump.PATCH


def is_downgrade(base: str, head: str) -> bool:
    return version_key(head) < version_key(base)


def satisfies(required: Bump, base: str, head: str) -> bool:
    """Whether going from `base` to `head` is at least the `required` bump.

    Under MAJOR 0 (initial development, semver item 4) a MINOR bump may carry breaking changes,
    as Cargo and npm treat 0.x: a required MAJOR is met by 0.3.0 -> 0.4.0 as well as by 1.0.0.
    """
    made = bump_made(base, head)
    if made >= required:
        return True
    return required is Bump.MAJOR and initial_development(base) and made is Bump.MINOR


def initial_development(version: str) -> bool:
    """MAJOR 0 (semver item 4): a MINOR bump may carry breaking changes."""
    return parse_version(version)[0] == 0


def least_version(version: str, required: Bump) -> str:
    """The smallest version after `version` that meets `required`: under 0.x a MAJOR change is met
    by the next MINOR (0.1.0 -> 0.2.0), the version `spec bump` writes."""
    if required is Bump.MAJOR and initial_development(version):
        return next_version(version, Bump.MINOR)
    return next_version(version, required)


def next_version(version: str, level: Bump) -> str:
    """The version after a bump of `level` (a pre-release tag is dropped; NONE keeps it)."""
    major, minor, patch, _ = parse_version(version)
    if level is Bump.MAJOR:
        return f"{major + 1}.0.0"
    if level is Bump.MINOR:
        return f"{major}.{minor + 1}.0"
    if level is Bump.PATCH:
        return f"{major}.{minor}.{patch + 1}"
    return version
