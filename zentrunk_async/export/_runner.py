"""The concurrent, drift-safe pull of a set of shards.

Shards are pulled by a few workers at once, each shard through the ordinary
`Pager` (so pages fan out within a shard too), with every page request sharing
one `CapacityLimiter(concurrency)`: about `concurrency` requests are in flight
whatever the number of shards. A shard whose first page reports more than
`max_shard_records` calls is split by time before anything else is fetched,
which bounds what one shard holds in memory.

A shard is handed out as a `ShardBatch` only once it is complete and
consistent: every call it holds is distinct (deduplicated by `call_uuid`) and
their number matches the `total_count` the API reported at the start and at
the end of the pull. If the count moved (calls landing late inside the
window), the shard is pulled again and the union kept, so no call is lost and
none is doubled. The upper bound of the whole export is frozen when it starts,
so calls that land during the pull (at the newest end) are outside every
shard and cannot shift any offset.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing
from types import TracebackType
from typing import Any

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._beside import Background, running_beside
from .._models import CallRecord, Page
from .._pagination import FetchPage, Pager
from ._plan import Shard
from ._progress import ExportProgress

logger = logging.getLogger("zentrunk_async")

#: A shard reporting more calls than this is split before it is pulled: it
#: bounds the memory of one in-flight shard (about 2 KB per CDR) and keeps
#: shards small enough to be worth checkpointing.
DEFAULT_MAX_SHARD_RECORDS = 4000

#: Pulls of a shard whose count keeps moving before its union is accepted.
MAX_PULLS = 3

#: Shards pulled at once: enough to overlap one shard's first page with the
#: others' fan-out, few enough that buffered batches stay small.
MAX_SHARD_WORKERS = 4

FetcherFactory = Callable[[dict[str, str]], FetchPage[CallRecord]]


@attrs.define
class ShardBatch:
    """Every call of one shard, in the API's order (newest first), each exactly once."""

    shard: Shard
    records: list[CallRecord]
    pages: int


@attrs.define
class _Counters:
    records: int = 0
    pages: int = 0
    requests: int = 0
    shards_done: int = 0
    shards_total: int = 0
    estimated_total: int | None = None


class Export:
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
        concurrency: int,
        background: Background | None = None,
        max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
        on_progress: Callable[[ExportProgress], None] | None = None,
        already_exported: int = 0,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.shards = list(shards)
        #: What identifies this export (account, span, filters): checkpoints compare it.
        self.params = dict(params or {})
        self.concurrency = concurrency
        self._fetcher = fetcher
        self._background = background
        self._max_shard_records = max_shard_records
        self._on_progress = on_progress
        self._counters = _Counters(records=already_exported, shards_total=len(shards))
        self._base_records = already_exported
        self._roots_pending = {shard.key for shard in shards}
        self._started = time.monotonic()
        self._open: AsyncGenerator[CallRecord, None] | None = None

    def __repr__(self) -> str:
        return f"<Export shards={len(self.shards)} concurrency={self.concurrency}>"

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
            estimated_total=c.estimated_total,
        )

    def __aiter__(self) -> AsyncIterator[CallRecord]:
        return self._records()

    async def __aenter__(self) -> AsyncIterator[CallRecord]:
        self._open = self._records()
        return self._open

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._open is not None:
            await self._open.aclose()
            self._open = None

    async def _records(self) -> AsyncGenerator[CallRecord, None]:
        async with aclosing(self.batches()) as batches:
            async for batch in batches:
                for record in batch.records:
                    yield record

    async def batches(self) -> AsyncGenerator[ShardBatch, None]:
        """Complete shards as they finish (any order across shards)."""
        self._started = time.monotonic()
        workers = max(1, min(MAX_SHARD_WORKERS, self.concurrency, len(self.shards)))
        send, receive = anyio.create_memory_object_stream[ShardBatch | Exception](workers)
        failure: Exception | None = None

        async def pull_all() -> None:
            await self._pull_all(workers, send)

        # The work stops before its stream closes: no send ever meets a closed stream.
        async with receive, running_beside(self._background, pull_all):
            async for item in receive:
                if isinstance(item, Exception):
                    failure = item
                    break
                try:
                    yield item
                except GeneratorExit:
                    break
        if failure is not None:
            raise failure

    async def _pull_all(
        self, workers: int, batches: MemoryObjectSendStream[ShardBatch | Exception]
    ) -> None:
        if not self.shards:
            await batches.aclose()
            return
        todo_send, todo_receive = anyio.create_memory_object_stream[Shard](math.inf)
        for shard in self.shards:
            todo_send.send_nowait(shard)
        outstanding = [len(self.shards)]
        capacity = anyio.CapacityLimiter(self.concurrency)

        async def work(todo: MemoryObjectReceiveStream[Shard]) -> None:
            async with todo:
                async for shard in todo:
                    try:
                        result = await self._pull(shard, capacity)
                    except Exception as exc:
                        await batches.send(exc)
                        return
                    if isinstance(result, ShardBatch):
                        self._counters.shards_done += 1
                        await batches.send(result)
                        outstanding[0] -= 1
                    else:
                        self._counters.shards_total += len(result) - 1
                        for child in result:
                            todo_send.send_nowait(child)
                        outstanding[0] += len(result) - 1
                    if outstanding[0] == 0:
                        todo_send.close()

        async with batches, anyio.create_task_group() as tg:
            for _ in range(workers):
                tg.start_soon(work, todo_receive.clone())
            todo_receive.close()

    async def _pull(
        self, shard: Shard, capacity: anyio.CapacityLimiter
    ) -> ShardBatch | list[Shard]:
        """The shard's calls, or the shards to pull instead when it is too big."""
        fetch = self._counted(self._fetcher(shard.query()), capacity)
        seen: dict[str, CallRecord] = {}
        pages = 0
        for pull in range(1, MAX_PULLS + 1):
            first_total: int | None = None
            last_total = 0
            pager = Pager(fetch, concurrency=self.concurrency, background=self._background)
            async with aclosing(pager.pages()) as shard_pages:
                async for page in shard_pages:
                    last_total = page.meta.total_count
                    if first_total is None:
                        first_total = last_total
                        self._count_root(shard, first_total)
                        if pull == 1 and first_total > self._max_shard_records:
                            pieces = shard.split(
                                math.ceil(2 * first_total / self._max_shard_records)
                            )
                            if len(pieces) > 1:
                                return pieces
                    pages += 1
                    self._take(page, seen)
            if first_total == last_total and len(seen) >= last_total:
                break
            logger.info(
                "export: the call count of %s moved during its pull (%s -> %s, %s received); "
                "pulling it again (pull %s of %s)",
                shard.key,
                first_total,
                last_total,
                len(seen),
                pull + 1,
                MAX_PULLS,
            )
        return ShardBatch(shard, list(seen.values()), pages)

    def _take(self, page: Page[CallRecord], seen: dict[str, CallRecord]) -> None:
        before = len(seen)
        for record in page.objects:
            seen.setdefault(record.call_uuid, record)
        self._counters.records += len(seen) - before
        self._counters.pages += 1
        if self._on_progress is not None:
            self._on_progress(self.progress)

    def _count_root(self, shard: Shard, total: int) -> None:
        """Sum the first totals of the planned shards (their splits add nothing new)."""
        if shard.key not in self._roots_pending:
            return
        self._roots_pending.discard(shard.key)
        known = self._counters.estimated_total or self._base_records
        self._counters.estimated_total = known + total

    def _counted(
        self, fetch: FetchPage[CallRecord], capacity: anyio.CapacityLimiter
    ) -> FetchPage[CallRecord]:
        async def counted(offset: int, limit: int) -> Page[CallRecord]:
            async with capacity:
                self._counters.requests += 1
                return await fetch(offset, limit)

        return counted
