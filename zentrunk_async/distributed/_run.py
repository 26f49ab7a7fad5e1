"""Run a fleet on a Dask cluster: one task per account, results and progress back here.

One account is pulled by at most one worker at a time, by two means:

* each account is one task (an account listed twice is refused), and Dask
  runs a task on one worker at a time, moving it only once that worker is
  gone;
* the task holds a cluster-wide one-lease `distributed.Semaphore` named
  after the account for the whole pull. This is what makes it a guarantee:
  when this client loses the scheduler, Dask cancels its tasks but cannot
  stop a running thread, so the account is resubmitted while the old pull
  may still run; the new task waits for the lease, and the old pull stops
  itself once it sees its task cancelled. A killed worker's lease expires
  after `lease_timeout` seconds, after which its account moves on.

Exactly-once storage does not rest on this: stores commit whole shards
idempotently, and exports restart or resume from their checkpoint.
"""

from __future__ import annotations

import contextlib
import importlib
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from .._errors import InvalidArgumentError
from ..fleet import (
    DEFAULT_ATTEMPTS,
    AccountProgress,
    AccountResult,
    AccountWork,
    ClientOptions,
    FleetSummary,
    Job,
    SyncJob,
)
from ..fleet._accounts import check_unique
from ..fleet._work import split_db_password
from ._task import DEFAULT_LEASE_TIMEOUT, PROGRESS_TOPIC, account_started_name, pull_account

#: Times an account is resubmitted after this client lost the scheduler.
DEFAULT_RESUBMITS = 3

#: Seconds to wait for the client to reconnect before giving up on the run.
RECONNECT_TIMEOUT = 60.0


def task_key(work: AccountWork, run_id: str) -> str:
    """A readable, unique key per account and run (shown on Dask's dashboard)."""
    return f"zentrunk-{work.auth_id}-{run_id}"


def run_on_dask(
    client: Any,
    work: Sequence[AccountWork],
    job: Job,
    *,
    options: ClientOptions | None = None,
    credentials: str | None = None,
    attempts: int = DEFAULT_ATTEMPTS,
    lease_timeout: float = DEFAULT_LEASE_TIMEOUT,
    resubmits: int = DEFAULT_RESUBMITS,
    on_progress: Callable[[AccountProgress, str], None] | None = None,
    on_result: Callable[[AccountResult], None] | None = None,
) -> FleetSummary:
    """Run `job` for every unit of `work` as Dask tasks on `client`'s cluster; blocks.

    `credentials` names an importable provider (``"module:function"``) that
    workers call with each `Account`; by default they read the environment
    variable the account names. A store password must not be in a sync job's
    URL (it would travel in every task): workers read ``ZENTRUNK_DB_PASSWORD``.
    `on_progress` gets each account's progress and the worker's address.
    An account whose task was cancelled because this client lost the
    scheduler is resubmitted (up to `resubmits` times) once it reconnects.
    """
    as_completed: Any = importlib.import_module("distributed").as_completed

    options = options if options is not None else ClientOptions()
    check_unique([unit.account for unit in work], source="work")
    for unit in work:
        job.check(unit)
    if isinstance(job, SyncJob) and split_db_password(job.db)[1] is not None:
        raise InvalidArgumentError(
            "the store URL holds a password, which would travel in every task: "
            "leave it out and set ZENTRUNK_DB_PASSWORD on the workers"
        )
    started = client.run_on_scheduler(_scheduler_time)
    if on_progress is not None:

        def handler(event: tuple[float, dict[str, Any]]) -> None:
            message = dict(event[1])
            worker = message.pop("worker", "")
            on_progress(AccountProgress(**message), worker)

        client.subscribe_topic(PROGRESS_TOPIC, handler)
    run_id = uuid.uuid4().hex[:12]

    def submit(index: int, round_: int) -> Any:
        unit = work[index]
        return client.submit(
            pull_account,
            unit,
            job,
            options,
            credentials,
            attempts,
            lease_timeout,
            run_id,
            key=task_key(unit, f"{run_id}-{round_}"),
            pure=False,
        )

    futures = {submit(index, 0): (index, 0) for index in range(len(work))}
    results: list[AccountResult | None] = [None] * len(work)
    try:
        pending = as_completed(list(futures))
        for future in pending:
            index, round_ = futures.pop(future)
            if future.status == "cancelled" and round_ < resubmits:
                _wait_connected(client)
                again = submit(index, round_ + 1)
                futures[again] = (index, round_ + 1)
                pending.add(again)
                continue
            result = _result_of(future, work[index])
            results[index] = result
            if on_result is not None:
                on_result(result)
    finally:
        if on_progress is not None:
            client.unsubscribe_topic(PROGRESS_TOPIC)
        _forget_run(client, run_id, work)
    elapsed = client.run_on_scheduler(_scheduler_time) - started
    return FleetSummary(tuple(r for r in results if r is not None), elapsed)


def _forget_run(client: Any, run_id: str, work: Sequence[AccountWork]) -> None:
    """Drop the run's "account started" events from the scheduler (best effort)."""
    event: Any = importlib.import_module("distributed").Event
    for unit in work:
        with contextlib.suppress(Exception):
            event(account_started_name(run_id, unit.auth_id), client=client).clear()


def _result_of(future: Any, unit: AccountWork) -> AccountResult:
    """The task's result; a task Dask gave up on (workers lost again and again) fails alone."""
    try:
        result = future.result()
    except Exception as exc:
        return AccountResult(unit.auth_id, False, 0, 0, 0.0, f"{type(exc).__name__}: {exc}")
    if not isinstance(result, AccountResult):
        raise TypeError(f"task {future.key} returned {type(result).__name__}")
    return result


def _wait_connected(client: Any) -> None:
    """Block until the client is back on its scheduler (Dask reconnects by itself)."""
    import time

    deadline = time.monotonic() + RECONNECT_TIMEOUT
    while client.status != "running":
        if time.monotonic() > deadline:
            raise OSError(f"lost the Dask scheduler for over {RECONNECT_TIMEOUT:.0f} s")
        time.sleep(0.1)


def _scheduler_time() -> float:
    import time

    return time.time()
