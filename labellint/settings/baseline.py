"""Baseline files: problems accepted when labellint was adopted, keyed by fingerprint."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from labellint.errors import ConfigError
from labellint.problem import Problem, fingerprint
from labellint.support.atomic import write_atomically
from labellint.support.paths import from_config

BASELINE_SCHEMA = 1


@dataclass(slots=True)
class BaselineResult:
    """What applying a baseline did: problems hidden, and entries that no longer occur."""

    hidden: int = 0
    stale: int = 0


def stable_key(problem: Problem, root: Path) -> str:
    """The problem's fingerprint with its path taken from `root` (the config's folder) rather than
    the working directory, so a baseline matches wherever labellint is run from."""
    path = problem.location.path
    if path:
        path = from_config(path, root)
    return fingerprint(problem.code, path, problem.identity)


def read_baseline(path: Path) -> Counter[str]:
    """The fingerprints in a baseline file, with their multiplicity; a clear error if malformed."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: baseline file not found (create it with --update-baseline)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the baseline: {exc}") from None
    entries = document.get("problems") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: not a labellint baseline (no `problems` list)")
    counts: Counter[str] = Counter()
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise ConfigError(f"{path}: /problems/{index}: an entry needs a string `fingerprint`")
        counts[entry["fingerprint"]] += 1
    return counts


def filter_known(problems: Iterable[Problem], known: Counter[str], root: Path) -> tuple[list[Problem], BaselineResult]:
    """Problems whose stable key is not (or no longer often enough) in `known`."""
    remaining = Counter(known)
    kept: list[Problem] = []
    result = BaselineResult()
    for problem in problems:
        key = stable_key(problem, root)
        if remaining[key] > 0:
            remaining[key] -= 1
            result.hidden += 1
        else:
            kept.append(problem)
    result.stale = sum(remaining.values())
    return kept, result


def render_baseline(problems: Iterable[Problem], version: str, root: Path) -> str:
    """A baseline document: one entry per problem, sorted, with enough context to read it by eye."""
    entries = sorted(
        (
            {
                "fingerprint": stable_key(p, root),
                "code": p.code,
                "path": p.location.path,
                "item": p.location.item,
                "annotation": p.location.annotation,
                "message": p.message,
            }
            for p in problems
        ),
        key=lambda e: (e["path"] or "", e["code"], e["fingerprint"]),
    )
    document = {
        "schema_version": BASELINE_SCHEMA,
        "tool": {"name": "labellint", "version": version},
        "problems": entries,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def write_baseline(path: Path, text: str) -> None:
    """Writes the baseline atomically (temp file in the same folder + rename)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError(f"{path}: the folder does not exist")
    write_atomically(path, text)
