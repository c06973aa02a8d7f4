"""Helpers to test one rule on a rulebook folder (`good/`, `bad/`, `bad.expected`); also for plugin authors."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from labellint.commands.labels import LabelSelection, read_dataset, rule_context
from labellint.engine import run_rules
from labellint.problem import Problem
from labellint.reporters.text import format_problem
from labellint.rules import Rule, all_rules
from labellint.settings.config import Config, load_config
from labellint.sources import WorkTree
from labellint.spec.loader import load_spec
from labellint.spec.model import LabelSpec

SPEC_FILE = "labelspec.yaml"
EXPECTED_FILE = "bad.expected"
README_SECTIONS = ("What it checks", "Why it matters for training", "How to fix", "Options", "Related")


class RuleCrashed(AssertionError):
    """A reader or the rule itself raised while checking a rulebook half."""


def rulebook_folders(root: Path) -> list[Path]:
    """The rule folders under `root` (named `<CODE>-<name>`), in name order."""
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and "-" in p.name and not p.name.startswith("."))


def folder_code(folder: Path) -> str:
    """The rule code a folder is named after: `rules/LL201-bbox-out-of-bounds` -> `LL201`."""
    return Path(folder).name.split("-", 1)[0]


def resolve_rule(rule: str | type[Rule]) -> type[Rule]:
    """A rule class from its code (registered rules) or the class itself (e.g. a local plugin)."""
    if isinstance(rule, str):
        rules = all_rules()
        if rule not in rules:
            raise KeyError(f"no registered rule has code {rule!r}")
        return rules[rule]
    return rule


def load_folder_spec(folder: Path) -> LabelSpec | None:
    """The folder's `labelspec.yaml` (shared by both halves), or None when it has none."""
    path = Path(folder) / SPEC_FILE
    return load_spec(path, SPEC_FILE) if path.is_file() else None


def run_rule(folder: Path, half: str, rule: str | type[Rule]) -> list[Problem]:
    """Problems of ONE rule on `folder/half`, read with the normal readers (sniffing) and run
    through the real engine; paths are shown relative to `folder`. The spec is `half/labelspec.yaml`
    when there is one, else the folder's. A change rule's half holds `before/` and `after/` (each a
    spec and labels), compared as BASE and HEAD. Crashes raise RuleCrashed."""
    folder = Path(folder).resolve()
    if (folder / half / "before").is_dir() and (folder / half / "after").is_dir():
        return run_change_rule(folder, half, resolve_rule(rule))
    spec, spec_display = load_folder_spec(folder), SPEC_FILE
    if (folder / half / SPEC_FILE).is_file():
        # A spec-only rule's halves are specs: `good/labelspec.yaml` overrides the folder's.
        spec_display = f"{half}/{SPEC_FILE}"
        spec = load_spec(folder / half / SPEC_FILE, spec_display)
    # A half's own `labellint.toml` gives its datasets' settings (LL703's splits); paths stay the half.
    own = folder / half / "labellint.toml"
    config = load_config(own) if own.is_file() else Config(root=folder)
    source = WorkTree(cwd=folder)
    dataset, crashes = read_dataset(LabelSelection(paths=[str(folder / half)]), config, spec, source)
    context = rule_context(dataset, spec, spec_display if spec else None, config, source)
    report = run_rules([resolve_rule(rule)()], context)
    crashes = [*crashes, *report.crashes]
    if crashes:
        raise RuleCrashed("\n".join(f"{c.source} crashed on {half}/: {c.error}\n{c.traceback}" for c in crashes))
    return report.problems


def run_change_rule(folder: Path, half: str, rule: type[Rule]) -> list[Problem]:
    """Problems of ONE change rule from `folder/half/before` (BASE) to `folder/half/after` (HEAD)."""
    from labellint.commands.sides import change_context, folder_side

    base = folder_side(folder / half / "before", "before", folder)
    head = folder_side(folder / half / "after", "after", folder)
    context = change_context(base, head, None, Config(root=folder), datasets_root=True)
    report = run_rules([rule()], context)
    if report.crashes:
        raise RuleCrashed("\n".join(f"{c.source} crashed on {half}/: {c.error}\n{c.traceback}" for c in report.crashes))
    return report.problems


def problem_lines(problems: list[Problem]) -> list[str]:
    """Problems as the text reporter prints them, without colour."""
    return [format_problem(p) for p in problems]


def read_expected(folder: Path) -> list[str]:
    """The lines of `bad.expected`, skipping blank lines and `#` comments."""
    path = Path(folder) / EXPECTED_FILE
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.rstrip() for line in lines if line.strip() and not line.startswith("#")]


@dataclass(slots=True)
class RulebookResult:
    """What one rulebook folder yielded against what it promises."""

    folder: Path
    code: str
    good: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.good and sorted(self.bad) == sorted(self.expected)

    def diff(self) -> str:
        """A readable account of what is wrong ("" when ok)."""
        parts: list[str] = []
        if self.good:
            parts.append("good/ should yield nothing but yielded:\n" + "\n".join(f"  {g}" for g in self.good))
        if sorted(self.bad) != sorted(self.expected):
            lines = difflib.unified_diff(
                sorted(self.expected),
                sorted(self.bad),
                f"{EXPECTED_FILE} (expected)",
                "bad/ (actual)",
                lineterm="",
            )
            parts.append("\n".join(lines))
        return "\n\n".join(parts)


def check_rulebook_folder(folder: Path, rule: str | type[Rule] | None = None) -> RulebookResult:
    """Runs the folder's rule (default: the code in the folder name) on `good/` and `bad/`."""
    folder = Path(folder)
    rule_class = resolve_rule(rule if rule is not None else folder_code(folder))
    return RulebookResult(
        folder=folder,
        code=rule_class.code,
        good=problem_lines(run_rule(folder, "good", rule_class)),
        bad=problem_lines(run_rule(folder, "bad", rule_class)),
        expected=read_expected(folder),
    )


def readme_missing_sections(folder: Path) -> list[str]:
    """The README sections (`## What it checks`, ...) that the folder's README.md lacks."""
    path = Path(folder) / "README.md"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    headings = {line.lstrip("#").strip() for line in text.splitlines() if line.startswith("#")}
    return [s for s in README_SECTIONS if s not in headings]
