"""Proves a reader refactor changed no Dataset: every field's sha256 for each file, this tree against a revision's.

    python benchmarks/same_dataset.py --base REV --reader conll a.conll b.conll
    python benchmarks/same_dataset.py --base REV --reader cvat --reader box_csv FILES...   # first reader that claims it
    python benchmarks/same_dataset.py --base REV --reader conll --options '{"scheme": "bioes"}' FILES...

Each tree reads the files in a fresh process (PYTHONPATH pointing at it) with `Reader.read` alone,
and hashes every Dataset field: arrays by dtype, shape and bytes (object arrays by their values'
repr), lists and dicts by repr, so a value, its type and its order all count; issues and the
source files' meta are fields too. `item_names` left empty (no item has a name) hashes as a None
per item, as a reader that fills them in writes it. Exits 1 and names the files and fields that differ.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HASH = r"""
import dataclasses, hashlib, json, sys
from pathlib import Path
import numpy as np
from labellint.readers import available_readers
from labellint.readers.base import Candidate, ReadContext

readers = [available_readers()[name] for name in json.loads(sys.argv[1])]
context = ReadContext(lambda p: p.read_bytes(), lambda p: p.is_file(), str, options=json.loads(sys.argv[2]))

def digest(value):
    if isinstance(value, np.ndarray):
        body = repr(value.tolist()) if value.dtype == object else value.tobytes()
        head = f"{value.dtype}{value.shape}".encode()
        return hashlib.sha256(head + (body.encode() if isinstance(body, str) else body)).hexdigest()
    return hashlib.sha256(repr(value).encode()).hexdigest()

out = {}
for name in sys.argv[3:]:
    path = Path(name)
    candidate = Candidate(path, Path(path.name), path.read_bytes()[:65536], lambda r, p=path: (p.parent / r).exists())
    claimed = [r for r in readers if len(readers) == 1 or r.claims(candidate)]
    if not claimed:
        out[name] = {"reader": None}
        continue
    dataset = claimed[0].read([path], context)
    fields = {f.name: digest(getattr(dataset, f.name)) for f in dataclasses.fields(dataset)}
    names = list(dataset.item_names)  # no names at all may be the empty list: hashed as a None per item
    fields["item_names"] = digest(names + [None] * (dataset.n_items - len(names)))
    sizes = {"n_items": dataset.n_items, "n_annotations": dataset.n_annotations}
    out[name] = {"reader": claimed[0].name, **sizes, **fields}
print(json.dumps(out))
"""


def digests(tree: Path, readers: list[str], options: str, files: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", HASH, json.dumps(readers), options, *files],
        env=env,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
        check=False,
    )
    if done.returncode:
        sys.exit(f"reading with {tree} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare this tree against")
    parser.add_argument("--reader", action="append", required=True, help="reader name (repeat: the first that claims)")
    parser.add_argument("--options", default="{}", help="reader options as JSON (as a config's [datasets] gives them)")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    files = [str(Path(f).resolve()) for f in args.files]
    with tempfile.TemporaryDirectory() as scratch:
        worktree = Path(scratch) / "base"
        subprocess.run(["git", "worktree", "add", "-q", "--detach", str(worktree), args.base], cwd=ROOT, check=True)
        try:
            before = digests(worktree, args.reader, args.options, files)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=True)
    after = digests(ROOT, args.reader, args.options, files)
    differ = 0
    for name in files:
        fields = [key for key in before[name] if before[name][key] != after[name].get(key)]
        if fields:
            differ += 1
            print(f"DIFFERS: {name}: {', '.join(fields)}")
    counts = [before[name].get("n_annotations") or 0 for name in files]
    same = len(files) - differ
    print(f"{same} of {len(files)} files read to identical Datasets against {args.base} ({sum(counts)} annotations)")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
