"""LL502 spec-changelog-missing: the version changed without a changelog entry for it."""

from __future__ import annotations

from collections.abc import Iterator

from labellint.rules.base import Finding
from labellint.rules.change import ChangeContext, ChangeRule


class SpecChangelogMissing(ChangeRule):
    """The spec's version changed but `changelog` has no entry for the new version."""

    code = "LL502"
    name = "spec-changelog-missing"

    def check_change(self, context: ChangeContext) -> Iterator[Finding]:
        base, head = context.base.spec, context.head.spec
        if head is None or (base is not None and base.version == head.version):
            return
        entries = [entry for entry in head.changelog if entry.version == head.version]
        if not entries:
            where = context.spec_location("changelog")
            listed = ", ".join(e.version for e in head.changelog[:3]) or "none"
            yield Finding(
                f"version {head.version} has no changelog entry (entries: {listed}); add "
                f"`- {{version: {head.version}, changes: ...}}` at the top of `changelog` "
                f"(`labellint spec bump` writes a stub)",
                location=where if where.line else context.spec_location("version"),
                identity=head.version,
            )
            return
        entry = entries[0]
        texts = [entry.changes] if isinstance(entry.changes, str) else entry.changes
        if not any(text.strip() and not text.strip().upper().startswith("TODO") for text in texts):
            yield Finding(
                f"the changelog entry for {head.version} says nothing yet (TODO or empty); say what changed",
                location=context.spec_location("changelog", head.changelog.index(entry)),
                identity=head.version,
            )
