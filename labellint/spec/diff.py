"""Semantic diff of two spec versions: what changed in the labels' meaning, and the bump each needs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from labellint.spec.meaning import ClassMatch, is_rewording, list_changes, match_classes, mentions, normalize_text
from labellint.spec.model import Geometry, LabelSpec
from labellint.spec.policy import DEFAULT_POLICY, Amendment, required_bump, resolve_policy
from labellint.spec.versioning import Bump

# Amendment, is_rewording, mentions, required_bump and resolve_policy live in spec.policy and
# spec.meaning; they stay importable from here for the callers that predate the split.
__all__ = ["Amendment", "diff_specs", "is_rewording", "mentions", "required_bump", "resolve_policy"]

GEOMETRY_FIELDS = (
    "min_width",
    "min_height",
    "min_area",
    "aspect_ratio",
    "inside_image",
    "duplicate_iou",
    "conflict_iou",
)
GEOMETRY_WORDS = {
    "min_width": "minimum width",
    "min_height": "minimum height",
    "min_area": "minimum area",
    "aspect_ratio": "aspect ratio range",
    "inside_image": "inside-image tolerance",
    "duplicate_iou": "duplicate IoU",
    "conflict_iou": "conflict IoU",
    "allow_overlap": "allowed overlaps",
}


def diff_specs(base: LabelSpec, head: LabelSpec, policy: Mapping[str, Bump] | None = None) -> list[Amendment]:
    """Every change of meaning from `base` to `head`, in the order a reader expects."""
    return _Differ(base, head, policy or DEFAULT_POLICY).run()


def _quote(items: Iterable[str]) -> str:
    items = [f"'{i}'" for i in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _fmt(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------- the differ
class _Differ:
    def __init__(self, base: LabelSpec, head: LabelSpec, policy: Mapping[str, Bump]) -> None:
        self.base, self.head, self.policy = base, head, policy
        self.changes: list[Amendment] = []

    def add(self, kind: str, where: str, detail: str, classes: Iterable[str] = ()) -> None:
        self.changes.append(Amendment(kind, where, self.policy.get(kind, DEFAULT_POLICY[kind]), detail, tuple(classes)))

    def run(self) -> list[Amendment]:
        base, head = self.base, self.head
        if base.task != head.task:
            self.add("task-changed", "task", f"the task changed from {base.task.value} to {head.task.value}")
        self._text("decision", base.decision, head.decision, "decision-changed", "decision-reworded", "the decision")
        if normalize_text(base.description) != normalize_text(head.description):
            self.add("description-changed", "description", "the description changed")
        if base.name != head.name:
            self.add("name-changed", "name", f"the spec's name changed from {base.name!r} to {head.name!r}")
        match = match_classes(base, head)
        self._classes(match)
        self._edge_cases(match)
        self._priority(match)
        self._unsure()
        self._attributes()
        self._geometry(match)
        if base.golden != head.golden:
            self.add("golden-changed", "golden", f"the golden set moved from {base.golden!r} to {head.golden!r}")
        return self.changes

    # ------------------------------------------------------------------ classes
    def _classes(self, match: ClassMatch) -> None:
        for old, new in match.renamed.items():
            self.add(
                "class-renamed",
                f"classes.{new}",
                f"class '{old}' was renamed to '{new}' ({match.reasons[(old, new)]}); "
                f"label files that say '{old}' must say '{new}'",
                (old, new),
            )
        for target, sources in match.merged.items():
            into = "existing class" if target in self.base.classes else "new class"
            reasons = "; ".join(match.reasons[(s, target)] for s in sources)
            self.add(
                "class-merged",
                f"classes.{target}",
                f"{_quote(sources)} {'was' if len(sources) == 1 else 'were'} merged into the {into} '{target}' "
                f"({reasons}); their labels become '{target}'",
                (*sources, target),
            )
        for source, targets in match.split.items():
            reasons = "; ".join(match.reasons[(source, t)] for t in targets)
            self.add(
                "class-split",
                f"classes.{source}",
                f"class '{source}' was split into {_quote(targets)} ({reasons}); every '{source}' label must be "
                f"relabelled as one of them",
                (source, *targets),
            )
        for name in match.removed:
            self.add(
                "class-removed",
                f"classes.{name}",
                f"class '{name}' was removed; its labels have no class any more",
                (name,),
            )
        for name in match.added:
            self.add("class-added", f"classes.{name}", f"class '{name}' was added", (name,))
        pairs = [(n, n) for n in match.same] + list(match.renamed.items())
        for old, new in pairs:
            self._class_body(old, new)

    def _class_body(self, old: str, new: str) -> None:
        before, after = self.base.classes[old], self.head.classes[new]
        where = f"classes.{new}"
        touched = (old, new) if old != new else (new,)
        if before.id != after.id and before.id is not None and after.id is not None:
            self.add(
                "class-id-changed",
                f"{where}.id",
                f"class '{new}' changed id from {before.id} to {after.id}; files that write ids (COCO, YOLO) "
                f"now mean another class",
                touched,
            )
        if before.definition is None and after.definition is not None:
            self.add("definition-added", f"{where}.definition", f"class '{new}' got a definition", touched)
        else:
            self._text(
                f"{where}.definition",
                before.definition,
                after.definition,
                "definition-changed",
                "definition-reworded",
                f"the definition of '{new}'",
                touched,
            )
        for side in ("include", "exclude"):
            self._examples(f"{where}.{side}", getattr(before, side), getattr(after, side), new, side, touched)
        for alias in sorted(set(after.aliases) - set(before.aliases)):
            self.add("alias-added", f"{where}.aliases", f"'{alias}' is now an alias of '{new}'", touched)
        for alias in sorted(set(before.aliases) - set(after.aliases)):
            self.add(
                "alias-removed",
                f"{where}.aliases",
                f"'{alias}' is no longer an alias of '{new}'; files that use it fail",
                touched,
            )

    def _examples(self, where: str, before: list[str], after: list[str], cls: str, side: str, touched) -> None:
        word = "include" if side == "include" else "exclude"
        removed, added, reworded = list_changes(before, after)
        for old, twin in reworded:
            self.add("example-reworded", where, f"{word} example of '{cls}' reworded: '{old}' -> '{twin}'", touched)
        for example in removed:
            self.add(
                "example-removed",
                where,
                f"{word} example '{example}' was removed from '{cls}'; samples like it may now be labelled differently",
                touched,
            )
        for example in added:
            self.add("example-added", where, f"{word} example '{example}' was added to '{cls}'", touched)

    def _text(self, where, before, after, changed_kind, reworded_kind, what, classes=()) -> None:
        if (before or "") == (after or ""):
            return
        if is_rewording(before, after):
            self.add(reworded_kind, where, f"{what} was reworded without changing its meaning", classes)
        else:
            self.add(changed_kind, where, f"{what} changed: '{before or ''}' -> '{after or ''}'", classes)

    # ------------------------------------------------------------------ edge cases, priority, unsure
    def _renamed(self, match: ClassMatch, names: Iterable[str]) -> list[str]:
        return [match.renamed.get(n, n) for n in names]

    def _edge_cases(self, match: ClassMatch) -> None:
        before = {case.id: case for case in self.base.edge_cases}
        after = {case.id: case for case in self.head.edge_cases}
        for key in after.keys() - before.keys():
            case = after[key]
            self.add("edge-case-added", f"edge_cases.{key}", f"edge case '{key}' was added: {case.rule}", case.classes)
        for key in before.keys() - after.keys():
            case = before[key]
            self.add("edge-case-removed", f"edge_cases.{key}", f"edge case '{key}' was removed", case.classes)
        for key in [k for k in after if k in before]:
            old, new = before[key], after[key]
            classes = sorted({*old.classes, *new.classes})
            where = f"edge_cases.{key}"
            self._text(
                f"{where}.rule",
                old.rule,
                new.rule,
                "edge-case-changed",
                "edge-case-reworded",
                f"the rule of edge case '{key}'",
                classes,
            )
            if sorted(self._renamed(match, old.classes)) != sorted(new.classes):
                self.add(
                    "edge-case-classes-changed",
                    f"{where}.classes",
                    f"edge case '{key}' now applies to {_quote(new.classes) if new.classes else 'no class'} "
                    f"(before: {_quote(old.classes) if old.classes else 'no class'})",
                    classes,
                )
            gone, new_examples, reworded = list_changes(old.examples, new.examples)
            for example, twin in reworded:
                self.add(
                    "edge-case-reworded", f"{where}.examples", f"example reworded: '{example}' -> '{twin}'", classes
                )
            for example in gone:
                self.add("edge-case-example-removed", f"{where}.examples", f"example '{example}' removed", classes)
            for example in new_examples:
                self.add("edge-case-example-added", f"{where}.examples", f"example '{example}' added", classes)

    def _priority(self, match: ClassMatch) -> None:
        def wins(spec: LabelSpec, rename: bool) -> set[tuple[str, str]]:
            pairs = set()
            for chain in spec.priority:
                names = self._renamed(match, chain) if rename else list(chain)
                pairs |= {(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))}
            return pairs

        # Pairs with a class that no longer exists (removed, merged, split) are told by that change.
        before = {pair for pair in wins(self.base, True) if all(name in self.head.classes for name in pair)}
        after = wins(self.head, False)
        for winner, loser in sorted(after - before):
            if (loser, winner) in before:
                self.add(
                    "priority-reversed",
                    "priority",
                    f"'{winner}' now wins over '{loser}' (before, '{loser}' won)",
                    (winner, loser),
                )
            else:
                self.add("priority-added", "priority", f"'{winner}' now wins over '{loser}'", (winner, loser))
        for winner, loser in sorted(before - after):
            if (loser, winner) not in after:
                self.add(
                    "priority-removed",
                    "priority",
                    f"'{winner}' no longer wins over '{loser}'",
                    (winner, loser),
                )

    def _unsure(self) -> None:
        before, after = self.base.unsure, self.head.unsure
        if before is None and after is None:
            return
        if before is None:
            self.add("unsure-added", "unsure", "an unsure path was added for ambiguous samples")
            return
        if after is None:
            self.add("unsure-removed", "unsure", "the unsure path was removed; ambiguous samples must now be decided")
            return
        if (before.attribute, before.class_) != (after.attribute, after.class_):
            old = f"attribute '{before.attribute}'" if before.attribute else f"class '{before.class_}'"
            new = f"attribute '{after.attribute}'" if after.attribute else f"class '{after.class_}'"
            self.add("unsure-path-changed", "unsure", f"unsure samples are now marked by {new} (before: {old})")
        removed, added, reworded = list_changes(before.criteria, after.criteria)
        for old, twin in reworded:
            self.add("unsure-criteria-reworded", "unsure.criteria", f"criterion reworded: '{old}' -> '{twin}'")
        for criterion in added:
            self.add("unsure-criteria-added", "unsure.criteria", f"samples with '{criterion}' are now unsure")
        for criterion in removed:
            self.add(
                "unsure-criteria-removed",
                "unsure.criteria",
                f"'{criterion}' is no longer a reason to mark a sample unsure",
            )

    # ------------------------------------------------------------------ attributes
    def _attributes(self) -> None:
        before, after = self.base.attributes, self.head.attributes
        for name in [n for n in after if n not in before]:
            if after[name].get("required"):
                self.add(
                    "attribute-added-required",
                    f"attributes.{name}",
                    f"required attribute '{name}' was added; every existing annotation lacks it",
                )
            else:
                self.add("attribute-added-optional", f"attributes.{name}", f"optional attribute '{name}' was added")
        for name in [n for n in before if n not in after]:
            self.add("attribute-removed", f"attributes.{name}", f"attribute '{name}' was removed")
        for name in [n for n in after if n in before]:
            self._attribute(name, dict(before[name]), dict(after[name]))

    def _attribute(self, name: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        where = f"attributes.{name}"
        was_required, is_required = bool(old.pop("required", False)), bool(new.pop("required", False))
        if is_required and not was_required:
            self.add("attribute-made-required", where, f"attribute '{name}' is now required")
        elif was_required and not is_required:
            self.add("attribute-made-optional", where, f"attribute '{name}' is now optional")
        notes = ("description", "title", "$comment", "examples")
        if any(old.get(k) != new.get(k) for k in notes):
            self.add("attribute-description-changed", where, f"the description of attribute '{name}' changed")
        old = {k: v for k, v in old.items() if k not in notes}
        new = {k: v for k, v in new.items() if k not in notes}
        if old == new:
            return
        old_enum, new_enum = old.pop("enum", None), new.pop("enum", None)
        if old == new and isinstance(old_enum, list) and isinstance(new_enum, list) and set(old_enum) < set(new_enum):
            added = [v for v in new_enum if v not in old_enum]
            self.add("attribute-values-added", where, f"attribute '{name}' accepts new values {_fmt(added)}")
            return
        if old_enum is not None or new_enum is not None:
            old["enum"], new["enum"] = old_enum, new_enum
        self.add(
            "attribute-schema-changed",
            where,
            f"the schema of attribute '{name}' changed ({_describe_schema_change(old, new)})",
        )

    # ------------------------------------------------------------------ geometry
    def _geometry(self, match: ClassMatch) -> None:
        self._geometry_fields("geometry", self.base.geometry, self.head.geometry, "dataset-wide", ())
        self._overlaps(match)
        pairs = [(n, n) for n in match.same] + list(match.renamed.items())
        for old, new in pairs:
            own_before = self.base.classes[old].geometry or Geometry()
            own_after = self.head.classes[new].geometry or Geometry()
            changed = [f for f in GEOMETRY_FIELDS if getattr(own_before, f) != getattr(own_after, f)]
            if not changed:
                continue
            effective_before, effective_after = self.base.class_geometry(old), self.head.class_geometry(new)
            self._geometry_fields(
                f"classes.{new}.geometry",
                effective_before,
                effective_after,
                f"for '{new}'",
                (old, new) if old != new else (new,),
                only=changed,
            )

    def _geometry_fields(self, where, before: Geometry, after: Geometry, scope: str, classes, only=None) -> None:
        for name in only or GEOMETRY_FIELDS:
            old, new = getattr(before, name), getattr(after, name)
            if name == "inside_image":
                old = None if old is None else old.tolerance
                new = None if new is None else new.tolerance
            if old == new:
                continue
            tighter = _tighter(name, old, new)
            kind = "geometry-tightened" if tighter else "geometry-loosened"
            verb = "tightened" if tighter else "loosened"
            words = GEOMETRY_WORDS[name]
            detail = f"{scope} {words} {verb}: {_fmt(old) if old is not None else 'none'} -> "
            detail += f"{_fmt(new) if new is not None else 'none'}"
            if tighter and name in ("min_width", "min_height", "min_area", "aspect_ratio"):
                detail += " (labels that met the old rule may now break it)"
            elif not tighter and name in ("min_width", "min_height", "min_area", "aspect_ratio"):
                detail += " (smaller or odder-shaped objects are now labelled)"
            self.add(kind, f"{where}.{name}", detail, classes)

    def _overlaps(self, match: ClassMatch) -> None:
        def pairs(spec: LabelSpec, rename: bool) -> set[frozenset[str]]:
            found = set()
            for a, b in spec.geometry.allow_overlap or []:
                names = self._renamed(match, (a, b)) if rename else (a, b)
                found.add(frozenset(names))
            return found

        before, after = pairs(self.base, True), pairs(self.head, False)
        for pair in sorted(after - before, key=sorted):
            self.add(
                "geometry-loosened",
                "geometry.allow_overlap",
                f"boxes of {_quote(sorted(pair))} may now overlap",
                tuple(sorted(pair)),
            )
        for pair in sorted(before - after, key=sorted):
            self.add(
                "geometry-tightened",
                "geometry.allow_overlap",
                f"boxes of {_quote(sorted(pair))} may no longer overlap",
                tuple(sorted(pair)),
            )


def _tighter(name: str, old: Any, new: Any) -> bool:
    """Whether a geometry setting now rejects something it accepted (then it is a tightening)."""
    if name == "aspect_ratio":
        if old is None:
            return True
        if new is None:
            return False
        return new[0] > old[0] or new[1] < old[1]
    if name in ("min_width", "min_height", "min_area"):
        return (new or 0) > (old or 0)
    if name == "inside_image":
        # Less tolerance rejects more boxes; no setting means 0 (boxes must be inside).
        return (new or 0) < (old or 0)
    # IoU limits: a lower limit flags more pairs; unset means the check's own default (off).
    if old is None:
        return True
    if new is None:
        return False
    return new < old


def _describe_schema_change(old: dict[str, Any], new: dict[str, Any]) -> str:
    parts = []
    for key in sorted({*old, *new}):
        if old.get(key) != new.get(key):
            parts.append(
                f"{key}: {_fmt(old.get(key)) if key in old else 'unset'} -> "
                f"{_fmt(new.get(key)) if key in new else 'unset'}"
            )
    return "; ".join(parts)
