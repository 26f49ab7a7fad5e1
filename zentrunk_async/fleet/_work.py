"""Work units and jobs: what one account's pull is, as plain serialisable records.

A work unit (`AccountWork`) is an account and a window; a job (`ExportJob`,
`SyncJob`) says what to do with it and where the records go; `ClientOptions`
how to reach the API. None of them holds a token, so they can be logged,
pickled into a Dask task graph or written to a queue as they are.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import anyio
import attrs

from .._client import DEFAULT_RATE_LIMIT, ZentrunkClient
from .._config import RateLimit
from .._errors import InvalidArgumentError
from .._http import HttpBackend
from .._retry import RetryPolicy
from ..export import DEFAULT_MAX_SHARD_RECORDS
from ._accounts import Account

if TYPE_CHECKING:
    from ..export import ExportProgress

#: Called with the records an account has so far, as its pull goes on.
RecordsSeen = Callable[[int], None]

#: What a job runs for one account: (client, work unit, records seen, retrying) -> records
#: written. `retrying` is true on a second or later attempt in this process.
AccountRun = Callable[[ZentrunkClient, "AccountWork", RecordsSeen, bool], Awaitable[int]]


def _aware_or_none(_: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
        raise InvalidArgumentError(f"{attribute.name} must be a timezone-aware datetime or None")


@attrs.frozen
class AccountWork:
    """One account's share of a fleet run: the account and the window ``[since, until)``.

    For a sync, ``since=None`` means "from the store's watermark" (or the
    API's 90-day retention on a first run); an export needs `since`.
    """

    account: Account
    since: datetime | None = attrs.field(default=None, validator=_aware_or_none)
    until: datetime | None = attrs.field(default=None, validator=_aware_or_none)

    @property
    def auth_id(self) -> str:
        return self.account.auth_id


def _positive_int(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidArgumentError(f"{attribute.name} must be a positive integer, got {value!r}")


def _optional_positive_int(
    instance: object, attribute: attrs.Attribute[int | None], value: int | None
) -> None:
    if value is not None:
        _positive_int(instance, attribute, value)  # type: ignore[arg-type]


@attrs.frozen
class ClientOptions:
    """How each account's `ZentrunkClient` is built (its own pool and rate limiter).

    `concurrency` fixes each account's requests in flight (None, the default:
    the export's adaptive window, enough to hold the pace at any latency); the
    default pace (`RateLimit()`) is the documented per-account limit.
    """

    base_url: str | None = None
    http: HttpBackend | None = None
    rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT
    retry: RetryPolicy | None = None
    concurrency: int | None = attrs.field(default=None, validator=_optional_positive_int)
    allow_insecure_http: bool = False

    def client(self, auth_id: str, auth_token: str) -> ZentrunkClient:
        return ZentrunkClient(
            auth_id,
            auth_token,
            base_url=self.base_url,
            http=self.http,
            rate_limit=self.rate_limit,
            retry=self.retry,
            allow_insecure_http=self.allow_insecure_http,
        )


class Job(Protocol):
    """What to do with each account; `session` opens what the accounts of one process share."""

    def check(self, work: AccountWork) -> None:
        """Refuse a unit this job cannot run, before anything is pulled."""

    def session(self, options: ClientOptions) -> AbstractAsyncContextManager[AccountRun]:
        """Open what one process's accounts share (a store), yielding the per-account run."""


@attrs.frozen
class ExportJob:
    """Export each account's window into ``<out_dir>/<auth_id>.<format>`` (resumable).

    With ``resume=True`` an account continues from its checkpoint; a retried
    attempt always resumes, so a fault mid-account never doubles a call.
    """

    out_dir: str
    format: Literal["jsonl", "csv"] = "jsonl"
    settle: timedelta = timedelta(0)
    resume: bool = False
    #: Smaller shards commit (to the file and its checkpoint) more often.
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS

    def path_for(self, auth_id: str) -> Path:
        return Path(self.out_dir) / f"{auth_id}.{self.format}"

    def check(self, work: AccountWork) -> None:
        if work.since is None:
            raise InvalidArgumentError(f"account {work.auth_id}: an export needs since=")

    @asynccontextmanager
    async def session(self, options: ClientOptions) -> AsyncIterator[AccountRun]:
        from ..export import export_to_file

        await anyio.Path(self.out_dir).mkdir(parents=True, exist_ok=True)

        async def run(
            client: ZentrunkClient, work: AccountWork, seen: RecordsSeen, retrying: bool
        ) -> int:
            assert work.since is not None
            path = self.path_for(work.auth_id)
            checkpoint = path.with_name(path.name + ".checkpoint.json")

            def progress(snapshot: ExportProgress) -> None:
                seen(snapshot.records)

            summary = await export_to_file(
                client,
                path,
                since=work.since,
                until=work.until,
                format=self.format,
                concurrency=options.concurrency,
                # A retry continues from what the failed attempt committed.
                resume=(self.resume or retrying) and await anyio.Path(checkpoint).exists(),
                settle=self.settle,
                max_shard_records=self.max_shard_records,
                on_progress=progress,
            )
            return summary.records

        yield run


_PASSWORD = re.compile(r"^(?P<head>[a-z][a-z0-9+.-]*://[^:/@]*):(?P<password>[^@/]*)@")


@attrs.frozen
class SyncJob:
    """Sync each account into one store (``sqlite:///path.db`` or ``postgresql://...``).

    The store keeps one row per call, keyed by account and ``call_uuid``, and
    commits whole shards: an account pulled twice (a retry, a rescheduled
    Dask task) still leaves each call stored once.
    """

    db: str = attrs.field(repr=lambda url: redact_db_url(url))
    settle: timedelta = timedelta(minutes=2)
    #: Smaller shards commit more often: less to pull again after a lost worker.
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS

    def check(self, work: AccountWork) -> None:
        return None

    @asynccontextmanager
    async def session(self, options: ClientOptions) -> AsyncIterator[AccountRun]:
        # One store per process, shared by its accounts: the store runs one
        # operation at a time and each shard's commit is one transaction.
        from .. import sync

        async with sync.open_store(self.db) as store:

            async def run(
                client: ZentrunkClient, work: AccountWork, seen: RecordsSeen, retrying: bool
            ) -> int:
                def progress(snapshot: ExportProgress) -> None:
                    seen(snapshot.records)

                summary = await sync.sync_once(
                    client,
                    store,
                    since=work.since,
                    until=work.until,
                    settle=self.settle,
                    concurrency=options.concurrency,
                    max_shard_records=self.max_shard_records,
                    on_progress=progress,
                )
                if not summary.complete:
                    raise IncompleteSyncError(work.auth_id, len(summary.residues))
                seen(summary.written)
                return summary.written

            yield run


class IncompleteSyncError(Exception):
    """A sync left windows whose counts never matched; another attempt pulls just those."""

    def __init__(self, auth_id: str, windows: int) -> None:
        self.auth_id = auth_id
        self.windows = windows
        super().__init__(f"account {auth_id}: {windows} window(s) never matched their count")


def redact_db_url(url: str) -> str:
    """The store URL with its password (if any) replaced by ``***``."""
    return _PASSWORD.sub(lambda m: f"{m['head']}:***@", url)


def split_db_password(url: str) -> tuple[str, str | None]:
    """(the URL without its password, the password or None): the password never travels."""
    match = _PASSWORD.match(url)
    if match is None:
        return url, None
    return _PASSWORD.sub(lambda m: f"{m['head']}@", url), match["password"]
