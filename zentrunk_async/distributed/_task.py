"""What runs on a Dask worker: one account's pull, from a work unit that holds no token.

The worker resolves the token itself (the environment variable the account
names, or an importable provider given by name), so no secret is ever in
the task graph; progress goes back as scheduler events that hold counts only.
"""

from __future__ import annotations

import importlib
import os
import time
from typing import Any

import anyio
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

#: The scheduler event topic that carries per-account progress.
PROGRESS_TOPIC = "zentrunk-fleet-progress"

#: Records updates sent at most this often per account (state changes always go):
#: thousands of accounts each reporting every page would swamp the scheduler.
PROGRESS_INTERVAL = 1.0

#: Where a worker reads the store's password, kept out of the URL every task carries.
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
    return attrs.evolve(job, db=f"{scheme}://{user}:{password}@{host}")


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


def pull_account(
    work: AccountWork,
    job: Job,
    options: ClientOptions,
    provider: str | None,
    attempts: int,
) -> AccountResult:
    """The Dask task: pull `work` on this worker, in an event loop of its own; never raises."""
    from distributed import get_worker

    reporter = _Reporter(get_worker())

    async def pull() -> AccountResult:
        try:
            credentials = resolve_provider(provider)
        except Exception as exc:
            return AccountResult(work.auth_id, False, 0, 0, 0.0, f"{type(exc).__name__}: {exc}")
        async with with_worker_password(job).session(options) as run:
            return await run_account(
                run,
                work,
                options=options,
                credentials=credentials,
                attempts=attempts,
                on_progress=reporter,
            )

    return anyio.run(pull)
