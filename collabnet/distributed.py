"""Reading on a Dask cluster: the per-file steps of an ingest as dask.distributed tasks.

``--workers N`` (``workers=N``) starts a :class:`distributed.LocalCluster` of ``N``
single-threaded worker processes on this machine; ``--scheduler tcp://HOST:PORT``
(``scheduler=``, or ``$COLLABNET_SCHEDULER``) uses a running cluster. Either way each input
file (a snapshot part, a JSON Lines file) is one task: it parses the file and writes its
frames as Parquet into the cache entry being built, so the workers must see the cache folder
(this machine, NFS or another shared file system). The client then picks the newest copy of
every work from the ids and dates, and the canonical tables are finished file by file, again
as tasks. The tables are the same, value for value, as a single-process read: the same
functions run on the same files, and the reduction is done once, in file order.

Dask is used as it is: its scheduler, its workers, its dashboard — collabnet adds no pool,
queue or scheduler of its own.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator

from collabnet.errors import InputError

#: Environment variable naming a running scheduler (``tcp://HOST:PORT``).
ENV_SCHEDULER = "COLLABNET_SCHEDULER"

__all__ = ["ENV_SCHEDULER", "file_mapper", "scheduler_from_env"]


def scheduler_from_env(scheduler: str | None) -> str | None:
    """``scheduler``, else ``$COLLABNET_SCHEDULER``, else None (no cluster)."""
    return scheduler or os.environ.get(ENV_SCHEDULER) or None


@contextlib.contextmanager
def file_mapper(*, workers: int | None = None, scheduler: str | None = None,
                progress: bool = False) -> Iterator:
    """A ``map(func, *iterables)`` that runs each call as a Dask task and returns the
    results in order; None (the caller maps in process) when neither ``workers`` nor a
    scheduler is given. The cluster a ``workers`` count starts is closed on exit."""
    scheduler = scheduler_from_env(scheduler)
    if workers is not None and workers < 1:
        raise InputError(f"invalid --workers {workers}: must be >= 1")
    if not workers and not scheduler:
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--workers/--scheduler need Dask: pip install 'dask[distributed]'"
                         ) from None
    with contextlib.ExitStack() as stack:
        if scheduler:
            try:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler {scheduler}: "
                                 f"{str(exc).splitlines()[0]}") from None
        else:
            cluster = stack.enter_context(LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                dashboard_address=":0", silence_logs=40))
            client = stack.enter_context(Client(cluster))
        if progress:
            n = len(client.scheduler_info().get("workers", {}))
            print(f"collabnet: Dask: {n} worker(s) at {client.scheduler.address}; "
                  f"dashboard {client.dashboard_link}", file=sys.stderr)

        def mapped(func, *iterables):
            for future in client.map(func, *iterables, pure=False):
                yield future.result()  # in order; a failed task raises its own error

        yield mapped
