"""`zt.calls`: read-only CDRs at Zentrunk/Call/ and their Insights (zentrunk-api.md §7-8)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError
from .._models import (
    CallDirection,
    CallInsights,
    CallRecord,
    HangupSource,
    StirVerification,
    coerce_enum,
)
from .._pagination import Pager
from ..export._plan import RETENTION, plan_shards, whole_second
from ..export._progress import ExportProgress
from ..export._runner import DEFAULT_MAX_SHARD_RECORDS, Export
from .base import Resource

#: The API refuses a time range wider than this (zentrunk-api.md §7.3).
MAX_WINDOW = timedelta(days=90)

TimeFilter = datetime | str

logger = logging.getLogger("zentrunk_async")


class Calls(Resource):
    """`zt.calls`: CDRs (read only), their Insights, and bulk exports."""

    path = "Zentrunk/Call/"
    name = "calls"

    async def get(self, call_uuid: str) -> CallRecord:
        """The call detail record of one call (the item GET is flat, unlike trunks')."""
        return await self._transport.call(
            "GET",
            self._item_path(validate.resource_id(call_uuid, field="call_uuid")),
            into=CallRecord,
            endpoint="calls.get",
        )

    async def insights(self, call_uuid: str) -> CallInsights:
        """Quality metrics of one call (RTT, jitter, packet loss, quality score)."""
        call_path = self._item_path(validate.resource_id(call_uuid, field="call_uuid"))
        return await self._transport.call(
            "GET", f"{call_path}Insights/", into=CallInsights, endpoint="calls.insights"
        )

    def list(
        self,
        *,
        from_number: str | None = None,
        to_number: str | None = None,
        call_direction: CallDirection | str | None = None,
        bill_duration: int | None = None,
        bill_duration__gt: int | None = None,
        bill_duration__gte: int | None = None,
        bill_duration__lt: int | None = None,
        bill_duration__lte: int | None = None,
        end_time: TimeFilter | None = None,
        end_time__gt: TimeFilter | None = None,
        end_time__gte: TimeFilter | None = None,
        end_time__lt: TimeFilter | None = None,
        end_time__lte: TimeFilter | None = None,
        hangup_cause_code: int | None = None,
        hangup_source: HangupSource | str | None = None,
        stir_verification: StirVerification | str | None = None,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[CallRecord]:
        """CDRs newest first. Without an end_time filter the API searches the last 30 days.

        Time filters take aware datetimes (sent in UTC) or strings already in
        the API's ``YYYY-MM-DD HH:MM[:SS]`` UTC form. For spans longer than
        the API's 90-day limit, or pulls that must not miss calls landing
        meanwhile, use `export()`.
        """
        filters = call_filters(
            from_number=from_number,
            to_number=to_number,
            call_direction=call_direction,
            bill_duration=bill_duration,
            bill_duration__gt=bill_duration__gt,
            bill_duration__gte=bill_duration__gte,
            bill_duration__lt=bill_duration__lt,
            bill_duration__lte=bill_duration__lte,
            end_time=end_time,
            end_time__gt=end_time__gt,
            end_time__gte=end_time__gte,
            end_time__lt=end_time__lt,
            end_time__lte=end_time__lte,
            hangup_cause_code=hangup_cause_code,
            hangup_source=hangup_source,
            stir_verification=stir_verification,
        )
        return self._pager(
            CallRecord,
            filters,
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
        )

    def export(
        self,
        since: datetime,
        until: datetime | None = None,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        settle: timedelta = timedelta(0),
        max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
        on_progress: Callable[[ExportProgress], None] | None = None,
        done: Iterable[tuple[datetime, datetime]] = (),
        already_exported: int = 0,
        from_number: str | None = None,
        to_number: str | None = None,
        call_direction: CallDirection | str | None = None,
        hangup_cause_code: int | None = None,
        hangup_source: HangupSource | str | None = None,
        stir_verification: StirVerification | str | None = None,
        bill_duration: int | None = None,
        bill_duration__gt: int | None = None,
        bill_duration__gte: int | None = None,
        bill_duration__lt: int | None = None,
        bill_duration__lte: int | None = None,
    ) -> Export:
        r"""Every call that ended in ``[since, until)``, each exactly once, however long the span.

        `until` defaults to the moment the export starts and is frozen then,
        so calls landing during the pull cannot shift any page; `settle` leaves
        out the newest stretch, where calls may still be landing (a CDR that
        becomes visible after its shard was pulled cannot be in the export:
        give `settle` a minute or two when `until` is "now"). The span is
        cut into shards of at most 89 days (the API's 90-day rule) and split
        further by time when a shard holds more than `max_shard_records`
        calls; shards are pulled concurrently with about `concurrency` requests
        in flight. A `since` older than the API's 90-day retention is moved up
        to it (nothing older can be read). Intervals given as `done` (from an
        earlier run's completed ``batch.shard``\ s) are skipped.

        ``async for call in export`` yields calls shard by shard (newest first
        within a shard); ``export.batches()`` yields whole shards, for callers
        that checkpoint (see `export_to_file`). Filters are those of `list()`
        but the end_time ones, which the span replaces.
        """
        requested, start, end = _export_span(since, until, settle)
        filters = call_filters(
            from_number=from_number,
            to_number=to_number,
            call_direction=call_direction,
            hangup_cause_code=hangup_cause_code,
            hangup_source=hangup_source,
            stir_verification=stir_verification,
            bill_duration=bill_duration,
            bill_duration__gt=bill_duration__gt,
            bill_duration__gte=bill_duration__gte,
            bill_duration__lt=bill_duration__lt,
            bill_duration__lte=bill_duration__lte,
        )
        checked = validate.positive_int(concurrency, field="concurrency")
        assert checked is not None
        auth_id = self._transport.auth_id
        return Export(
            lambda query: self._page_fetcher(CallRecord, query),
            plan_shards(auth_id, start, end, filters, done=done),
            concurrency=checked,
            background=self._background,
            max_shard_records=validate.positive_int(max_shard_records, field="max_shard_records")
            or DEFAULT_MAX_SHARD_RECORDS,
            on_progress=on_progress,
            already_exported=already_exported,
            params={
                "auth_id": auth_id,
                # As asked, not as clamped to the retention: a resume a day
                # later must still recognise its own checkpoint.
                "since": requested.isoformat(),
                "until": end.isoformat(),
                "filters": filters,
            },
        )


def _export_span(
    since: datetime, until: datetime | None, settle: timedelta
) -> tuple[datetime, datetime, datetime]:
    """(since as asked, where the pull really starts, the frozen upper bound)."""
    now = datetime.now(timezone.utc)
    requested = start = whole_second(validate.aware_datetime(since, field="since"))
    end = whole_second(validate.aware_datetime(until, field="until") if until is not None else now)
    end = min(end, whole_second(now - settle))
    oldest = whole_second(now - RETENTION) + timedelta(minutes=1)
    if start < oldest:
        logger.info(
            "export: since %s is past the API's 90-day retention; starting at %s", start, oldest
        )
        start = oldest
    if start >= end:
        raise InvalidArgumentError(f"export span is empty: since {start} is not before until {end}")
    return requested, start, end


def call_filters(
    *,
    from_number: str | None = None,
    to_number: str | None = None,
    call_direction: CallDirection | str | None = None,
    bill_duration: int | None = None,
    bill_duration__gt: int | None = None,
    bill_duration__gte: int | None = None,
    bill_duration__lt: int | None = None,
    bill_duration__lte: int | None = None,
    end_time: TimeFilter | None = None,
    end_time__gt: TimeFilter | None = None,
    end_time__gte: TimeFilter | None = None,
    end_time__lt: TimeFilter | None = None,
    end_time__lte: TimeFilter | None = None,
    hangup_cause_code: int | None = None,
    hangup_source: HangupSource | str | None = None,
    stir_verification: StirVerification | str | None = None,
) -> dict[str, str]:
    """The CDR list query, checked against the API's rules before anything is sent."""
    query: dict[str, str] = {}
    for field, number in (("from_number", from_number), ("to_number", to_number)):
        if number is not None:
            # The API matches digits only: a '+' would silently match nothing.
            query[field] = validate.phone_number(number, field=field)
    for field, enum_value in (
        ("call_direction", (CallDirection, call_direction)),
        ("hangup_source", (HangupSource, hangup_source)),
        ("stir_verification", (StirVerification, stir_verification)),
    ):
        enum_cls, value = enum_value
        if value is not None:
            query[field] = coerce_enum(enum_cls, value, field=field).value
    for field, count in (
        ("bill_duration", bill_duration),
        ("bill_duration__gt", bill_duration__gt),
        ("bill_duration__gte", bill_duration__gte),
        ("bill_duration__lt", bill_duration__lt),
        ("bill_duration__lte", bill_duration__lte),
        ("hangup_cause_code", hangup_cause_code),
    ):
        if count is not None:
            query[field] = str(validate.non_negative_int(count, field=field))
    times = {
        "end_time": end_time,
        "end_time__gt": end_time__gt,
        "end_time__gte": end_time__gte,
        "end_time__lt": end_time__lt,
        "end_time__lte": end_time__lte,
    }
    for field, moment in times.items():
        if moment is not None:
            query[field] = validate.api_time(moment, field=field)
    _check_time_window(query)
    return query


def _check_time_window(query: dict[str, str]) -> None:
    lower = query.get("end_time__gte") or query.get("end_time__gt")
    upper = query.get("end_time__lte") or query.get("end_time__lt")
    if upper is not None and lower is None:
        # The live API answers 400 to an upper bound alone (zentrunk-api.md §7.3).
        raise InvalidArgumentError(
            "an end_time upper bound (end_time__lt/__lte) needs a lower bound "
            "(end_time__gt/__gte) too"
        )
    if lower is not None and upper is not None:
        start, end = _parse_api_time(lower), _parse_api_time(upper)
        if end < start:
            raise InvalidArgumentError(f"end_time range is empty: {lower} is after {upper}")
        if end - start > MAX_WINDOW:
            raise InvalidArgumentError(
                f"end_time range {lower} .. {upper} exceeds the API's 90 days; "
                "use calls.export() for longer spans"
            )


def _parse_api_time(value: str) -> datetime:
    return datetime.fromisoformat(value)
