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

from .._errors import InvalidArgumentError
from .._validate import API_TIME_FORMAT, aware_datetime

#: One day under the API's 90-day limit on an end_time range (zentrunk-api.md §7.3),
#: so rounding to whole seconds can never produce a range the API refuses.
MAX_SHARD_SPAN = timedelta(days=89)

#: How far back the API keeps calls (zentrunk-api.md §7.3).
RETENTION = timedelta(days=90)


def whole_second(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(microsecond=0)


@attrs.frozen
class ExportSpan:
    """The span an export was asked for, the span it really pulls, and why they differ.

    `since`/`until` are whole UTC seconds after clamping: `since` moved up to
    the API's retention (nothing older can be read), `until` moved down to
    "now" (the future holds no calls yet) and then by `settle`. Each clamp is
    one human sentence in `adjustments`.
    """

    requested_since: datetime
    requested_until: datetime | None
    since: datetime
    until: datetime
    adjustments: tuple[str, ...] = ()


def export_span(
    since: datetime, until: datetime | None, settle: timedelta, *, now: datetime | None = None
) -> ExportSpan:
    """Check and clamp an export's bounds; an empty span raises `InvalidArgumentError`."""
    if not isinstance(settle, timedelta) or settle < timedelta(0):
        raise InvalidArgumentError(f"settle must be a timedelta >= 0, got {settle!r}")
    now = whole_second(now or datetime.now(timezone.utc))
    requested_since = whole_second(aware_datetime(since, field="since"))
    requested_until = (
        whole_second(aware_datetime(until, field="until")) if until is not None else None
    )
    adjustments: list[str] = []
    start = requested_since
    oldest = now - RETENTION + timedelta(minutes=1)
    if start < oldest:
        adjustments.append(
            f"since {_show(start)} is older than the API's 90-day retention: "
            f"the export starts at {_show(oldest)}"
        )
        start = oldest
    end = requested_until if requested_until is not None else now
    if requested_until is not None and end > now:
        adjustments.append(f"until {_show(end)} is in the future: the export stops at {_show(now)}")
        end = now
    if settle > timedelta(0):
        settled = whole_second(now - settle)
        if settled < end:
            adjustments.append(
                f"settle {settle.total_seconds():g} s leaves out the newest calls: "
                f"the export stops at {_show(settled)}"
            )
            end = settled
    if start >= end:
        raise InvalidArgumentError(
            f"export span is empty: since {_show(start)} is not before until {_show(end)}"
        )
    return ExportSpan(requested_since, requested_until, start, end, tuple(adjustments))


def _show(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


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
