"""LL503 stale-labels: label files declared under an older MAJOR version of the spec."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from labellint.model import SourceFile
from labellint.problem import Location, Severity
from labellint.rules.base import Finding, Rule, RuleContext, Scope
from labellint.spec.versioning import parse_version

# Where a file may say which spec version it was labelled under: the config (per dataset,
# `spec-version`, handed to rules in RuleContext.declared_versions), or the file itself (COCO `info`).
INFO_KEYS = ("spec_version", "labelspec_version")


def declared_version(source: SourceFile, configured: dict[str, str]) -> tuple[str, str | None] | None:
    """(version, JSON pointer or None) a label file declares, or None when it declares none; the
    config's `spec-version` for the file's dataset wins over what the file says of itself."""
    if configured.get(source.path) is not None:
        return str(configured[source.path]), None
    info = source.meta.get("info")
    if isinstance(info, dict):
        for key in INFO_KEYS:
            if info.get(key) is not None:
                return str(info[key]), f"/info/{key}"
    return None


class StaleLabels(Rule):
    """Labels declared under an older MAJOR spec version: their meaning may have changed since."""

    code = "LL503"
    name = "stale-labels"
    scope = Scope.DATASET
    needs_spec = True

    def check(self, context: RuleContext) -> Iterator[Finding]:
        spec = context.spec
        current = parse_version(spec.version)
        counts = np.bincount(context.dataset.ann_file, minlength=len(context.dataset.files))
        for index, source in enumerate(context.dataset.files):
            declared = declared_version(source, context.declared_versions)
            if declared is None:
                continue
            version, pointer = declared
            location = Location(path=source.path, pointer=pointer)
            try:
                major = parse_version(version)[0]
            except ValueError:
                yield Finding(
                    f"declares spec version {version!r}, which is not a semantic version (MAJOR.MINOR.PATCH)",
                    location=location,
                    identity=f"invalid:{version}",
                )
                continue
            if major > current[0]:
                yield Finding(
                    f"declares spec version {version}, newer than the spec ({spec.version}): is the spec out of date?",
                    location=location,
                    identity=f"newer:{version}",
                    severity=Severity.WARNING,
                )
            elif major < current[0]:
                since = [
                    f"{entry.version}: {_text(entry.changes)}"
                    for entry in spec.changelog
                    if major < _major(entry.version) <= current[0] and parse_version(entry.version)[1:3] == (0, 0)
                ]
                what = f" ({'; '.join(since)})" if since else ""
                yield Finding(
                    f"{int(counts[index])} annotations were labelled under spec {version}, but the spec is now "
                    f"{spec.version}: a new MAJOR version changed the meaning{what}. Review them (`labellint spec "
                    f"affected --base REV` lists what to relabel), then declare {spec.version}",
                    location=location,
                    identity=f"stale:{version}",
                )


def _major(version: str) -> int:
    try:
        return parse_version(version)[0]
    except ValueError:
        return -1


def _text(changes: str | list[str]) -> str:
    return (changes if isinstance(changes, str) else "; ".join(changes)).strip().rstrip(".")
