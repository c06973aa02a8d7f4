"""The Dask executor of sharded checks: shards sent to a scheduler's workers, or to a LocalCluster."""

from __future__ import annotations

from labellint.commands.shards import DASK_HINT, Executor, ShardJob, ShardTask, plan_shards
from labellint.errors import UsageError


def dask_executor(scheduler: str | None, jobs: int) -> Executor:
    """Runs shards on the Dask cluster at `scheduler` (tcp://HOST:PORT), or on a LocalCluster of
    `jobs` single-threaded worker processes bound to 127.0.0.1 when no address is given."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(f"--executor dask needs Dask's distributed scheduler: {DASK_HINT}") from None

    def run(job: ShardJob, groups: list, size: int | None, task: ShardTask) -> list:
        cluster = None
        if scheduler is None:
            # Readers and rules hold the GIL: processes, one thread each, nothing listening outside.
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True
            )
        try:
            with Client(cluster or scheduler, timeout=30) as client:
                slots = sum(client.nthreads().values()) or 1
                shards = plan_shards(groups, slots, size)
                shared = client.scatter(job, broadcast=True)  # the spec and rules travel once per worker
                futures = client.map(task, [shared] * len(shards), shards, pure=False)
                return client.gather(futures)
        except OSError as exc:  # no scheduler at that address
            raise UsageError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
        finally:
            if cluster is not None:
                cluster.close()

    return run
