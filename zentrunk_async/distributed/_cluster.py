"""Where the fleet runs: an embedded `LocalCluster`, or a running cluster by address."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

from ._task import DEFAULT_LEASE_TIMEOUT

#: Accounts one worker process pulls at once (one thread, and event loop, each):
#: about what one core keeps at their ceilings (issue 17's measurements).
DEFAULT_ACCOUNTS_PER_WORKER = 8


@contextlib.contextmanager
def local_cluster(
    workers: int,
    *,
    accounts_per_worker: int = DEFAULT_ACCOUNTS_PER_WORKER,
    lease_timeout: float = DEFAULT_LEASE_TIMEOUT,
    **kwargs: Any,
) -> Iterator[Any]:
    """A `distributed.Client` on a `LocalCluster` of `workers` processes (closed on exit).

    Worker processes inherit this process's environment, tokens included:
    they read them where they pull, and nothing secret enters a task. The
    scheduler checks account leases five times per `lease_timeout` (give the
    same value to `run_on_dask`), so a dead worker's account moves on soon.
    """
    import dask.config

    # distributed is untyped: its names are held as Any.
    dist: Any = importlib.import_module("distributed")
    settings: dict[str, Any] = {
        "n_workers": workers,
        "threads_per_worker": accounts_per_worker,
        "processes": True,
        "dashboard_address": ":0",
        **kwargs,
    }
    validation = {"distributed.scheduler.locks.lease-validation-interval": f"{lease_timeout / 5}s"}
    with (
        dask.config.set(validation),
        dist.LocalCluster(**settings) as cluster,
        dist.Client(cluster) as client,
    ):
        yield client


@contextlib.contextmanager
def connect(address: str, **kwargs: Any) -> Iterator[Any]:
    """A `distributed.Client` on the running cluster at `address` (``tcp://host:8786``)."""
    dist: Any = importlib.import_module("distributed")
    with dist.Client(address, **kwargs) as client:
        yield client


def dashboard_link(client: Any) -> str | None:
    """The dashboard's URL, when the scheduler serves one (it needs bokeh)."""
    try:
        services = client.scheduler_info().get("services", {})
    except Exception:
        return None
    if "dashboard" not in services:
        return None
    link = client.dashboard_link
    return str(link) if link else None
