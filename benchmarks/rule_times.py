"""CPU seconds per step of `check` in one process: the reader, then each built-in rule, on one file.

Set PYTHONPATH to another checkout to compare the two on the same file and spec.
"""

# .venv/bin/python benchmarks/rule_times.py READER FILE [SPEC]

from __future__ import annotations

import sys
import time
from pathlib import Path

import labellint
from labellint.readers import available_readers
from labellint.readers.base import ReadContext
from labellint.rules import all_rules
from labellint.rules.base import RuleContext, Scope
from labellint.spec.loader import load_spec

CHECK_SCOPES = (Scope.SPEC, Scope.ANNOTATION, Scope.ITEM, Scope.DATASET)


def main() -> None:
    reader, path = sys.argv[1], Path(sys.argv[2])
    spec = load_spec(Path(sys.argv[3])) if len(sys.argv) > 3 else None
    start = time.process_time()
    context = ReadContext(Path.read_bytes, Path.is_file, str)
    dataset = available_readers()[reader].read([path], context)
    print(f"{Path(labellint.__file__).parent}: read {time.process_time() - start:.3f} s")
    rules = RuleContext(dataset, spec, work_tree=path.parent)
    total = 0.0
    for code, kind in sorted(all_rules().items()):
        if kind.scope not in CHECK_SCOPES or (kind.needs_spec and spec is None):
            continue
        start = time.process_time()
        found = sum(1 for _ in kind().check(rules))
        spent = time.process_time() - start
        total += spent
        if spent >= 0.05:
            print(f"{code} {spent:.3f} s, {found} problems")
    print(f"rules {total:.3f} s")


if __name__ == "__main__":
    main()
