"""`export_to_stream`: an export written straight into a binary stream (a pipe, stdout).

A stream cannot be cut back or re-read, so there is no checkpoint and no
resume: an interrupted stream export starts over. Each shard is still
written whole, once it is complete and consistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

import anyio

from .._export.progress import ExportProgress, ExportSummary
from .._export.runner import DEFAULT_MAX_SHARD_RECORDS
from ._format import file_format

if TYPE_CHECKING:
    from .._client import ZentrunkClient


async def export_to_stream(
    client: ZentrunkClient,
    stream: IO[bytes],
    *,
    since: datetime,
    until: datetime | None = None,
    format: str | None = None,
    concurrency: int | None = None,
    on_progress: Callable[[ExportProgress], None] | None = None,
    settle: timedelta = timedelta(0),
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
    **filters: Any,
) -> ExportSummary:
    """Write every call of ``[since, until)`` into `stream`, shard by shard (no checkpoint).

    `format` is one of ``jsonl``, ``csv``, ``jsonl.gz``, ``csv.gz`` (default JSONL).
    """
    fmt = file_format(format, None)
    export = client.calls.export(
        since,
        until,
        concurrency=concurrency,
        settle=settle,
        max_shard_records=max_shard_records,
        on_progress=on_progress,
        **filters,
    )
    started = time.monotonic()
    records = shards = 0
    expected = 0

    def write(data: bytes) -> None:
        stream.write(data)
        stream.flush()

    await anyio.to_thread.run_sync(write, fmt.header())
    async with aclosing(export.batches()) as batches:
        async for batch in batches:
            await anyio.to_thread.run_sync(write, fmt.encode(batch.records))
            records += len(batch.records)
            shards += 1
            expected += batch.expected
    progress = export.progress
    return ExportSummary(
        records=records,
        pages=progress.pages,
        requests=progress.requests,
        elapsed=time.monotonic() - started,
        path=None,
        checkpoint_path=None,
        resumed=False,
        shards=shards,
        expected=expected,
        since=export.since,
        until=export.until,
        adjustments=tuple(export.adjustments),
        notices=tuple(export.adjustments),
    )
