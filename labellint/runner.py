"""One `check` run from resolved settings: collect files, read them, run the rules."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

from labellint.collect import Target, collect
from labellint.config import Config
from labellint.engine import run_rules
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.readers.base import ReadContext
from labellint.report import Crash, Report
from labellint.rules import select_rules
from labellint.sources import Source, WorkTree
from labellint.spec.model import LabelSpec


@dataclass(slots=True)
class CheckRequest:
    """What the command line asked for; unset values fall back to the config."""

    paths: list[str] = field(default_factory=list)
    reader: str | None = None
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


def targets_for(request: CheckRequest, config: Config) -> tuple[list[Target], Path]:
    """Command-line paths (relative to the cwd) or the config's datasets (relative to the config)."""
    if request.paths:
        return [Target(p, request.reader or config.reader) for p in request.paths], Path.cwd()
    if config.datasets:
        targets = [Target(d.path, request.reader or d.reader or config.reader, d.options) for d in config.datasets]
        return targets, config.root
    raise UsageError("no label files to check: pass PATHS, or list `datasets` in the config")


def read_dataset(
    request: CheckRequest, config: Config, spec: LabelSpec | None, source: Source
) -> tuple[Dataset, list[Crash]]:
    """Every target read into one dataset; a reader that crashes is reported, the rest go on."""
    targets, base = targets_for(request, config)
    collected = collect(targets, source, base)
    if collected.missing:
        raise UsageError(f"no such file or folder: {', '.join(collected.missing)}")
    parts: list[Dataset] = []
    crashes: list[Crash] = []
    for reader, files, options in collected.groups.values():
        context = ReadContext(source.read_bytes, source.is_file, source.display, spec, options)
        try:
            parts.append(reader.read(files, context))
        except Exception:
            # A reader bug must not hide the other files' problems: read them one by one and
            # report only the files that still fail.
            for path in files:
                try:
                    parts.append(reader.read([path], context))
                except Exception as exc:
                    crashes.append(
                        Crash(
                            f"reader {reader.name} on {source.display(path)}",
                            f"{type(exc).__name__}: {exc}",
                            traceback.format_exc(),
                        )
                    )
    dataset = Dataset.concat(parts) if parts else Dataset()
    dataset.issues.extend(collected.issues)
    return dataset, crashes


def run_check(request: CheckRequest, config: Config, spec: LabelSpec | None, spec_display: str | None) -> Report:
    """Reads the labels, runs the selected rules and returns the report."""
    if request.select is not None:
        # A selection on the command line replaces the file's whole selection (as in ruff).
        rule_classes = select_rules(request.select, request.extend_select, request.ignore)
    else:
        rule_classes = select_rules(
            config.select, [*config.extend_select, *request.extend_select], [*config.ignore, *request.ignore]
        )
    dataset, crashes = read_dataset(request, config, spec, WorkTree())
    report = run_rules(dataset, spec, [cls() for cls in rule_classes], spec_display)
    report.crashes[:0] = crashes
    if spec is None:
        report.notes.append("no labelspec.yaml found; checking structure and geometry only (pass --spec)")
    return report
