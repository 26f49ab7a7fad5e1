"""A fleet's accounts on a Dask cluster (install ``zentrunk-async[dask]``).

    with local_cluster(workers=4) as client:          # or connect("tcp://scheduler:8786")
        summary = run_on_dask(client, work, SyncJob(db="postgresql://app@db/cdrs"))

Each account is one Dask task built from `zentrunk_async.fleet` work units
(account id and window, never a token); workers read tokens from their own
environment, or from an importable provider named by ``credentials=``. A
lost worker's account is rescheduled by Dask on another worker, and the
store (or the export's checkpoint) keeps every call exactly once.
"""

from __future__ import annotations

try:
    import distributed  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "zentrunk_async.distributed needs the 'dask' extra: pip install 'zentrunk-async[dask]'"
    ) from exc

from ._cluster import DEFAULT_ACCOUNTS_PER_WORKER, connect, dashboard_link, local_cluster
from ._run import run_on_dask, task_key
from ._task import ENV_DB_PASSWORD, PROGRESS_TOPIC, pull_account, resolve_provider

__all__ = [
    "DEFAULT_ACCOUNTS_PER_WORKER",
    "ENV_DB_PASSWORD",
    "PROGRESS_TOPIC",
    "connect",
    "dashboard_link",
    "local_cluster",
    "pull_account",
    "resolve_provider",
    "run_on_dask",
    "task_key",
]
