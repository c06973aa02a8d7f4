"""A label diff as text for a terminal or markdown for a pull-request comment."""

from __future__ import annotations

from typing import Any

from labellint.diff.summary import LabelDiff

DETAIL_LIMIT = 20


def render_text(
    diff: LabelDiff, base: str, head: str, limit: int = DETAIL_LIMIT, class_limit: int | None = None
) -> str:
    """Summary lines, then class changes, transitions, per-class counts and the first changes."""
    items, anns = diff.items, diff.annotations
    lines = [f"labels {base} -> {head}"]
    lines.append(
        f"  items:       +{items['added']} added, -{items['removed']} removed, "
        f"{items['changed']} changed, {items['unchanged']} unchanged"
    )
    lines.append(
        f"  annotations: +{anns['added']} added, -{anns['removed']} removed, {anns['relabeled']} relabeled, "
        f"{anns['moved']} moved/resized, {anns['attributes_changed']} attributes changed, "
        f"{anns['unchanged']} unchanged"
    )
    lines.append(f"  spec:        {_spec_line(diff)}")
    if diff.geometry["moved"]:
        lines.append(f"  geometry:    {_geometry_line(diff.geometry)}")
    if diff.matching["ids_trusted"] is False:
        lines.append("  matching:    annotation ids were reassigned; matched by content")
    changes = _class_change_lines(diff.class_changes)
    if changes:
        lines += ["", "class changes:", *(f"  {c}" for c in changes)]
    if diff.transitions:
        lines += ["", "relabeled (from -> to):"]
        lines += [f"  {t['count']:>7}  {t['from']} -> {t['to']}" for t in diff.transitions]
    moved_classes = _changed_classes(diff)
    if class_limit is not None and len(moved_classes) > class_limit:
        biggest = sorted(moved_classes, key=lambda n: -abs(diff.classes[n]["head"] - diff.classes[n]["base"]))
        hidden = len(moved_classes) - class_limit
        moved_classes = sorted(biggest[:class_limit])
    else:
        hidden = 0
    if moved_classes:
        lines += ["", "classes (base -> head)" + (f", the {class_limit} largest changes:" if hidden else ":")]
        width = max(len(name) for name in moved_classes)
        for name in moved_classes:
            counts = diff.classes[name]
            delta = counts["head"] - counts["base"]
            lines.append(f"  {name:<{width}}  {counts['base']:>7} -> {counts['head']:<7} ({delta:+d})")
    shown = [c for c in diff.edits if c["change"] != ["added"]][:limit]
    if shown:
        lines += ["", f"changes (first {len(shown)}; --format json lists all):"]
        lines += [f"  {_change_line(c)}" for c in shown]
    for problem in diff.problems:
        lines += ["", f"{problem['code']} [{problem['severity']}] {problem['name']}: {problem['message']}"]
    if diff.empty:
        lines.append("no label changes")
    return "\n".join(lines) + "\n"


def render_markdown(diff: LabelDiff, base: str, head: str, limit: int = DETAIL_LIMIT) -> str:
    """A compact PR comment: a summary table, class changes, transitions and class counts."""
    items, anns = diff.items, diff.annotations
    out = [f"### Label changes `{base}` → `{head}`", ""]
    out += ["| | added | removed | changed | unchanged |", "|---|---:|---:|---:|---:|"]
    out.append(f"| items | {items['added']} | {items['removed']} | {items['changed']} | {items['unchanged']} |")
    # Matched annotations that changed at all: one relabeled and moved is one change, not two.
    changed = diff.base_annotations - anns["removed"] - anns["unchanged"]
    out.append(f"| annotations | {anns['added']} | {anns['removed']} | {changed} | {anns['unchanged']} |")
    out += [
        "",
        f"Relabeled **{anns['relabeled']}**, moved/resized **{anns['moved']}**, "
        f"attributes changed **{anns['attributes_changed']}**. Spec: {_spec_line(diff)}.",
    ]
    if diff.geometry["moved"]:
        out.append(f"Geometry: {_geometry_line(diff.geometry)}.")
    for problem in diff.problems:
        out += ["", f"> **{problem['code']} {problem['name']}**: {problem['message']}"]
    changes = _class_change_lines(diff.class_changes)
    if changes:
        out += ["", "**Class changes**", "", *(f"- {c}" for c in changes)]
    if diff.transitions:
        out += ["", "**Relabeled**", "", "| from | to | count |", "|---|---|---:|"]
        out += [f"| {_md(t['from'])} | {_md(t['to'])} | {t['count']} |" for t in diff.transitions]
    moved_classes = _changed_classes(diff)
    if moved_classes:
        out += ["", "<details><summary>Per-class counts</summary>", ""]
        out += ["| class | base | head | Δ |", "|---|---:|---:|---:|"]
        for name in moved_classes:
            counts = diff.classes[name]
            out.append(f"| {_md(name)} | {counts['base']} | {counts['head']} | {counts['head'] - counts['base']:+d} |")
        out += ["", "</details>"]
    shown = [c for c in diff.edits if c["change"] != ["added"]][:limit]
    if shown:
        out += ["", f"<details><summary>First {len(shown)} changes</summary>", ""]
        out += [f"- {_md(_change_line(c))}" for c in shown]
        out += ["", "</details>"]
    if diff.empty:
        out += ["", "No label changes."]
    return "\n".join(out) + "\n"


def _spec_line(diff: LabelDiff) -> str:
    spec = diff.spec
    if spec.base_version is None and spec.head_version is None:
        return "no spec"
    line = f"{spec.base_version or '-'} -> {spec.head_version or '-'}"
    if spec.required_bump:
        line += f" (the spec diff requires a {spec.required_bump} bump)"
    return line


def _geometry_line(geometry: dict[str, Any]) -> str:
    parts = [f"{geometry['moved']} beyond {geometry['tolerance']:g} px"]
    if geometry["median_iou"] is not None:
        parts.append(f"IoU old/new median {geometry['median_iou']:.2f}, min {geometry['min_iou']:.2f}")
    if geometry["max_shift"] is not None:
        parts.append(f"largest coordinate change {geometry['max_shift']:g}")
    return "; ".join(parts)


def _class_change_lines(changes: dict[str, list[Any]]) -> list[str]:
    lines = []
    for verb in ("added", "removed"):
        names = changes[verb]
        if len(names) > 8:  # e.g. the first commit of a dataset: every class is new
            shown = ", ".join(repr(n) for n in names[:5])
            lines.append(f"{verb} {len(names)} classes: {shown}, … and {len(names) - 5} more")
        else:
            lines += [f"{verb} {name!r}" for name in names]
    lines += [f"renamed {r['from']!r} -> {r['to']!r}" for r in changes["renamed"]]
    lines += [f"merged {', '.join(repr(s) for s in m['from'])} into {m['to']!r}" for m in changes["merged"]]
    lines += [f"split {s['from']!r} into {', '.join(repr(t) for t in s['to'])}" for s in changes["split"]]
    return lines


def _changed_classes(diff: LabelDiff) -> list[str]:
    return sorted(name for name, counts in diff.classes.items() if counts["base"] != counts["head"])


def _change_line(change: dict[str, Any]) -> str:
    where = change.get("path") or ""
    if change.get("pointer"):
        where += f"#{change['pointer']}"
    what = change["change"]
    item = change.get("item")
    if what == ["removed"]:
        return f"{where}: removed {change['class_base']!r} on {item}"
    parts = []
    if "relabeled" in what:
        parts.append(f"relabeled {change['class_base']!r} -> {change['class_head']!r}")
    if "moved" in what:
        iou = f" (IoU {change['iou']:.2f})" if "iou" in change else ""
        parts.append(f"moved{iou}" + ("" if "relabeled" in what else f" {change['class_head']!r}"))
    if "attributes" in what:
        parts.append(f"attributes {change.get('attributes_base')} -> {change.get('attributes_head')}")
    return f"{where}: {', '.join(parts)} on {item}"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|")
