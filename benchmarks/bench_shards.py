"""Per-shard figures of a sharded `check` (docs/distributed.md plans 100M annotations from them).

    python benchmarks/bench_shards.py --shards 4 --annotations 100000 --out /tmp/shards

Generates SHARDS COCO files (benchmarks/generate_coco.py, one seed each), then, each in a fresh
process: one shard read and checked as a worker does it (`commands.shards.run_shard`: CPU
seconds, peak RSS, pickled result bytes = what travels to the driver), and the driver's part (the
dataset rules over all shards' columns concatenated: CPU seconds, peak RSS). Floor: the same
files' typed msgspec decode in the worker process (CPU), as RESULTS.md's other ratios.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKER = """
import pickle, resource, sys, time
from pathlib import Path
from labellint.commands.shards import Shard, ShardJob, run_shard
from labellint.readers.coco import CocoReader, _decode
from labellint.rules.base import CHECK_SCOPES
from labellint.settings.config import Config
from labellint.settings.policy import Overrides, build_policy
from labellint.settings.resolve import resolve_settings
from labellint.commands.shards import LOCAL_SCOPES

path = Path(sys.argv[1])
settings = resolve_settings(None, str(path.with_name("labelspec.yaml")), path.parent)
rules = [r for r in build_policy(Config(), Overrides(select=["ALL"])).rules_in(CHECK_SCOPES)]
job = ShardJob(str(path.parent), settings.config, settings, [r for r in rules if type(r).scope in LOCAL_SCOPES])
start = time.process_time()
_decode(path.read_bytes())
floor = time.process_time() - start
start = time.process_time()
result = run_shard(job, Shard(CocoReader(), [path], {}))
cpu = time.process_time() - start
shipped = len(pickle.dumps(result, protocol=5))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print({"cpu": cpu, "floor": floor, "rss": rss, "shipped": shipped, "annotations": result.dataset.n_annotations})
pickle.dump(result, open(sys.argv[2], "wb"), protocol=5)
"""

DRIVER = """
import pickle, resource, sys, time
from labellint.commands.labels import rule_context
from labellint.commands.shards import LOCAL_SCOPES
from labellint.engine import run_rules
from labellint.model import Dataset
from labellint.rules.base import CHECK_SCOPES
from labellint.settings.config import Config
from labellint.settings.policy import Overrides, build_policy
from labellint.sources import WorkTree

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.process_time()
parts = [pickle.load(open(p, "rb")).dataset for p in sys.argv[1:]]
dataset = Dataset.concat(parts)
load = time.process_time() - start
rules = [r for r in build_policy(Config(), Overrides(select=["ALL"])).rules_in(CHECK_SCOPES)]
start = time.process_time()
context = rule_context(dataset, None, None, Config(), WorkTree())
report = run_rules([r for r in rules if type(r).scope not in LOCAL_SCOPES], context)
cpu = time.process_time() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print({"load_cpu": load, "rules_cpu": cpu, "rss": rss, "start_rss": before,
       "annotations": dataset.n_annotations, "problems": len(report.problems)})
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--annotations", type=int, default=100_000, help="annotations per shard")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for k in range(args.shards):
        path = args.out / f"shard{k:03d}.json"
        if not path.exists():
            generate = [sys.executable, str(ROOT / "benchmarks" / "generate_coco.py"), "--annotations"]
            subprocess.run([*generate, str(args.annotations), "--seed", str(k), "--out", str(path)], check=True)
        done = subprocess.run(
            [sys.executable, "-c", WORKER, str(path), str(path.with_suffix(".pickle"))],
            capture_output=True,
            text=True,
            check=True,
            cwd=args.out,
        )
        results.append(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
        print(f"shard {k}: {results[-1]}")
    pickles = [str(args.out / f"shard{k:03d}.pickle") for k in range(args.shards)]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *pickles], capture_output=True, text=True, check=True, cwd=args.out
    )
    driver = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    print(f"driver over {args.shards} shards: {driver}")
    print(json.dumps({"shards": results, "driver": driver}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
