"""Proves a refactor changed no output: `check --format json` on every rulebook folder and real dataset, byte for byte.

    python benchmarks/same_output.py --base REV      # REV's tree (a temporary git worktree) against this one
    python benchmarks/same_output.py --write DIR     # only record this tree's outputs in DIR
    python benchmarks/same_output.py --args "--jobs 2 --shard-size 1"   # this tree with ARGS against without

Each case runs `python -m labellint check --format json --exit-zero --select ALL` in a fresh
process with PYTHONPATH pointing at the tree under test, so both sides read the same files with
their own code (the installed entry points name modules that exist in both trees). Fingerprints
are part of the output, so they are compared too. Exits 1 and lists the cases that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def cases() -> list[tuple[str, Path, list[str]]]:
    """(name, working folder, arguments) for every rulebook half and every real dataset."""
    out = []
    for folder in sorted((ROOT / "rules").iterdir()):
        for half in ("bad", "good"):
            if not (folder / half).is_dir():
                continue
            spec = folder / half / "labelspec.yaml"
            if not spec.is_file():
                spec = folder / "labelspec.yaml"
            spec_args = ["--spec", str(spec)] if spec.is_file() else []
            out.append((f"rules/{folder.name}/{half}", folder, [*spec_args, half]))
    if SHARED.is_dir():
        datasets = [
            *sorted(SHARED.glob("coco/*/*.json")),
            *sorted(p for p in SHARED.glob("yolo/*/*") if p.is_dir()),
            *sorted(SHARED.glob("yolo/*")),
            SHARED / "voc/raccoon/annotations",
            SHARED / "voc/bccd/BCCD/Annotations",
            SHARED / "voc/bccd/history_pre_fix",
            *sorted(SHARED.glob("labelstudio/*/*.json")),
            *sorted(SHARED.glob("ner_textcat/*/*.jsonl")),
            *sorted(SHARED.glob("ner_textcat/*/*.csv")),
            *sorted(p for p in (SHARED / "peers/datumaro").iterdir() if p.is_dir()),
        ]
        for path in datasets:
            if path.exists():
                out.append((f"shared/{path.relative_to(SHARED)}", SHARED, [str(path.relative_to(SHARED))]))
    return out


def run_all(tree: Path, target: Path, extra: Sequence[str] = ()) -> dict[str, str]:
    """Runs every case with the code in `tree` (and `extra` arguments); writes each output to
    `target` and returns digests."""
    target.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "NO_COLOR": "1"}
    digests = {}
    for name, cwd, args in cases():
        command = [sys.executable, "-m", "labellint", "check", "--format", "json", "--exit-zero", "--select", "ALL"]
        done = subprocess.run([*command, *extra, *args], cwd=cwd, env=env, capture_output=True, timeout=600)
        body = done.stdout + b"\n--- exit %d\n" % done.returncode
        (target / (name.replace("/", "__") + ".out")).write_bytes(body)
        digests[name] = hashlib.sha256(body).hexdigest()
    return digests


def which_labellint(tree: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = "import labellint, pathlib; print(pathlib.Path(labellint.__file__).parent.parent)"
    # Run outside any checkout: `python -c` puts the working folder before PYTHONPATH on sys.path.
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=tempfile.gettempdir()
    )
    return done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="git revision to compare this tree against")
    parser.add_argument("--write", type=Path, help="only record this tree's outputs here")
    parser.add_argument("--args", help="compare this tree with these check arguments against without them")
    args = parser.parse_args()
    if args.args:
        with tempfile.TemporaryDirectory() as scratch:
            before = run_all(ROOT, Path(scratch) / "before")
            after = run_all(ROOT, Path(scratch) / "after", shlex.split(args.args))
        return _compare(before, after, f"the same check without {args.args}")
    if args.write:
        digests = run_all(ROOT, args.write)
        print(f"{len(digests)} cases written to {args.write}")
        return 0
    if not args.base:
        parser.error("give --base REV or --write DIR")
    with tempfile.TemporaryDirectory() as scratch:
        worktree = Path(scratch) / "base"
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.base], cwd=ROOT, check=True)
        try:
            assert which_labellint(worktree) == str(worktree), "PYTHONPATH does not win over the installed package"
            before = run_all(worktree, Path(scratch) / "before")
            after = run_all(ROOT, Path(scratch) / "after")
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=True)
        return _compare(before, after, args.base)


def _compare(before: dict[str, str], after: dict[str, str], against: str) -> int:
    differ = [name for name in before if before[name] != after.get(name)]
    for name in differ:
        print(f"DIFFERS: {name}")
    print(f"{len(before) - len(differ)} of {len(before)} cases byte-identical against {against}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
