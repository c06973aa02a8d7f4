"""The labeling guideline an annotator reads: the spec rendered as Markdown or self-contained HTML."""

from __future__ import annotations

import html

from labellint.spec.model import EdgeCase, Geometry, LabelSpec

_GEOMETRY_WORDS = {
    "min_width": "at least {} px wide",
    "min_height": "at least {} px high",
    "min_area": "at least {} px² in area",
    "duplicate_iou": "two boxes of the same class overlapping at IoU {} or more are one object drawn twice",
    "conflict_iou": "boxes of different classes overlapping at IoU {} or more must be settled to one class",
}


def _number(value: float) -> str:
    """4.0 as 4, 0.15 as 0.15: how a person writes a size."""
    return f"{value:g}"


def geometry_in_words(geometry: Geometry) -> list[str]:
    """Each geometry rule as a sentence an annotator can follow."""
    values = geometry.model_dump(exclude_none=True)
    lines = [template.format(_number(values[key])) for key, template in _GEOMETRY_WORDS.items() if key in values]
    if geometry.aspect_ratio is not None:
        low, high = geometry.aspect_ratio
        lines.append(f"width / height between {_number(low)} and {_number(high)}")
    if geometry.inside_image is not None:
        tolerance = _number(geometry.inside_image.tolerance)
        lines.append(f"stays inside the image (up to {tolerance} px past the edge)")
    for first, second in geometry.allow_overlap or []:
        lines.append(f"{first} and {second} may overlap")
    return lines


def _class_geometry(spec: LabelSpec, name: str) -> list[str]:
    own = spec.classes[name].geometry
    return geometry_in_words(own) if own is not None else []


def _edge_case_line(case: EdgeCase) -> str:
    scope = f" (classes: {', '.join(case.classes)})" if case.classes else ""
    examples = f" Examples: {'; '.join(case.examples)}." if case.examples else ""
    return f"**{case.id}**{scope}: {case.rule}{examples}"


def _changelog_lines(spec: LabelSpec) -> list[str]:
    lines = []
    for entry in spec.changelog:
        changes = entry.changes if isinstance(entry.changes, list) else [entry.changes]
        date = f" ({entry.date})" if entry.date else ""
        lines.append(f"**{entry.version}**{date}: {' '.join(changes)}")
    return lines


def _unsure_lines(spec: LabelSpec) -> list[str]:
    if spec.unsure is None:
        return []
    how = (
        f"set the attribute `{spec.unsure.attribute}` to true"
        if spec.unsure.attribute
        else f"use the class `{spec.unsure.class_}`"
    )
    lines = [f"When you are not sure, do not guess: {how}. It sends the sample to review."]
    lines += [f"Use it for: {criterion}" for criterion in spec.unsure.criteria]
    return lines


def guideline_sections(spec: LabelSpec) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """The guideline as (section title, [(subtitle, lines)]): one structure for both renderings."""
    classes = []
    for name, cls in spec.classes.items():
        lines = [cls.definition or "(no definition written yet)"]
        lines += [f"Include: {example}" for example in cls.include]
        lines += [f"Exclude: {example}" for example in cls.exclude]
        if cls.aliases:
            lines.append(f"Also written as: {', '.join(cls.aliases)}")
        lines += [f"Geometry: {rule}" for rule in _class_geometry(spec, name)]
        title = f"{name} (id {cls.id})" if cls.id is not None else name
        classes.append((title, lines))
    sections = [("Classes", classes)]
    if spec.edge_cases:
        sections.append(("Edge cases", [("", [_edge_case_line(case) for case in spec.edge_cases])]))
    if spec.priority:
        rules = [f"When several apply, the first wins: {' > '.join(order)}" for order in spec.priority]
        sections.append(("Priority rules", [("", rules)]))
    if spec.unsure is not None:
        sections.append(("When unsure", [("", _unsure_lines(spec))]))
    general = geometry_in_words(spec.geometry)
    if general:
        sections.append(("Geometry (every class)", [("", [f"A box is {rule}" for rule in general])]))
    if spec.attributes:
        lines = [
            f"`{name}`: {schema.get('description', schema.get('type', 'any value'))}"
            for name, schema in spec.attributes.items()
        ]
        sections.append(("Attributes", [("", lines)]))
    if spec.changelog:
        sections.append(("Changelog", [("", _changelog_lines(spec))]))
    return sections


def _title(spec: LabelSpec) -> str:
    return f"Labeling guidelines: {spec.name or 'labels'} (spec version {spec.version})"


def render_markdown(spec: LabelSpec) -> str:
    """The guideline as Markdown."""
    out = [f"# {_title(spec)}", ""]
    for text in (spec.decision, spec.description):
        if text:
            out += [text, ""]
    for section, parts in guideline_sections(spec):
        out += [f"## {section}", ""]
        for subtitle, lines in parts:
            if subtitle:
                out += [f"### {subtitle}", ""]
            out += [f"- {line}" for line in lines] + [""]
    return "\n".join(out)


def _inline_html(text: str) -> str:
    """Escape, then turn the two Markdown marks the guideline uses (**bold**, `code`) into tags."""
    escaped = html.escape(text)
    parts = escaped.split("**")
    escaped = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = escaped.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(spec: LabelSpec) -> str:
    """The guideline as one self-contained HTML page (no scripts, no external resources)."""
    title = html.escape(_title(spec))
    body = [f"<h1>{title}</h1>"]
    body += [f"<p>{html.escape(text)}</p>" for text in (spec.decision, spec.description) if text]
    for section, parts in guideline_sections(spec):
        body.append(f"<h2>{html.escape(section)}</h2>")
        for subtitle, lines in parts:
            if subtitle:
                body.append(f"<h3>{html.escape(subtitle)}</h3>")
            body.append("<ul>" + "".join(f"<li>{_inline_html(line)}</li>" for line in lines) + "</ul>")
    style = "body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}code{background:#eee}"
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
