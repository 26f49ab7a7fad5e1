"""`sync_once`: bring a store up to date with the API, through the drift-safe export.

What a run pulls, for one sync key (account + filters):

- the first time, everything back to `since`, or to the API's 90-day
  retention edge when no `since` is given;
- afterwards, every stretch the store does not cover yet (the new calls since
  the last run, and any gap an earlier run left, e.g. after a crash), plus a
  `lookback` before the newest covered moment, for CDRs that land late;
- never the newest `settle`: calls ending there may still be landing.

Each completed shard is committed with its interval in one transaction
(`Store.commit_shard`), so a run killed at any moment leaves the store with
whole shards only, and the next run pulls exactly what is missing. Rows are
upserts keyed by `call_uuid`: a call pulled twice (lookback) replaces itself.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import aclosing
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

import attrs

from .. import _validate as validate
from .._errors import InvalidArgumentError
from ..export import DEFAULT_MAX_SHARD_RECORDS, ExportProgress, IncompleteExportError, Residue
from ._store import (
    RETENTION,
    Interval,
    Store,
    SyncKey,
    retained_origin,
    subtract_interval,
    watermark_of,
)

if TYPE_CHECKING:
    from .._client import ZentrunkClient

logger = logging.getLogger("zentrunk_async")

_FOREVER = datetime.max.replace(tzinfo=timezone.utc)

#: The newest stretch a run leaves for the next one: CDRs of SIP REFER transfers may
#: take up to 60 s to appear (§7.4); twice that covers them.
DEFAULT_SETTLE = timedelta(minutes=2)
#: Pulled again at every run before the newest covered moment, for CDRs later still.
DEFAULT_LOOKBACK = timedelta(minutes=10)
#: Warn when the oldest moment not yet synced is this close to the retention edge.
DEFAULT_WARN_DAYS = 7


@attrs.frozen
class SyncSummary:
    """What one `sync_once` run did, and where the store stands after it.

    `watermark`: every call of the key that ended in ``[since, watermark)``
    is in the store (`since`: where the coverage starts, or the oldest moment
    the API still serves if that is later). `oldest_unsynced` is the same moment
    seen as a deadline: the API forgets it 90 days after it happened.
    `residues` are windows whose counts never matched (retried next run).
    """

    written: int
    shards: int
    pages: int
    requests: int
    elapsed: float
    since: datetime
    watermark: datetime | None
    coverage: list[Interval]
    residues: list[Residue] = attrs.Factory(list)
    retention_warning: str | None = None

    @property
    def oldest_unsynced(self) -> datetime | None:
        return self.watermark

    @property
    def complete(self) -> bool:
        return not self.residues


def sync_key(client: ZentrunkClient, **filters: Any) -> SyncKey:
    """The key a sync with these filters keeps its watermark under (checked like the export's)."""
    probe = client.calls.export(datetime.now(timezone.utc) - timedelta(days=1), **filters)
    return SyncKey.of(str(probe.params["auth_id"]), dict(probe.params["filters"]))


async def sync_once(
    client: ZentrunkClient,
    store: Store,
    since: datetime | None = None,
    settle: timedelta = DEFAULT_SETTLE,
    *,
    lookback: timedelta = DEFAULT_LOOKBACK,
    until: datetime | None = None,
    concurrency: int | None = None,
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
    warn_days: float = DEFAULT_WARN_DAYS,
    on_progress: Callable[[ExportProgress], None] | None = None,
    **filters: Any,
) -> SyncSummary:
    """Pull what the store lacks for this account and filter set; see the module docs.

    `filters` are those of ``calls.export`` (``call_direction="inbound"``, ...);
    each filter set is its own sync key with its own watermark.
    """
    if settle < timedelta(0) or lookback < timedelta(0):
        raise InvalidArgumentError("settle and lookback must not be negative")
    key = sync_key(client, **filters)
    if since is not None:
        moment = validate.aware_datetime(since, field="since")
        if moment >= datetime.now(timezone.utc) - settle:
            # Refused before the origin is recorded: a mistaken --since must leave no trace.
            raise InvalidArgumentError(
                f"since {moment.isoformat()} is not before now minus settle: nothing to sync"
            )
    started = time.monotonic()
    origin = await store.origin(key)
    requested = since if since is not None else datetime.now(timezone.utc) - RETENTION
    if origin is None or requested < origin:
        # Recorded before anything is pulled: a first run killed after its newest
        # shard must still have its older shards pulled by the next run.
        await store.set_origin(key, requested)
        origin = requested
    covered = await store.intervals(key)
    done = covered
    if covered:
        done = subtract_interval(covered, (covered[-1][1] - lookback, _FOREVER))
    export = client.calls.export(
        origin,
        until,
        concurrency=concurrency,
        settle=settle,
        max_shard_records=max_shard_records,
        on_progress=on_progress,
        done=done,
        **filters,
    )
    written = shards = 0
    residues: list[Residue] = []
    try:
        async with aclosing(export.batches()) as batches:
            async for batch in batches:
                await store.commit_shard(key, batch.records, (batch.shard.start, batch.shard.end))
                written += len(batch.records)
                shards += 1
    except IncompleteExportError as exc:
        residues = list(exc.residues)
        logger.warning("sync: %s; the next run pulls those windows again", exc)
    covered = await store.intervals(key)
    now = datetime.now(timezone.utc)  # one moment for the summary's every figure
    watermark = watermark_of(origin, covered, now)
    progress = export.progress
    return SyncSummary(
        written=written,
        shards=shards,
        pages=progress.pages,
        requests=progress.requests,
        elapsed=time.monotonic() - started,
        since=retained_origin(origin, now),
        watermark=watermark,
        coverage=covered,
        residues=residues,
        retention_warning=retention_warning(watermark, warn_days=warn_days, now=now),
    )


def retention_warning(
    oldest_unsynced: datetime | None, *, warn_days: float, now: datetime | None = None
) -> str | None:
    """Why the calls after `oldest_unsynced` are at risk, or None while they are safe."""
    if oldest_unsynced is None:
        return None
    now = now or datetime.now(timezone.utc)
    edge = now - RETENTION
    left = oldest_unsynced - edge
    if left <= timedelta(0):
        return (
            f"calls that ended after {oldest_unsynced:%Y-%m-%d %H:%M:%S} UTC are not all synced "
            f"and are already past the API's 90-day retention: some may be lost for good"
        )
    if left < timedelta(days=warn_days):
        return (
            f"calls that ended after {oldest_unsynced:%Y-%m-%d %H:%M:%S} UTC are not all synced "
            f"and leave the API's 90-day retention in {left.total_seconds() / 86400:.1f} days: "
            "sync now"
        )
    return None
