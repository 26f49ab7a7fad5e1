"""`Export`: an export's public face — iterate calls or whole shards, read its progress.

The pulling itself is `_scheduler.Scheduler`'s: every page request of every
shard goes through one `InFlightWindow` (the only cap on the export's
requests in flight; the client's limiter alone decides when each one goes).
A shard is handed out as a `ShardBatch` only once it is complete and
consistent (see `_scheduler`); windows that never became consistent are
reported, after everything else was delivered, by `IncompleteExportError`.
The upper bound of the whole export is frozen when it starts, so calls that
land during the pull (at the newest end) are outside every shard and cannot
shift any offset.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from datetime import datetime, timezone
from typing import Any

import anyio

from .._beside import Background, running_beside
from .._models import CallRecord
from .._pagination import RecordStream
from .._window import START_WINDOW, InFlightWindow, PaceProbe, WindowStats
from .incomplete import IncompleteExportError
from .plan import ExportSpan, Shard
from .progress import ExportProgress
from .scheduler import MAX_PULLS, Counters, FetcherFactory, Scheduler, ShardBatch

__all__ = [
    "DEFAULT_MAX_SHARD_RECORDS",
    "MAX_PULLS",
    "Export",
    "FetcherFactory",
    "ShardBatch",
]

#: A shard reporting more calls than this is split before it is pulled: it
#: bounds the memory of one in-flight shard (about 2 KB per CDR) and keeps
#: shards small enough to be worth checkpointing.
DEFAULT_MAX_SHARD_RECORDS = 4000

#: An export whose window adapts, starting with fewer shards than this, cuts
#: them (by time) into about this many before their counts are known, one per
#: hour at most: their heads then go out at the full pace from the first slot
#: instead of one head waiting a round trip alone. As many as the window's
#: `START_WINDOW`, the places it opens before any round trip is measured: 32
#: heads fill 0.54 s at 59/s, so the pace has work until the first answers
#: come back at up to half a second of latency (issue 15 measured 16 heads
#: leaving 0.25 s of paced slots unused at 500 ms). Each head brings up to 20
#: calls, so none is wasted on an account with calls across the span; each
#: shard's last page is partly empty, which is why not more.
SPECULATIVE_SHARDS = START_WINDOW
SPECULATIVE_MIN_SPAN_SECONDS = 3600


class Export(RecordStream[CallRecord]):
    """An export: ``async for call in export``, or ``async for batch in export.batches()``.

    Iterating records is the simple form; `batches()` hands out whole shards,
    and a caller that persists each batch before asking for the next one gets
    exactly-once delivery across restarts when it records ``batch.shard`` as
    done (that is what `export_to_file` does with its checkpoint).
    """

    def __init__(
        self,
        fetcher: FetcherFactory,
        shards: list[Shard],
        *,
        concurrency: int | None = None,
        pace: PaceProbe | None = None,
        background: Background | None = None,
        max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
        on_progress: Callable[[ExportProgress], None] | None = None,
        already_exported: int = 0,
        params: dict[str, Any] | None = None,
        span: ExportSpan | None = None,
    ) -> None:
        self.shards = list(shards)
        if span is None:
            start = min((s.start for s in shards), default=datetime.now(timezone.utc))
            end = max((s.end for s in shards), default=start)
            span = ExportSpan(start, end, start, end)
        #: `since` and `until` as the caller gave them (`until` None when not given).
        self.requested_since: datetime = span.requested_since
        self.requested_until: datetime | None = span.requested_until
        #: The span really pulled: after clamping to the retention, to now and by `settle`.
        self.since: datetime = span.since
        self.until: datetime = span.until
        #: One human sentence per clamp applied to the requested span (empty: none).
        self.adjustments: list[str] = list(span.adjustments)
        #: What identifies this export (account, span, filters): checkpoints compare it.
        self.params = dict(params or {})
        self.concurrency = concurrency
        self._window = InFlightWindow(concurrency, pace=pace)
        self._fetcher = fetcher
        self._background = background
        self._max_shard_records = max_shard_records
        self._on_progress = on_progress
        self._counters = Counters(records=already_exported, shards_total=len(shards))
        self._base_records = already_exported
        self._started = time.monotonic()

    def __repr__(self) -> str:
        return f"<Export shards={len(self.shards)} window={self._window!r}>"

    @property
    def progress(self) -> ExportProgress:
        """Counts so far (records, pages, requests, shards): a snapshot, safe to read any time."""
        c = self._counters
        return ExportProgress(
            records=c.records,
            pages=c.pages,
            requests=c.requests,
            shards_done=c.shards_done,
            shards_total=c.shards_total,
            elapsed=time.monotonic() - self._started,
            estimated_total=(
                None if c.estimated_total is None else c.estimated_total + self._base_records
            ),
        )

    @property
    def pacing(self) -> WindowStats:
        """The in-flight window: its size now, the most it held, the round trip it measured."""
        return self._window.stats()

    @property
    def starved_seconds(self) -> float:
        """Time a free place in the window waited for work (shard transitions, heads)."""
        return self._counters.starved_seconds

    async def _records(self) -> AsyncGenerator[CallRecord, None]:
        async with aclosing(self.batches()) as batches:
            async for batch in batches:
                for record in batch.records:
                    yield record

    async def batches(self) -> AsyncGenerator[ShardBatch, None]:
        """Complete shards as they finish (any order across shards).

        When some windows never matched their count, every other shard is
        delivered first and then `IncompleteExportError` is raised.
        """
        self._started = time.monotonic()
        send, receive = anyio.create_memory_object_stream[ShardBatch | Exception](1)
        failure: Exception | None = None
        scheduler = Scheduler(
            self._fetcher,
            self._starting_shards(),
            self._window,
            self._counters,
            max_shard_records=self._max_shard_records,
            on_page=self._progressed,
            clock=time.monotonic,
        )

        async def pull_all() -> None:
            async with send:
                try:
                    await scheduler.run(send)
                except Exception as exc:
                    await send.send(exc)
                    return
                if scheduler.residues:
                    exported = self._base_records + self._counters.delivered
                    await send.send(IncompleteExportError(scheduler.residues, exported=exported))

        # The work stops before its stream closes: no send ever meets a closed stream.
        async with receive, running_beside(self._background, pull_all):
            async for item in receive:
                if isinstance(item, Exception):
                    failure = item
                    break
                self._counters.delivered += len(item.records)
                try:
                    yield item
                except GeneratorExit:
                    break
        if failure is not None:
            raise failure

    def _starting_shards(self) -> list[Shard]:
        """The planned shards, cut further when there are too few to fill an adaptive window."""
        if not self._window.adaptive or len(self.shards) >= SPECULATIVE_SHARDS:
            return list(self.shards)
        span = sum((s.end - s.start).total_seconds() for s in self.shards)
        pieces: list[Shard] = []
        for shard in self.shards:
            seconds = (shard.end - shard.start).total_seconds()
            parts = min(
                math.ceil(SPECULATIVE_SHARDS * seconds / max(span, 1)),
                int(seconds // SPECULATIVE_MIN_SPAN_SECONDS),
            )
            pieces.extend(shard.split(parts) if parts > 1 else [shard])
        self._counters.shards_total = len(pieces)
        return pieces

    def _progressed(self) -> None:
        if self._on_progress is not None:
            self._on_progress(self.progress)
