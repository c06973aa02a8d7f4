"""What a reporter is: it renders a finished Report as text for a person or a tool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from labellint.report import Report


@dataclass(slots=True)
class RenderOptions:
    """How to render: colour (only on a terminal), per-rule statistics, the tool's version, and
    `quiet` (the problems only: no summary line)."""

    color: bool = False
    statistics: bool = False
    version: str = ""
    # The HTML report written in the same run (`--output html:PATH`), for summaries to link to.
    html_report: str | None = None
    quiet: bool = False
    # List spec-completeness TODOs one per line (else one count per rule: `--show-todos`).
    show_todos: bool = False


class Reporter:
    """Base class of reporters; register a subclass under the entry-point group `labellint.reporters`."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def render(self, report: Report, options: RenderOptions) -> str:
        raise NotImplementedError
