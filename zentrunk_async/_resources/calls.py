"""`zt.calls`: read-only CDRs at Zentrunk/Call/ and their Insights (zentrunk-api.md §7-8)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .. import _validate as validate
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._export.plan import export_span, plan_shards
from .._export.progress import ExportProgress
from .._export.runner import DEFAULT_MAX_SHARD_RECORDS, Export
from .._filters import EXPORT_FILTERS, CallFilters, ExportFilters, call_query
from .._models import CallInsights, CallRecord
from .._pagination import Pager
from .base import Resource

if TYPE_CHECKING:
    from typing_extensions import Unpack

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
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
        **filters: Unpack[CallFilters],
    ) -> Pager[CallRecord]:
        """CDRs newest first. Without an end_time filter the API searches the last 30 days.

        Filters are `CallFilters` (the API's own names); a misspelled one is
        refused with the list of valid ones. Time filters take aware datetimes
        (sent in UTC) or strings already in the API's ``YYYY-MM-DD HH:MM[:SS]``
        UTC form. For spans longer than the API's 90-day limit, or pulls that
        must not miss calls landing meanwhile, use `export()`.
        """
        return self._pager(
            CallRecord,
            call_query(filters),
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
        concurrency: int | None = None,
        settle: timedelta = timedelta(0),
        max_shard_records: int | None = None,
        on_progress: Callable[[ExportProgress], None] | None = None,
        done: Iterable[tuple[datetime, datetime]] = (),
        already_exported: int = 0,
        **filters: Unpack[ExportFilters],
    ) -> Export:
        r"""Every call that ended in ``[since, until)``, each exactly once, however long the span.

        `until` defaults to the moment the export starts and is frozen then,
        so calls landing during the pull cannot shift any page; `settle` leaves
        out the newest stretch, where calls may still be landing (a CDR that
        becomes visible after its shard was pulled cannot be in the export:
        give `settle` a minute or two when `until` is "now"). The span is
        cut into shards of at most 89 days (the API's 90-day rule) and split
        further by time when a shard holds more than `max_shard_records`
        calls (default `DEFAULT_MAX_SHARD_RECORDS`, 4,000). A `since` older
        than the API's 90-day retention is moved up to it, an `until` in the
        future down to now: `Export.adjustments` says so.
        Intervals given as `done` (from an earlier run's completed
        ``batch.shard``\ s) are skipped.

        By default the export keeps as many requests in flight as the network
        needs to hold the client's paced rate (about rate × round trip, see
        `InFlightWindow`); ``concurrency=N`` fixes that number instead.

        ``async for call in export`` yields calls shard by shard (newest first
        within a shard); ``export.batches()`` yields whole shards, for callers
        that checkpoint (see `export_to_file`). Filters are `ExportFilters`:
        those of `list()` but the end_time ones, which the span replaces.
        """
        query = call_query(filters, allowed=EXPORT_FILTERS)
        checked = validate.positive_int(concurrency, field="concurrency")
        records = validate.positive_int(max_shard_records, field="max_shard_records")
        span = export_span(since, until, settle)
        for adjustment in span.adjustments:
            logger.info("export: %s", adjustment)
        auth_id = self._transport.auth_id
        return Export(
            lambda shard_query: self._page_fetcher(CallRecord, shard_query),
            plan_shards(auth_id, span.since, span.until, query, done=done),
            concurrency=checked,
            pace=self._transport.limiter.snapshot,
            background=self._background,
            max_shard_records=records or DEFAULT_MAX_SHARD_RECORDS,
            on_progress=on_progress,
            already_exported=already_exported,
            params={
                "auth_id": auth_id,
                # As asked, not as clamped to the retention: a resume a day
                # later must still recognise its own checkpoint.
                "since": span.requested_since.isoformat(),
                "until": span.until.isoformat(),
                "filters": query,
            },
            span=span,
        )
