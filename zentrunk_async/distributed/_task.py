"""What runs on a Dask worker: one account's pull, from a work unit that holds no token.

The worker resolves the token itself (the environment variable the account
names, or an importable provider given by name), so no secret is ever in
the task graph; progress goes back as scheduler events that hold counts only.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio
import anyio._backends._asyncio  # see below
import attrs

from .._errors import InvalidArgumentError
from ..fleet import (
    AccountProgress,
    AccountResult,
    AccountWork,
    ClientOptions,
    CredentialProvider,
    Job,
    SyncJob,
    run_account,
    token_from_env,
)
from ..fleet._work import RecordsSeen

if TYPE_CHECKING:
    from .._client import ZentrunkClient

# anyio.run imports its backend lazily, on first use. A Dask worker runs
# tasks on several threads, and two threads entering anyio.run at once race
# on that import: one sees a partially initialised module (AttributeError
# 'backend_class'; seen on CI). Importing it here, once, before any task
# runs, takes the race away.

#: The scheduler event topic that carries per-account progress.
PROGRESS_TOPIC = "zentrunk-fleet-progress"

#: Records updates sent at most this often per account (state changes always go):
#: thousands of accounts each reporting every page would swamp the scheduler.
PROGRESS_INTERVAL = 1.0

#: Seconds a dead worker's account lease outlives it (Dask's default): the
#: account waits this long before another worker may pull it.
DEFAULT_LEASE_TIMEOUT = 30.0

#: How often a running pull checks that the scheduler still wants it.
CANCEL_POLL = 0.5

#: Where a worker reads the store's password (plain, not percent-encoded), kept out
#: of the URL every task carries.
ENV_DB_PASSWORD = "ZENTRUNK_DB_PASSWORD"


def resolve_provider(name: str | None) -> CredentialProvider:
    """``"package.module:function"`` imported on the worker; None is `token_from_env`."""
    if name is None:
        return token_from_env
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise InvalidArgumentError(f"a credential provider is 'module:function', got {name!r}")
    provider = getattr(importlib.import_module(module_name), attribute, None)
    if not callable(provider):
        raise InvalidArgumentError(f"credential provider {name!r} is not a callable")
    return provider  # type: ignore[no-any-return]


def with_worker_password(job: Job) -> Job:
    """A sync job's store URL with the password from the worker's environment put back."""
    password = os.environ.get(ENV_DB_PASSWORD)
    if not isinstance(job, SyncJob) or not password or "://" not in job.db:
        return job
    scheme, _, rest = job.db.partition("://")
    user, at, host = rest.partition("@")
    if not at or ":" in user:
        return job
    # The variable holds the password itself; the URL needs it percent-encoded.
    return attrs.evolve(job, db=f"{scheme}://{user}:{quote(password, safe='')}@{host}")


class _Reporter:
    """Sends an account's progress to the scheduler as events (counts, never secrets)."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker
        self._last: dict[str, float] = {}

    def __call__(self, progress: AccountProgress) -> None:
        now = time.monotonic()
        last = self._last.get(progress.auth_id, -PROGRESS_INTERVAL)
        if progress.state == "running" and progress.records and now - last < PROGRESS_INTERVAL:
            return
        self._last[progress.auth_id] = now
        message = {**attrs.asdict(progress), "worker": self._worker.address}
        self._worker.log_event(PROGRESS_TOPIC, message)


def account_lock_name(auth_id: str) -> str:
    """The cluster-wide semaphore (one lease) an account's puller holds."""
    return f"zentrunk-account-{auth_id}"


def account_started_name(run_id: str, auth_id: str) -> str:
    """The cluster-wide event set once a run has begun pulling an account."""
    return f"zentrunk-started-{run_id}-{auth_id}"


def pull_account(
    work: AccountWork,
    job: Job,
    options: ClientOptions,
    provider: str | None,
    attempts: int,
    lease_timeout: float = DEFAULT_LEASE_TIMEOUT,
    run_id: str | None = None,
) -> AccountResult:
    """The Dask task: pull `work` on this worker, in an event loop of its own; never raises.

    The account's one-lease semaphore is held for the whole pull, so a second
    task for the same account (a resubmission after the client lost the
    scheduler, while this one still runs) waits; and this pull stops itself
    once the scheduler has cancelled its task. A pull that finds its run
    (`run_id`) already began this account, on a worker since lost or in a task
    since cancelled, is a retry: an export continues from that checkpoint.
    """
    import dask

    # distributed is untyped: its names are held as Any.
    dist: Any = importlib.import_module("distributed")
    worker = dist.get_worker()
    # The key of the task this thread runs (Dask sets it before calling us).
    key = getattr(importlib.import_module("distributed.utils").thread_state, "key", None)
    reporter = _Reporter(worker)
    # Read when the semaphore is made *and* when it first registers (at acquire).
    lease_config = {"distributed.scheduler.locks.lease-timeout": f"{lease_timeout}s"}

    async def pull() -> AccountResult | None:
        try:
            credentials = resolve_provider(provider)
        except Exception as exc:
            return AccountResult(work.auth_id, False, 0, 0, 0.0, f"{type(exc).__name__}: {exc}")
        result: AccountResult | None = None
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_stop_when_cancelled, worker, key, tasks.cancel_scope)
            async with with_worker_password(job).session(options) as run:

                def run_here(
                    client: ZentrunkClient, unit: AccountWork, seen: RecordsSeen, retrying: bool
                ) -> Awaitable[int]:
                    return run(client, unit, seen, retrying or rerun)

                result = await run_account(
                    run_here,
                    work,
                    options=options,
                    credentials=credentials,
                    attempts=attempts,
                    on_progress=reporter,
                )
            tasks.cancel_scope.cancel()
        return result

    with dask.config.set(lease_config):
        lock = dist.Semaphore(max_leases=1, name=account_lock_name(work.auth_id))
        lock.acquire()
    rerun = False
    try:
        if run_id is not None:  # read under the lease: no other pull of the account runs
            started = dist.Event(account_started_name(run_id, work.auth_id))
            rerun = bool(started.is_set())
            started.set()
        outcome = anyio.run(pull)
    finally:
        # A lease the scheduler already expired (this worker was cut off for
        # longer than lease_timeout) cannot be released: nothing to undo then.
        with contextlib.suppress(Exception):
            lock.release()
    if outcome is None:  # cancelled by the scheduler: nobody waits for this result
        return AccountResult(work.auth_id, False, 0, 0, 0.0, "cancelled by the scheduler")
    return outcome


async def _stop_when_cancelled(worker: Any, key: Any, scope: anyio.CancelScope) -> None:
    """Cancel the pull once the scheduler no longer wants this task (it was released)."""
    if key is None:
        return
    while True:
        await anyio.sleep(CANCEL_POLL)
        task = worker.state.tasks.get(key)
        if task is None or task.state in ("cancelled", "released", "forgotten"):
            scope.cancel()
            return
