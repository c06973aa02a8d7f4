"""`spec check`: the bump a change of meaning needs against the bump made, and the change rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from labellint.engine import run_rules
from labellint.report import Report
from labellint.rules import Rule, all_rules, matches
from labellint.rules.change import ChangeContext, ChangeRule
from labellint.spec.diff import Amendment, required_bump
from labellint.spec.versioning import Bump, bump_made
from labellint.support.paths import from_cwd


def change_rules(select: Sequence[str] | None = None, ignore: Sequence[str] = (), config=None) -> list[Rule]:
    """Registered change rules with a code in `select` (None: all), minus `ignore` selectors,
    instantiated with the options the config's `[rules.X]` tables give them (None: the defaults)."""
    found = [cls for cls in all_rules().values() if issubclass(cls, ChangeRule)]
    chosen = [cls for cls in found if select is None or cls.code in select]
    return [cls(_configured(config, cls)) for cls in chosen if not any(matches(s, cls) for s in ignore)]


def _configured(config, rule: type[Rule]):
    """The rule's options from the config; None (the defaults) without a config or when its
    `select` leaves the rule out (spec check runs every change rule not ignored)."""
    from labellint.settings.policy import rule_options

    if config is None:
        return None
    try:
        return rule_options(config, rule)
    except LookupError:
        return None


@dataclass(slots=True)
class SpecCheck:
    """The result of `spec check`: required bump, the bump made, and the change rules' problems."""

    base_version: str | None
    head_version: str | None
    required: Bump
    actual: Bump
    changes: list[Amendment]
    report: Report
    notes: list[str] = field(default_factory=list)
    # How to name the two ends and the spec in messages.
    base_label: str = ""
    head_label: str = ""
    spec_display: str = ""

    @property
    def ok(self) -> bool:
        return not self.report.errors and not self.report.crashes

    def to_json(self) -> dict:
        return {
            "required": self.required.value,
            "actual": self.actual.value,
            "ok": self.ok,
            "changes": [c.as_json() for c in self.changes],
            "base_version": self.base_version,
            "head_version": self.head_version,
            "problems": [
                {
                    "code": p.code,
                    "name": p.name,
                    "severity": p.severity.value,
                    "message": p.message,
                    "path": p.location.path,
                    "line": p.location.line,
                    "pointer": p.location.pointer,
                    "fingerprint": p.fingerprint,
                }
                for p in self.report.problems
            ],
        }


def spec_check(context: ChangeContext, rules: Sequence[Rule] | None = None) -> SpecCheck:
    """The required and the actual bump, and the change rules' problems, for one change."""
    base, head = context.base.spec, context.head.spec
    notes = []
    if base is None:
        notes.append(f"no spec at {context.base.label}: nothing to compare, every class is new")
    report = run_rules(rules if rules is not None else change_rules(), context)
    required = required_bump(context.amendments)
    actual = Bump.NONE
    if base is not None and head is not None:
        actual = bump_made(base.version, head.version)
    return SpecCheck(
        base.version if base else None,
        head.version if head else None,
        required,
        actual,
        context.amendments,
        report,
        notes,
    )


@dataclass(slots=True)
class SpecCheckRequest:
    """Compare HEAD (None: the work tree) with BASE, as a pull request compares with its merge base."""

    base: str
    head: str | None = None
    spec_file: str | None = None
    config_file: str | None = None


def run_spec_check(request: SpecCheckRequest) -> SpecCheck:
    """The spec check of one change: BASE's merge base with HEAD against HEAD."""
    from labellint.commands.sides import base_revision, change_context, side_for
    from labellint.settings.resolve import resolve_spec_path

    config, spec_path, policy = resolve_spec_path(request.config_file, request.spec_file)
    before = side_for(base_revision(request.base, spec_path), spec_path, base=True)
    before.label = request.base
    after = side_for(request.head, spec_path, base=False)
    context = change_context(before, after, policy, config)
    result = spec_check(context, change_rules(ignore=config.ignore, config=config))
    result.base_label, result.head_label, result.spec_display = request.base, after.label, from_cwd(spec_path)
    return result
