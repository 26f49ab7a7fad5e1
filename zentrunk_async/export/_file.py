"""`export_to_file`: a resumable export into a JSONL or CSV file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import anyio

from .._errors import InvalidArgumentError
from ._checkpoint import Checkpoint
from ._progress import ExportProgress, ExportSummary
from ._runner import DEFAULT_MAX_SHARD_RECORDS, ShardBatch
from ._sinks import CsvSink, JsonlSink, Sink

if TYPE_CHECKING:
    from .._client import ZentrunkClient

Format = Literal["jsonl", "csv"]


async def export_to_file(
    client: ZentrunkClient,
    path: str | os.PathLike[str],
    *,
    since: datetime,
    until: datetime | None = None,
    format: Format = "jsonl",
    concurrency: int | None = None,
    resume: bool = False,
    checkpoint_path: str | os.PathLike[str] | None = None,
    on_progress: Callable[[ExportProgress], None] | None = None,
    settle: timedelta = timedelta(0),
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
    **filters: Any,
) -> ExportSummary:
    """Export every call of ``[since, until)`` into `path`, resumable after any interruption.

    Each shard is appended to the file only once it is complete, then the
    checkpoint (``<path>.checkpoint.json`` by default) records it with the
    file's new size. With ``resume=True`` a previous run's checkpoint is
    read: the file is cut back to the recorded size and only the shards not
    yet recorded are pulled, so the file ends with every call exactly once.
    A resume must use the same parameters (`until` may be left out: the
    checkpoint's is used).
    """
    if format not in ("jsonl", "csv"):
        raise InvalidArgumentError(f"format must be 'jsonl' or 'csv', got {format!r}")
    out = Path(path)
    checkpoint_file = (
        Path(checkpoint_path) if checkpoint_path else out.with_name(out.name + ".checkpoint.json")
    )
    previous = Checkpoint.load(checkpoint_file) if resume and checkpoint_file.exists() else None
    if previous is not None and until is None:
        until = datetime.fromisoformat(previous.params["until"])
    export = client.calls.export(
        since,
        until,
        concurrency=concurrency,
        settle=settle,
        max_shard_records=max_shard_records,
        on_progress=on_progress,
        done=previous.done_intervals if previous is not None else (),
        already_exported=previous.records if previous is not None else 0,
        **filters,
    )
    params = {**export.params, "format": format}
    if previous is not None:
        previous.check(params)
        checkpoint = previous
    else:
        checkpoint = Checkpoint(params=params, output_bytes=0)
    started = time.monotonic()
    handle = _open_output(out, checkpoint.output_bytes if previous is not None else None)
    try:
        sink: Sink = (
            JsonlSink(handle)
            if format == "jsonl"
            else CsvSink(handle, write_header=handle.tell() == 0)
        )
        checkpoint.output_bytes = handle.tell()
        checkpoint.save(checkpoint_file)
        # Closed here, in this task: on an error or a cancellation every request
        # of the export stops before this function returns (not whenever the
        # abandoned generator happens to be finalised).
        async with aclosing(export.batches()) as batches:
            async for batch in batches:
                await anyio.to_thread.run_sync(
                    _append, sink, handle, batch, checkpoint, checkpoint_file
                )
    finally:
        handle.close()
    progress = export.progress
    return ExportSummary(
        records=checkpoint.records,
        pages=progress.pages,
        requests=progress.requests,
        elapsed=time.monotonic() - started,
        path=out,
        checkpoint_path=checkpoint_file,
        resumed=previous is not None,
    )


def _open_output(path: Path, keep_bytes: int | None) -> IO[str]:
    """A fresh file, or (resuming) the old one cut back to its last committed size."""
    if keep_bytes is None or not path.exists():
        return path.open("w", encoding="utf-8", newline="")
    handle = path.open("r+", encoding="utf-8", newline="")
    handle.truncate(keep_bytes)
    handle.seek(keep_bytes)
    return handle


def _append(
    sink: Sink, handle: IO[str], batch: ShardBatch, checkpoint: Checkpoint, checkpoint_file: Path
) -> None:
    """Write one complete shard, make it durable, then record it (in that order)."""
    sink.write(batch.records)
    os.fsync(handle.fileno())
    checkpoint.completed.append((batch.shard.start.isoformat(), batch.shard.end.isoformat()))
    checkpoint.records += len(batch.records)
    checkpoint.output_bytes = handle.tell()
    checkpoint.save(checkpoint_file)
