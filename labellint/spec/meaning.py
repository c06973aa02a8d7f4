"""Spec texts read as meaning: rewordings, mentions of a class, and which head class each base class became."""

# Classes are matched first, so that one change is reported once and in plain words:
#
# * **renamed**: a removed class and an added class with the same `id`; or, without ids, an added
#   class that alone names the removed one (in its aliases, definition or include examples, or in a
#   new changelog entry that names both).
# * **merged**: removed classes that name the same single head class (which may be an existing
#   class that absorbs them, or a new class that replaces two or more of them).
# * **split**: a removed class named by two or more head classes.
#
# Exclude examples never count as naming a class: they name look-alikes on purpose ("person
# riding a bicycle (cyclist)"). Texts are compared as meaning: a change of case, spacing,
# punctuation or a one-word typo is a rewording (PATCH by default), any other edit a change.

from __future__ import annotations

import re
from dataclasses import dataclass, field

from labellint.spec.model import LabelSpec


@dataclass(slots=True)
class ClassMatch:
    """How base classes map to head classes."""

    same: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # base name -> head name
    merged: dict[str, list[str]] = field(default_factory=dict)  # head name -> base names merged into it
    split: dict[str, list[str]] = field(default_factory=dict)  # base name -> head names it became
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)  # (base, head) -> why they match


# ----------------------------------------------------------------------------- texts
def normalize_text(text: str | None) -> str:
    """Text as meaning: case, spacing and punctuation do not count."""
    return " ".join(re.sub(r"[^\w\s%]", " ", (text or "").casefold()).split())


def list_changes(before: list[str], after: list[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(removed, added, reworded pairs) between two lists of phrases; a removed phrase whose
    rewording was added is a rewording, not a removal and an addition."""
    removed = [e for e in before if e not in after]
    added = [e for e in after if e not in before]
    reworded: list[tuple[str, str]] = []
    for old in list(removed):
        twin = next((new for new in added if is_rewording(old, new)), None)
        if twin is not None:
            removed.remove(old)
            added.remove(twin)
            reworded.append((old, twin))
    return removed, added, reworded


def is_rewording(before: str | None, after: str | None) -> bool:
    """Same meaning: equal once normalized, or one word differs by a small typo (not by a negation)."""
    a, b = normalize_text(before).split(), normalize_text(after).split()
    if a == b:
        return True
    if len(a) != len(b):
        return False
    differing = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    negations = {"not", "no", "never", "non", "without", "except"}
    return (
        len(differing) == 1
        and not ({*differing[0]} & negations)
        and _typo(*differing[0])
        and not (differing[0][0].isdigit() or differing[0][1].isdigit())
    )


def _typo(a: str, b: str) -> bool:
    """One letter apart in a word of five or more letters, two in one of nine or more (`pedestrain`);
    shorter words and closer calls (`include`/`exclude`, `visible`/`invisible`) are changes."""
    shortest = min(len(a), len(b))
    if shortest < 5:
        return False
    return _edit_distance(a, b) <= (2 if shortest >= 9 else 1)


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def mentions(text: str | None, name: str, *, affirmative: bool = False) -> bool:
    """Whether `text` names the class `name` (`traffic_light` also as `traffic light`, plurals too);
    with `affirmative`, a mention right after a negation ("not a van") does not count."""
    words = [re.escape(w) for w in re.split(r"[\s_\-]+", name.strip()) if w]
    if not words or not text:
        return False
    pattern = r"(?<![\w])" + r"[\s_\-]+".join(words) + r"(?:s|es)?(?![\w])"
    for found in re.finditer(pattern, text, flags=re.IGNORECASE):
        before = normalize_text(text[: found.start()]).split()[-3:]
        if not affirmative or not {"not", "no", "never", "except", "excluding", "without"} & set(before):
            return True
    return False


# ----------------------------------------------------------------------------- class matching
def match_classes(base: LabelSpec, head: LabelSpec) -> ClassMatch:
    """Pairs base and head classes: same name, renamed, merged, split, removed, added (see the notes at the top)."""
    match = ClassMatch()
    match.same = [n for n in head.classes if n in base.classes]
    removed = [n for n in base.classes if n not in head.classes]
    added = [n for n in head.classes if n not in base.classes]
    new_entries = _new_changelog_texts(base, head)

    # Same id, new name: a rename unless something else claims the old class too (then merge/split).
    head_by_id = {spec.id: name for name, spec in head.classes.items() if spec.id is not None}
    claims: dict[str, dict[str, str]] = {r: {} for r in removed}
    for old in removed:
        old_id = base.classes[old].id
        strong: dict[str, str] = {}
        weak: dict[str, str] = {}
        if old_id is not None and head_by_id.get(old_id) in added:
            strong[head_by_id[old_id]] = f"same id {old_id}"
        for name, spec in head.classes.items():
            if name in strong:
                continue
            found = _names(old, name, spec, new_entries)
            if found is not None:
                reason, is_strong = found
                (strong if is_strong else weak)[name] = reason
        # A definition or an include example may name a class in passing ("person behind a car"):
        # from an existing class that counts only when nothing stronger places the removed class.
        claims[old] = dict(strong)
        for name, reason in weak.items():
            if name in added or not strong:
                claims[old][name] = reason

    targets: dict[str, list[str]] = {}
    for old in removed:
        named = claims[old]
        if len(named) >= 2:
            match.split[old] = list(named)
            for new, why in named.items():
                match.reasons[(old, new)] = why
        elif len(named) == 1:
            new, why = next(iter(named.items()))
            match.reasons[(old, new)] = why
            targets.setdefault(new, []).append(old)
        else:
            match.removed.append(old)
    for new, olds in targets.items():
        if new in base.classes or len(olds) >= 2:
            match.merged[new] = olds
        elif any(new in heads for heads in match.split.values()):
            # A class born of a split that also absorbs another class: call it a merge too.
            match.merged[new] = olds
        else:
            match.renamed[olds[0]] = new
    involved = set(match.renamed.values()) | set(match.merged) | {n for ns in match.split.values() for n in ns}
    match.added = [n for n in added if n not in involved]
    return match


def _names(old: str, name: str, spec, new_entries: list[str]) -> tuple[str, bool] | None:
    """Why head class `name` names the removed class `old`, and whether that is strong evidence
    (an alias, a new changelog entry naming both) or weak (its definition or an include example)."""
    if any(normalize_text(a) == normalize_text(old) for a in spec.aliases):
        return f"'{name}' lists '{old}' as an alias", True
    for entry in new_entries:
        if mentions(entry, old) and mentions(entry, name):
            return f"the changelog says: {entry}", True
    if mentions(spec.definition, old, affirmative=True):
        return f"the definition of '{name}' names '{old}'", False
    for example in spec.include:
        if mentions(example, old, affirmative=True):
            return f"'{name}' includes '{example}'", False
    return None


# One changelog entry often tells several changes ("car renamed vehicle; wheel, nose merged into
# part; lane removed"): a head class names a removed one only within one clause, or every class the
# entry names would claim every other and each removed class would look split.
CLAUSE_END = re.compile(r";|\n|(?<=[.!?])\s+")


def _new_changelog_texts(base: LabelSpec, head: LabelSpec) -> list[str]:
    """The clauses of the changelog entries head adds (one change told per clause)."""
    known = {entry.version for entry in base.changelog}
    texts = []
    for entry in head.changelog:
        if entry.version in known:
            continue
        for text in [entry.changes] if isinstance(entry.changes, str) else entry.changes:
            texts.extend(clause.strip() for clause in CLAUSE_END.split(text) if clause.strip())
    return texts
