"""Run a fleet: many accounts in one process, one bounded pool of work across them.

Each account gets its own `ZentrunkClient` (its own connection pool and its
own pace at its own rate limit); at most `max_accounts` accounts run at once
(an anyio `CapacityLimiter`). An account that fails is retried while its
error is transient, then reported, and never stops the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import anyio
import attrs

from .._errors import (
    APIConnectionError,
    InvalidArgumentError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from .._http import require_asyncio
from .._logging import redact
from ._accounts import CredentialProvider, check_unique, token_from_env
from ._work import AccountRun, AccountWork, ClientOptions, IncompleteSyncError, Job

#: Accounts pulled at once by default: 8 accounts at their ceilings is about what one
#: core keeps up with on the fast path (issue 17's measurements).
DEFAULT_MAX_ACCOUNTS = 8

#: Attempts per account: a second one rides out a fault that outlasted the SDK's retries.
DEFAULT_ATTEMPTS = 2


@attrs.frozen
class AccountProgress:
    """One account's state, handed to ``on_progress`` whenever it changes."""

    auth_id: str
    state: str  # "running", "done", "failed"
    records: int
    attempt: int
    error: str | None = None


@attrs.frozen
class AccountResult:
    """How one account's pull ended: `records` written, or the `error` (secrets removed)."""

    auth_id: str
    ok: bool
    records: int
    attempts: int
    elapsed: float
    error: str | None = None


@attrs.frozen
class FleetSummary:
    """Every account's `AccountResult`, in the order the work was given."""

    results: tuple[AccountResult, ...]
    elapsed: float

    @property
    def done(self) -> tuple[AccountResult, ...]:
        return tuple(r for r in self.results if r.ok)

    @property
    def failed(self) -> tuple[AccountResult, ...]:
        return tuple(r for r in self.results if not r.ok)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.results)


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt: the network, the server or a throttle, not the account itself."""
    from ..export import IncompleteExportError

    return isinstance(
        exc,
        (
            APIConnectionError,
            ServerError,
            RateLimitError,
            ResponseDecodeError,
            IncompleteExportError,
            IncompleteSyncError,
            OSError,
        ),
    )


def describe_error(exc: BaseException) -> str:
    """``Type: message`` with every registered secret scrubbed."""
    return redact(f"{type(exc).__name__}: {exc}")


async def run_account(
    run: AccountRun,
    work: AccountWork,
    *,
    options: ClientOptions,
    credentials: CredentialProvider = token_from_env,
    attempts: int = DEFAULT_ATTEMPTS,
    on_progress: Callable[[AccountProgress], None] | None = None,
) -> AccountResult:
    """Pull one account (in a job's `session`), retrying transient failures; never raises.

    Cancellation still propagates. The token is asked of `credentials` here,
    just before the client is built, and held by nothing but that client.
    """
    started = time.monotonic()
    auth_id = work.auth_id
    records = 0

    def report(state: str, attempt: int, error: str | None = None) -> None:
        if on_progress is not None:
            on_progress(AccountProgress(auth_id, state, records, attempt, error))

    attempt = 0
    while True:
        attempt += 1

        def seen(count: int, attempt: int = attempt) -> None:
            nonlocal records
            records = count
            report("running", attempt)

        report("running", attempt)
        try:
            token = credentials(work.account)
            async with options.client(auth_id, token) as client:
                records = await run(client, work, seen, attempt > 1)
        except Exception as exc:
            error = describe_error(exc)
            if attempt < attempts and is_transient(exc):
                continue
            report("failed", attempt, error)
            return AccountResult(
                auth_id, False, records, attempt, time.monotonic() - started, error
            )
        report("done", attempt)
        return AccountResult(auth_id, True, records, attempt, time.monotonic() - started)


async def run_fleet(
    work: Sequence[AccountWork],
    job: Job,
    *,
    options: ClientOptions | None = None,
    credentials: CredentialProvider = token_from_env,
    max_accounts: int = DEFAULT_MAX_ACCOUNTS,
    attempts: int = DEFAULT_ATTEMPTS,
    on_progress: Callable[[AccountProgress], None] | None = None,
) -> FleetSummary:
    """Run `job` for every unit of `work` in this process; see the module docstring.

    Each account is one unit: listing an account twice is refused (two pulls
    would share, and overrun, one account's rate limit).
    """
    options = options if options is not None else ClientOptions()
    if isinstance(max_accounts, bool) or not isinstance(max_accounts, int) or max_accounts < 1:
        raise InvalidArgumentError(f"max_accounts must be a positive integer, got {max_accounts!r}")
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise InvalidArgumentError(f"attempts must be a positive integer, got {attempts!r}")
    check_unique([unit.account for unit in work], source="work")
    for unit in work:
        job.check(unit)
    if options.http == "aiohttp":
        require_asyncio()  # once, here, rather than as one failure per account
    started = time.monotonic()
    results: list[AccountResult | None] = [None] * len(work)
    pool = anyio.CapacityLimiter(max_accounts)

    async with job.session(options) as run:

        async def one(index: int, unit: AccountWork) -> None:
            async with pool:
                results[index] = await run_account(
                    run,
                    unit,
                    options=options,
                    credentials=credentials,
                    attempts=attempts,
                    on_progress=on_progress,
                )

        async with anyio.create_task_group() as tasks:
            for index, unit in enumerate(work):
                tasks.start_soon(one, index, unit)
    assert all(result is not None for result in results)
    return FleetSummary(tuple(r for r in results if r is not None), time.monotonic() - started)
