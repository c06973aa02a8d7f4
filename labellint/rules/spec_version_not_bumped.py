"""LL501 spec-version-not-bumped: the spec's meaning changed more than its version says."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules.base import Finding
from labellint.rules.change import ChangeContext, ChangeRule
from labellint.spec.policy import required_bump
from labellint.spec.versioning import Bump, bump_made, initial_development, is_downgrade, least_version, satisfies


class SpecVersionNotBumped(ChangeRule):
    """The spec's meaning changed more than its version bump says (DESIGN §3 policy)."""

    code = "LL501"
    name = "spec-version-not-bumped"

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        base, head = context.base.spec, context.head.spec
        if base is None or head is None:
            return
        where = context.spec_location("version")
        if is_downgrade(base.version, head.version):
            yield Finding(
                f"the version went backwards: {base.version} -> {head.version}; versions only go up",
                location=where,
                identity="downgrade",
            )
            return
        required = required_bump(context.amendments)
        if required is Bump.NONE or satisfies(required, base.version, head.version):
            return
        made = bump_made(base.version, head.version)
        reasons = [c for c in context.amendments if c.bump is required]
        shown = "; ".join(c.detail for c in reasons[:3]) + (f" (+{len(reasons) - 3} more)" if len(reasons) > 3 else "")
        made_words = f"stayed {base.version}" if made is Bump.NONE else f"got only a {made.value} bump ({head.version})"
        yield Finding(
            f"the spec's meaning changed and needs a {required.value} bump (to {least_version(base.version, required)}"
            f"{', a minor bump under 0.x' if initial_development(base.version) and required is Bump.MAJOR else ''}),"
            f" but the version {made_words}: {shown}",
            location=where,
            identity=f"{base.version}->{head.version}",
        )
