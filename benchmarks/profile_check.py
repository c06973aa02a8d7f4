"""Where `labellint check` spends its time: CPU time per stage, then optionally cProfile's top functions."""

# .venv/bin/python benchmarks/profile_check.py benchmarks/data/coco_1m.json [--cprofile 25]

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

SPENT: dict[str, float] = defaultdict(float)  # CPU seconds (process_time): robust on a shared machine
WALL: dict[str, float] = defaultdict(float)


def add(label: str, cpu0: float, wall0: float) -> None:
    SPENT[label] += time.process_time() - cpu0
    WALL[label] += time.perf_counter() - wall0


def timed(label: str, func):
    """`func` that adds its wall time (generators consumed) to SPENT[label]."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = func(*args, **kwargs)
        if hasattr(result, "__next__"):
            result = list(result)
        add(label, cpu0, wall0)
        return result

    return wrapper


class TimedDecoder:
    def __init__(self, decoder) -> None:
        self.decoder = decoder

    def decode(self, data):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        try:
            return self.decoder.decode(data)
        finally:
            add("read: msgspec decode", cpu0, wall0)


def patch(module: str, name: str, label: str) -> None:
    """Replaces `module.name` (a function, or a class attribute as `Class.method`) by a timed one."""
    import importlib

    owner = importlib.import_module(module)
    *path, attr = name.split(".")
    for part in path:
        owner = getattr(owner, part)
    if hasattr(owner, attr):
        setattr(owner, attr, timed(label, getattr(owner, attr)))
    else:
        print(f"note: {module}.{name} not found; {label!r} is not measured", file=sys.stderr)


def instrument() -> None:
    """Wraps the stages by patching module globals (a benchmark aid, never used by labellint)."""
    import labellint.readers.coco as coco
    from labellint.rules import all_rules

    patch("labellint.settings.resolve", "resolve_settings", "config + spec loading")
    patch("labellint.commands.check", "read_dataset", "read (total)")
    coco._DECODER = TimedDecoder(coco._DECODER)
    patch("labellint.readers.coco", "_build", "read: building arrays (_build)")
    patch("labellint.commands.check", "run_rules", "engine (total)")
    patch("labellint.engine", "_fill_lines", "engine: line finding (_fill_lines)")
    for code, rule in all_rules().items():
        rule.check = timed(f"engine: rule {code} {rule.name}", rule.check)
    patch("labellint.cli._outputs", "write_reports", "report: render + write")


def breakdown(total: float) -> list[tuple[str, float]]:
    """Stages in pipeline order, with the unexplained rest of each part and small rules grouped."""
    rules = {k: v for k, v in SPENT.items() if k.startswith("engine: rule")}
    big = [(k, v) for k, v in rules.items() if v >= 0.05]
    small = [v for v in rules.values() if v < 0.05]
    read_rest = SPENT["read (total)"] - SPENT["read: msgspec decode"] - SPENT["read: building arrays (_build)"]
    engine_rest = SPENT["engine (total)"] - sum(rules.values()) - SPENT["engine: line finding (_fill_lines)"]
    report = SPENT["report: render + write"]
    return [
        ("imports (before the command runs; more are lazy, inside the stages)", SPENT["imports"]),
        ("config + spec loading", SPENT["config + spec loading"]),
        ("read: msgspec decode", SPENT["read: msgspec decode"]),
        ("read: building arrays (_build)", SPENT["read: building arrays (_build)"]),
        ("read: other (file read, sniffing, lazy imports)", read_rest),
        *big,
        (f"engine: the other {len(small)} rules", sum(small)),
        ("engine: line finding (_fill_lines)", SPENT["engine: line finding (_fill_lines)"]),
        ("engine: other (problems, fingerprints, sorting)", engine_rest),
        ("report: render + write", report),
        (
            "rest (click, exit code)",
            total
            - sum(SPENT[k] for k in ("imports", "config + spec loading", "read (total)", "engine (total)"))
            - report,
        ),
        ("**total**", total),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--spec", type=Path, default=Path(__file__).resolve().parent / "data" / "labelspec.yaml")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also print cProfile's top N")
    args = parser.parse_args()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    from labellint.cli import main as cli

    instrument()
    add("imports", cpu0, wall0)
    argv = ["check", str(args.file), "--spec", str(args.spec), "--format", "json", "-o", "/dev/null"]
    profile = cProfile.Profile() if args.cprofile else None
    if profile:
        profile.enable()
    with contextlib.suppress(SystemExit):
        cli(argv, prog_name="labellint")
    if profile:
        profile.disable()
    total, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"| stage ({args.file.name}{', under cProfile' if profile else ''}) | CPU s | share |")
    print("|---|---:|---:|")
    for label, spent in breakdown(total):
        print(f"| {label} | {spent:.3f} | {spent / total:.0%} |")
    print(f"\nWall time {wall:.2f} s for {total:.2f} s of CPU (in process; interpreter start and exit excluded).")
    if profile:
        print()
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
