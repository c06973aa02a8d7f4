"""The --jobs/--executor/--scheduler/--shard-size options `check` and `report` share."""

from __future__ import annotations

import click

_OPTIONS = (
    click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Read and check shards of label files in N local processes (dataset-wide rules run once over all).",
    ),
    click.option(
        "--executor",
        type=click.Choice(["process", "dask"]),
        help="Where shards run: local processes, or Dask (extra [dask]; --scheduler, else a LocalCluster).",
    ),
    click.option("--scheduler", metavar="ADDRESS", help="A Dask scheduler's address (tcp://HOST:PORT); implies dask."),
    click.option("--shard-size", type=click.IntRange(min=1), metavar="FILES", help="Label files per shard."),
)
PARALLEL_KEYS = ("jobs", "executor", "scheduler", "shard_size")


def parallel_options(command):
    """Adds the four options (in the order `--help` lists them)."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def parallel_request(options: dict):
    """The Parallel the options ask for (popped from `options`), or None for one process."""
    jobs, executor, scheduler, shard_size = (options.pop(key) for key in PARALLEL_KEYS)
    if jobs == 1 and executor is None and scheduler is None and shard_size is None:
        return None
    from labellint.commands.shards import Parallel

    executor = executor or ("dask" if scheduler else "process")
    return Parallel(jobs=jobs, executor=executor, scheduler=scheduler, shard_size=shard_size)
