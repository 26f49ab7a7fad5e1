"""Shards: the plain, serialisable work units of an export, and how a span becomes them.

A shard is every call of one account whose `end_time` lies in the half-open
interval ``[start, end)`` and that matches the filters. Half-open, whole-second
intervals tile a span without gaps or overlaps (the API compares `end_time`
at one-second resolution), so shards never share a call and can be pulled in
any order, by any process: `to_dict` / `from_dict` make them JSON.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from .._validate import API_TIME_FORMAT

#: One day under the API's 90-day limit on an end_time range (zentrunk-api.md §7.3),
#: so rounding to whole seconds can never produce a range the API refuses.
MAX_SHARD_SPAN = timedelta(days=89)

#: How far back the API keeps calls (zentrunk-api.md §7.3).
RETENTION = timedelta(days=90)


def whole_second(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(microsecond=0)


@attrs.frozen
class Shard:
    """All calls of `auth_id` with ``start <= end_time < end`` that match `filters`."""

    auth_id: str
    start: datetime
    end: datetime
    filters: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """A stable text key of the shard's window, ``start/end`` in ISO 8601 (for checkpoints)."""
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def query(self) -> dict[str, str]:
        """The CDR list query of this shard: its filters and both time bounds."""
        return {
            **dict(self.filters),
            "end_time__gte": self.start.strftime(API_TIME_FORMAT),
            "end_time__lt": self.end.strftime(API_TIME_FORMAT),
        }

    def split(self, parts: int) -> list[Shard]:
        """Up to `parts` shards tiling this one, newest first; whole seconds only."""
        seconds = int((self.end - self.start).total_seconds())
        parts = max(1, min(parts, seconds))
        cuts = [self.start + timedelta(seconds=seconds * i // parts) for i in range(parts + 1)]
        pieces = [attrs.evolve(self, start=a, end=b) for a, b in itertools.pairwise(cuts) if a < b]
        return pieces[::-1]

    def to_dict(self) -> dict[str, Any]:
        """The shard as JSON-ready data (no secrets): send it to another worker or process."""
        return {
            "auth_id": self.auth_id,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "filters": dict(self.filters),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shard:
        """The shard that :meth:`to_dict` wrote; refuses data that is not one."""
        return cls(
            auth_id=str(data["auth_id"]),
            start=whole_second(datetime.fromisoformat(data["start"])),
            end=whole_second(datetime.fromisoformat(data["end"])),
            filters=tuple(sorted(dict(data.get("filters", {})).items())),
        )


def plan_shards(
    auth_id: str,
    since: datetime,
    until: datetime,
    filters: Mapping[str, str],
    *,
    done: Iterable[tuple[datetime, datetime]] = (),
) -> list[Shard]:
    """The span ``[since, until)`` minus the intervals already `done`, as shards of <= 89 days.

    Newest first, like the API's own order.
    """
    frozen_filters = tuple(sorted(filters.items()))
    gaps = _subtract((since, until), sorted(done))
    shards: list[Shard] = []
    for start, end in reversed(gaps):
        parts = math.ceil((end - start) / MAX_SHARD_SPAN)
        whole = Shard(auth_id, start, end, frozen_filters)
        shards.extend(whole.split(parts) if parts > 1 else [whole])
    return shards


def _subtract(
    span: tuple[datetime, datetime], done: list[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    start, end = span
    gaps = []
    cursor = start
    for done_start, done_end in done:
        if done_end <= cursor or done_start >= end:
            continue
        if done_start > cursor:
            gaps.append((cursor, done_start))
        cursor = max(cursor, done_end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
