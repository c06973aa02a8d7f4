"""Rewrites the spec's `version` and adds a changelog stub, leaving every other byte as it was.

ruamel.yaml's round-trip parser finds where `version:` and `changelog:` sit; the edit is then
spliced into the original text. Dumping the round-trip tree instead would re-indent sequences and
re-wrap long flow lists, which is exactly the "reformatted behind my back" a user must not get.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from labellint.errors import SpecError
from labellint.spec.loader import YamlSyntaxError, load_spec_text, parse_yaml

_SCALAR = re.compile(r"""("[^"\n]*"|'[^'\n]*'|[^\s#,}\]]+)""")


def bumped_text(text: str, new_version: str, changes: Sequence[str], date: str | None = None) -> str:
    """`text` with `version: new_version` and a changelog entry for it at the top of `changelog`."""
    try:
        document = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise SpecError(f"cannot bump an invalid spec: {exc.problem}") from None
    if not isinstance(document, dict) or "version" not in document:
        raise SpecError("cannot bump: the spec has no top-level `version`")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    line, column = document.lc.value("version")
    found = _SCALAR.match(lines[line], column)
    if not found:
        raise SpecError(f"cannot bump: no version value found on line {line + 1}")
    quote = found.group(0)[0] if found.group(0)[0] in "\"'" else ""
    lines[line] = lines[line][: found.start()] + f"{quote}{new_version}{quote}" + lines[line][found.end() :]

    changelog = document.get("changelog")
    if isinstance(changelog, list) and len(changelog) and changelog.fa.flow_style() is False:
        first_line, first_column = changelog.lc.item(0)
        # ruamel reports where the item's content starts; its dash is the last one before that.
        dash = lines[first_line].rfind("-", 0, first_column)
        indent = " " * dash
        lines[first_line:first_line] = _entry(indent, new_version, changes, date, newline)
    elif "changelog" in document and not (isinstance(changelog, list) and len(changelog)):
        # `changelog:` empty or `changelog: []`: replace that line with a block list.
        key_line, key_column = document.lc.key("changelog")
        lines[key_line] = " " * key_column + "changelog:" + newline
        lines[key_line + 1 : key_line + 1] = _entry(" " * (key_column + 2), new_version, changes, date, newline)
    elif "changelog" in document:
        raise SpecError("cannot bump: `changelog` is a flow list ([...]); write it as a block list (- ...) first")
    else:
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += newline
        lines.append("changelog:" + newline)
        lines.extend(_entry("  ", new_version, changes, date, newline))
    result = "".join(lines)
    _verify(result, new_version)
    return result


def _entry(indent: str, version: str, changes: Sequence[str], date: str | None, newline: str) -> list[str]:
    out = [f"{indent}- version: {version}{newline}"]
    if date:
        out.append(f"{indent}  date: '{date}'{newline}")
    if not changes:
        out.append(f"{indent}  changes: {json.dumps('TODO: describe this version')}{newline}")
        return out
    out.append(f"{indent}  changes:{newline}")
    # JSON strings are valid YAML double-quoted scalars: safe for any text a detail holds.
    out.extend(f"{indent}    - {json.dumps(change, ensure_ascii=False)}{newline}" for change in changes)
    return out


def _verify(text: str, version: str) -> None:
    """The rewritten spec must load and say what was meant, or nothing is written."""
    spec = load_spec_text(text)
    if spec.version != version or not spec.changelog or spec.changelog[0].version != version:
        raise SpecError("internal error: the bumped spec does not read back as intended; nothing was written")
