"""`check_store`: proof that the store holds what the API holds, day by day.

For every UTC day of the synced, still-retained window (from the sync's
origin, or the 90-day retention edge if later, up to the watermark), the
API's `total_count` for that day (one request with ``limit=1``) is set
beside the store's count of the same calls. A day where they differ is a
gap (calls missing from the store) or an excess (calls the API no longer
lists). ``repair=True`` drops the gap days from the sync's coverage, so
the next `sync_once` pulls them again.
"""

from __future__ import annotations

from contextlib import aclosing
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import anyio
import attrs

from ._store import Store, SyncKey, retained_origin, watermark_of
from ._sync import sync_key

if TYPE_CHECKING:
    from .._client import ZentrunkClient

#: Days counted at once: a few requests in flight, well under the account's limit.
CHECK_CONCURRENCY = 4
_INT_FILTERS = ("hangup_cause_code", "bill_duration")


@attrs.frozen
class DayCheck:
    """One UTC day (clipped to the checked window): the API's count and the store's."""

    day: str
    since: datetime
    until: datetime
    expected: int
    stored: int

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.stored)

    @property
    def extra(self) -> int:
        return max(0, self.stored - self.expected)

    @property
    def ok(self) -> bool:
        return self.expected == self.stored


@attrs.frozen
class CheckResult:
    """Every day checked; `gaps` are the days whose counts differ."""

    key: SyncKey
    since: datetime | None
    until: datetime | None
    days: list[DayCheck]
    repaired: bool = False

    @property
    def gaps(self) -> list[DayCheck]:
        return [d for d in self.days if not d.ok]

    @property
    def ok(self) -> bool:
        return not self.gaps

    @property
    def expected(self) -> int:
        return sum(d.expected for d in self.days)

    @property
    def stored(self) -> int:
        return sum(d.stored for d in self.days)


def day_windows(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """``[since, until)`` cut at UTC midnights."""
    windows = []
    cursor = since
    while cursor < until:
        midnight = datetime.combine(
            cursor.astimezone(timezone.utc).date() + timedelta(days=1),
            datetime.min.time(),
            tzinfo=timezone.utc,
        )
        end = min(midnight, until)
        windows.append((cursor, end))
        cursor = end
    return windows


async def check_store(
    client: ZentrunkClient, store: Store, *, repair: bool = False, **filters: Any
) -> CheckResult:
    """Compare per-day counts of the store with the API's for the synced, retained window."""
    key = sync_key(client, **filters)
    origin = await store.origin(key)
    covered = await store.intervals(key)
    watermark = watermark_of(origin, covered)
    if origin is None or watermark is None:
        return CheckResult(key, None, None, [])
    # Whole seconds: the API compares end_time at one-second resolution.
    since = retained_origin(origin).replace(microsecond=0)
    until = watermark.replace(microsecond=0)
    if since >= until:
        return CheckResult(key, since, until, [])
    windows = day_windows(since, until)
    stored = {c.day: c.calls for c in await store.count_by_day(key, since, until)}
    expected: dict[datetime, int] = {}
    limiter = anyio.CapacityLimiter(CHECK_CONCURRENCY)
    list_filters: dict[str, Any] = {
        name: int(value) if name.startswith(_INT_FILTERS) else value for name, value in key.filters
    }

    async def count(window: tuple[datetime, datetime]) -> None:
        async with limiter:
            pager = client.calls.list(
                end_time__gte=window[0], end_time__lt=window[1], limit=1, **list_filters
            )
            async with aclosing(pager.pages()) as pages:
                async for page in pages:
                    expected[window[0]] = page.meta.total_count
                    break

    async with anyio.create_task_group() as tg:
        for window in windows:
            tg.start_soon(count, window)
    days = [
        DayCheck(
            day=a.strftime("%Y-%m-%d"),
            since=a,
            until=b,
            expected=expected.get(a, 0),
            stored=stored.get(a.strftime("%Y-%m-%d"), 0),
        )
        for a, b in windows
    ]
    result = CheckResult(key, since, until, days)
    if repair and result.gaps:
        for gap in result.gaps:
            await store.forget(key, (gap.since, gap.until))
        result = attrs.evolve(result, repaired=True)
    return result
