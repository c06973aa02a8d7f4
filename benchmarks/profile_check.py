"""Where `labellint check` spends its time: wall time per stage, then optionally cProfile's top functions."""

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

SPENT: dict[str, float] = defaultdict(float)


def timed(label: str, func):
    """`func` that adds its wall time (generators consumed) to SPENT[label]."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        result = func(*args, **kwargs)
        if hasattr(result, "__next__"):
            result = list(result)
        SPENT[label] += time.perf_counter() - start
        return result

    return wrapper


class TimedDecoder:
    def __init__(self, decoder) -> None:
        self.decoder = decoder

    def decode(self, data):
        start = time.perf_counter()
        try:
            return self.decoder.decode(data)
        finally:
            SPENT["read: msgspec decode"] += time.perf_counter() - start


def instrument() -> None:
    """Wraps the stages by patching module globals (a benchmark aid, never used by labellint)."""
    import labellint.cli.check as cli_check
    import labellint.engine as engine
    import labellint.readers.coco as coco
    import labellint.runner as runner
    from labellint.reporters.json_report import JsonReporter
    from labellint.rules import all_rules

    cli_check.resolve_settings = timed("config + spec loading", cli_check.resolve_settings)
    runner.read_dataset = timed("read (total)", runner.read_dataset)
    coco._DECODER = TimedDecoder(coco._DECODER)
    coco._build = timed("read: building arrays (_build)", coco._build)
    runner.run_rules = timed("engine (total)", runner.run_rules)
    engine._fill_lines = timed("engine: line finding (_fill_lines)", engine._fill_lines)
    for code, rule in all_rules().items():
        rule.check = timed(f"engine: rule {code} {rule.name}", rule.check)
    JsonReporter.render = timed("report: render json", JsonReporter.render)
    cli_check.write_output = timed("report: write", cli_check.write_output)


def breakdown(total: float) -> list[tuple[str, float]]:
    """Stages in pipeline order, with the unexplained rest of each part and small rules grouped."""
    rules = {k: v for k, v in SPENT.items() if k.startswith("engine: rule")}
    big = [(k, v) for k, v in rules.items() if v >= 0.05]
    small = [v for v in rules.values() if v < 0.05]
    read_rest = SPENT["read (total)"] - SPENT["read: msgspec decode"] - SPENT["read: building arrays (_build)"]
    engine_rest = SPENT["engine (total)"] - sum(rules.values()) - SPENT["engine: line finding (_fill_lines)"]
    report = SPENT["report: render json"] + SPENT["report: write"]
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
        ("report: render json + write", report),
        (
            "rest (click, exit code)",
            total
            - sum(SPENT[k] for k in ("imports", "config + spec loading", "read (total)", "engine (total)"))
            - report,
        ),
        ("**total in process (interpreter start and exit not included)**", total),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--spec", type=Path, default=Path(__file__).resolve().parent / "data" / "labelspec.yaml")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N", help="also print cProfile's top N")
    args = parser.parse_args()
    start = time.perf_counter()
    from labellint.cli import main as cli

    instrument()
    SPENT["imports"] = time.perf_counter() - start
    argv = ["check", str(args.file), "--spec", str(args.spec), "--format", "json", "-o", "/dev/null"]
    profile = cProfile.Profile() if args.cprofile else None
    if profile:
        profile.enable()
    with contextlib.suppress(SystemExit):
        cli(argv, prog_name="labellint")
    if profile:
        profile.disable()
    total = time.perf_counter() - start
    print(f"| stage ({args.file.name}{', under cProfile' if profile else ''}) | seconds | share |")
    print("|---|---:|---:|")
    for label, spent in breakdown(total):
        print(f"| {label} | {spent:.3f} | {spent / total:.0%} |")
    if profile:
        print()
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(args.cprofile)


if __name__ == "__main__":
    main()
