"""`check --jobs N` / `--executor dask`: label files read and checked in shards on worker processes.

A shard is a run of one reader's files. Each worker reads its shard and runs the rules whose
findings depend on one annotation or one item (Scope ANNOTATION and ITEM); it sends back the
shard's problems and its Dataset (which pickles: line locators re-read files, see
readers/_jsonpos.JsonLocator). The driver concatenates the shards' columns in file order and runs
the dataset-level and spec rules (LL003, LL301-LL303, LL601, LL703/LL704, ...) once over them, so
findings that span shards are the single-process findings; `Report.merge` joins the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from labellint.commands.labels import LabelSelection, collect_labels, finish_dataset, read_groups, rule_context
from labellint.engine import run_rules
from labellint.errors import UsageError
from labellint.model import Dataset
from labellint.readers.base import Reader
from labellint.report import Crash, Report
from labellint.rules.base import Rule, Scope
from labellint.settings.config import Config
from labellint.settings.resolve import Settings
from labellint.sources import WorkTree

# Rules whose findings on a record depend only on that record (or its item): safe on one shard.
LOCAL_SCOPES = frozenset({Scope.ANNOTATION, Scope.ITEM})
# Shards per worker slot when no --shard-size is given: small enough to balance uneven files.
SHARDS_PER_SLOT = 4
DASK_HINT = "pip install 'labellint-git[dask]'"


@dataclass(frozen=True, slots=True)
class Parallel:
    """How a check is spread: `jobs` local processes, or a Dask cluster (`scheduler` address, or
    a LocalCluster on 127.0.0.1 when None); `shard_size` files per shard (None: automatic)."""

    jobs: int = 1
    executor: str = "process"
    scheduler: str | None = None
    shard_size: int | None = None


@dataclass(slots=True)
class Shard:
    """One reader's consecutive files, with the reader's options."""

    reader: Reader
    files: list[Path]
    options: dict


@dataclass(slots=True)
class ShardJob:
    """What every worker needs besides its shard: where the work tree is, the spec, the rules."""

    cwd: str
    config: Config
    settings: Settings
    rules: list[Rule]


@dataclass(slots=True)
class ShardResult:
    """A shard's columns, its problems from the local rules, and what could not be read."""

    dataset: Dataset
    report: Report
    crashes: list[Crash]


def run_shard(job: ShardJob, shard: Shard) -> ShardResult:
    """Reads one shard and runs the local rules on it (in a worker process)."""
    source = WorkTree(Path(job.cwd))
    issues: list = []
    spec = job.settings.spec
    parts, crashes = read_groups([(shard.reader, shard.files, shard.options)], spec, source, issues)
    dataset = Dataset.concat(parts) if parts else Dataset()
    dataset.issues.extend(issues)
    context = rule_context(dataset, spec, job.settings.spec_display, job.config, source)
    return ShardResult(dataset, run_rules(job.rules, context), crashes)


def plan_shards(groups: Sequence[tuple[Reader, list[Path], dict]], slots: int, size: int | None) -> list[Shard]:
    """Each reader's files cut into runs of `size` (default: about SHARDS_PER_SLOT per slot)."""
    total = sum(len(files) for _, files, _ in groups)
    size = size or max(1, math.ceil(total / (max(1, slots) * SHARDS_PER_SLOT)))
    return [
        Shard(reader, files[start : start + size], options)
        for reader, files, options in groups
        for start in range(0, len(files), size)
    ]


def check_in_shards(
    selection: LabelSelection, settings: Settings, rules: list[Rule], parallel: Parallel, source: WorkTree
) -> tuple[Report, Dataset, list[Crash]]:
    """The report `run_rules` gives on the whole dataset, computed shard by shard on workers."""
    config = settings.config
    collected = collect_labels(selection, config, source)
    local = [rule for rule in rules if type(rule).scope in LOCAL_SCOPES]
    job = ShardJob(str(source.cwd), config, settings, local)
    groups = [
        (reader, [_absolute(p, source.cwd) for p in files], options)
        for reader, files, options in collected.groups.values()
    ]
    results = shard_executor(parallel)(job, groups, parallel.shard_size, run_shard)
    return finish_shards(results, collected, settings, rules, set(map(id, local)), source)


def finish_shards(
    results: list[ShardResult], collected, settings: Settings, rules: list[Rule], done: set[int], source: WorkTree
) -> tuple[Report, Dataset, list[Crash]]:
    """The shards' columns as one dataset, the rules not run on the shards (`done`: ids of those
    that were) run once over it, and all problems in one report (the single-process report)."""
    dataset = finish_dataset([r.dataset for r in results], collected)
    # A reader's per-folder issue (a broken YOLO data.yaml) comes once from every shard that read
    # a file of that folder; a single read gives it once.
    seen: set[tuple] = set()
    dataset.issues = [i for i in dataset.issues if not (_key(i) in seen or seen.add(_key(i)))]
    context = rule_context(dataset, settings.spec, settings.spec_display, settings.config, source)
    report = run_rules([rule for rule in rules if id(rule) not in done], context)
    return _combined(report, results, rules), dataset, [c for r in results for c in r.crashes]


def _key(issue) -> tuple:
    return (issue.code, issue.message, issue.identity, issue.location)


def _absolute(path: Path, cwd: Path) -> Path:
    return path if path.is_absolute() else cwd / path


def _combined(report: Report, results: list[ShardResult], rules: list[Rule]) -> Report:
    """The driver's report with the shards' problems (their record indexes shifted to the whole
    dataset's), crashes and rule tables in the single-process order."""
    problems, crashes, infos = list(report.problems), [], dict(report.rules)
    items = annotations = 0
    for result in results:
        for problem in result.report.problems:
            subject = tuple(a + annotations for a in problem.subject_annotations)
            item = None if problem.subject_item is None else problem.subject_item + items
            problems.append(replace(problem, subject_annotations=subject, subject_item=item))
        crashes.extend(result.report.crashes)
        infos.update(result.report.rules)
        items += result.dataset.n_items
        annotations += result.dataset.n_annotations
    order = {type(rule).code: k for k, rule in enumerate(rules)}
    crashes = sorted([*report.crashes, *crashes], key=lambda c: order.get(c.source.split(" ")[0], len(order)))
    merged = Report(files=report.files, items=report.items, annotations=report.annotations, notes=report.notes)
    merged.problems = sorted(problems, key=lambda p: p.sort_key())
    merged.crashes = crashes
    merged.rules = {code: infos[code] for code in sorted(infos, key=lambda c: order.get(c, len(order)))}
    return merged


# What a worker does with one shard: run_shard, or the incremental cache's check_misses.
ShardTask = Callable[[ShardJob, Shard], Any]
# Runs a job's groups of files as shards, the task on each (it plans them: only it knows how
# many slots it has), and gives the tasks' results in shard order.
Executor = Callable[[ShardJob, list[tuple[Reader, list[Path], dict]], int | None, ShardTask], list]


def shard_executor(parallel: Parallel) -> Executor:
    """Local processes, or Dask (a scheduler's address, else a LocalCluster on 127.0.0.1)."""
    if parallel.executor == "dask":
        from labellint.commands.dask_shards import dask_executor

        return dask_executor(parallel.scheduler, parallel.jobs)
    if parallel.executor != "process":
        raise UsageError(f"unknown executor {parallel.executor!r}: choose process or dask")
    return _process_executor(parallel.jobs)


def _process_executor(jobs: int) -> Executor:
    def run(job: ShardJob, groups: list, size: int | None, task: ShardTask) -> list:
        from concurrent.futures import ProcessPoolExecutor

        shards = plan_shards(groups, jobs, size)
        if jobs <= 1 or len(shards) <= 1:
            return [task(job, shard) for shard in shards]
        with ProcessPoolExecutor(min(jobs, len(shards))) as pool:
            return list(pool.map(task, [job] * len(shards), shards))

    return run
