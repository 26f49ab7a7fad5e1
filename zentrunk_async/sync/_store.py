"""The small async interface every store implements, and what the sync keeps in it.

A store holds the `calls` table (one row per `call_uuid`) and, per *sync
key* (an account and a filter set), the time intervals already synced.
`commit_shard` is the one write: a shard's calls and the shard's interval go
into the store in ONE transaction, so after a crash at any point the store
holds exactly the shards whose interval it records, each call once.

Both stores run their driver's blocking calls in a worker thread, one call
at a time (``CapacityLimiter(1)``): one writer, no event-loop stalls, and the
same code on asyncio and trio. A call that has started in the thread is not
abandoned on cancellation, so a cancelled sync still finishes (or never
began) its current transaction.
"""

from __future__ import annotations

import abc
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, TypeVar

import anyio
import attrs

from .._models import CallRecord

T = TypeVar("T")

Interval = tuple[datetime, datetime]


@attrs.frozen
class SyncKey:
    """What one watermark belongs to: an account and the export filters of its sync."""

    auth_id: str
    filters: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, auth_id: str, filters: Mapping[str, str]) -> SyncKey:
        return cls(auth_id, tuple(sorted(filters.items())))

    @property
    def key(self) -> str:
        return f"{self.auth_id}?{json.dumps(dict(self.filters), sort_keys=True)}"

    @property
    def filters_json(self) -> str:
        return json.dumps(dict(self.filters), sort_keys=True)


def merge_intervals(intervals: Sequence[Interval]) -> list[Interval]:
    """Sorted, disjoint, with touching or overlapping intervals joined."""
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_interval(intervals: Sequence[Interval], cut: Interval) -> list[Interval]:
    """`intervals` without the part inside `cut`."""
    lo, hi = cut
    kept: list[Interval] = []
    for start, end in intervals:
        if end <= lo or start >= hi:
            kept.append((start, end))
            continue
        if start < lo:
            kept.append((start, lo))
        if end > hi:
            kept.append((hi, end))
    return kept


#: How far back the API keeps calls (zentrunk-api.md §7.3).
RETENTION = timedelta(days=90)
#: The export starts a minute inside the retention edge; a moment a little later than
#: that is surely inside the first shard any export pulled.
_EDGE_MARGIN = timedelta(minutes=2)


def retained_origin(origin: datetime, now: datetime | None = None) -> datetime:
    """`origin`, or the oldest moment the API still serves when `origin` is older."""
    now = now or datetime.now(timezone.utc)
    return max(origin, now - RETENTION + _EDGE_MARGIN)


def watermark_of(
    origin: datetime | None, intervals: Sequence[Interval], now: datetime | None = None
) -> datetime | None:
    """The end of the covered stretch that starts at (or spans) `origin`: all before is synced.

    `origin` is where the key's coverage is meant to begin (moved up to the
    retention edge: nothing older can be pulled); without one, the first
    interval's start. No interval reaching it: the origin itself.
    """
    if origin is None:
        if not intervals:
            return None
        origin = intervals[0][0]
    origin = retained_origin(origin, now)
    for start, end in intervals:
        if start <= origin < end:
            return end
        if start > origin:
            break
    return origin


@attrs.frozen
class DayCount:
    """Calls of one UTC day (``YYYY-MM-DD``) in a store."""

    day: str
    calls: int


class Store(abc.ABC):
    """A place to keep CDRs: the sync and the reports need only these methods.

    Use as ``async with store:`` (or through `open_store`); `aclose` closes
    the connection. `dialect` names the SQL the report queries speak.
    """

    dialect: str = ""

    def __init__(self) -> None:
        self._limiter: anyio.CapacityLimiter | None = None

    async def _run(self, func: Callable[..., T], *args: Any) -> T:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(1)
        return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)

    async def __aenter__(self) -> Store:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with anyio.CancelScope(shield=True):
            await self.aclose()

    @abc.abstractmethod
    async def open(self) -> None:
        """Connect, and create or migrate the schema to the package's version."""

    @abc.abstractmethod
    async def aclose(self) -> None:
        """Close the connection (idempotent)."""

    @abc.abstractmethod
    async def schema_version(self) -> int:
        """The schema version the store is at."""

    @abc.abstractmethod
    async def intervals(self, key: SyncKey) -> list[Interval]:
        """The intervals of `end_time` already synced for `key`, merged and sorted."""

    @abc.abstractmethod
    async def origin(self, key: SyncKey) -> datetime | None:
        """Where `key`'s coverage is meant to begin (set by its first sync), or None."""

    @abc.abstractmethod
    async def set_origin(self, key: SyncKey, origin: datetime) -> None:
        """Make `key`'s coverage begin at `origin` (or earlier, if it already did)."""

    @abc.abstractmethod
    async def commit_shard(
        self, key: SyncKey, records: Sequence[CallRecord], interval: Interval
    ) -> None:
        """Upsert `records` and add `interval` to `key`'s coverage, in one transaction."""

    @abc.abstractmethod
    async def forget(self, key: SyncKey, interval: Interval) -> None:
        """Drop `interval` from `key`'s coverage (the next sync pulls it again); rows stay."""

    @abc.abstractmethod
    async def count_by_day(self, key: SyncKey, since: datetime, until: datetime) -> list[DayCount]:
        """Calls of `key` (its account, and its filters where SQL can apply them) per day."""

    @abc.abstractmethod
    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a read-only query written in this store's dialect; rows as dicts."""

    @abc.abstractmethod
    async def call_uuids(self, auth_id: str | None = None) -> list[str]:
        """Every stored `call_uuid` (of one account): for audits and tests."""
