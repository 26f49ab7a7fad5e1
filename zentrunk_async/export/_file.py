"""`export_to_file`: a resumable, verified, atomic export into a JSONL or CSV file.

Where things are while an export of ``calls.jsonl`` runs:

- ``calls.jsonl.part``: the calls so far, whole shards only (plus, after a
  crash, perhaps part of one more, which a resume cuts off);
- ``calls.jsonl.checkpoint.json``: what is in the partial file, shard by
  shard, with byte ranges and digests (see `_checkpoint`).

When the last shard is in, ``calls.jsonl.manifest.json`` is written, the
partial file is renamed to ``calls.jsonl`` and the checkpoint is removed
(kept with ``keep_checkpoint=True``). So ``calls.jsonl`` only ever holds a
complete export.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from contextlib import aclosing
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from .._export.incomplete import IncompleteExportError, Residue
from .._export.progress import ExportProgress, ExportSummary
from .._export.runner import DEFAULT_MAX_SHARD_RECORDS, Export, ShardBatch
from ._checkpoint import Checkpoint, fsync_directory
from ._lock import ExportLock
from ._manifest import Manifest, manifest_path
from ._partial import Layout, PartialFile
from ._resume import (
    ExportFactory,
    Opened,
    Request,
    check_request,
    finished_manifest,
    open_export,
)

if TYPE_CHECKING:
    from .._client import ZentrunkClient

logger = logging.getLogger("zentrunk_async")


class IncompleteFileExportError(IncompleteExportError):
    """Raised by `export_to_file` when some windows never matched their count.

    Every other shard is in the partial file and recorded in the checkpoint;
    `summary` says what was exported. The file keeps its ``.part`` name (the
    final name is for complete exports only); a resume pulls just the
    windows named in `residues` again.
    """

    def __init__(self, residues: list[Residue], *, exported: int, summary: ExportSummary) -> None:
        super().__init__(residues, exported=exported)
        self.summary = summary


async def export_to_file(
    client: ZentrunkClient,
    path: str | os.PathLike[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    format: str | None = None,
    concurrency: int | None = None,
    resume: bool = False,
    restart: bool = False,
    repair: bool = False,
    checkpoint_path: str | os.PathLike[str] | None = None,
    keep_checkpoint: bool = False,
    on_progress: Callable[[ExportProgress], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
    settle: timedelta = timedelta(0),
    max_shard_records: int = DEFAULT_MAX_SHARD_RECORDS,
    **filters: Any,
) -> ExportSummary:
    """Export every call of ``[since, until)`` into `path`, resumable and verified.

    `format` is ``"jsonl"``, ``"csv"``, ``"jsonl.gz"`` or ``"csv.gz"``; by
    default the one `path`'s extension names (else JSONL). The calls go
    into ``<path>.part``, shard by shard, each recorded with its byte range
    and SHA-256 in the checkpoint (``<path>.checkpoint.json`` by default);
    at the end a manifest is written beside `path` (for `verify_file`) and
    the partial file is renamed to `path`. `concurrency`, `settle`,
    `max_shard_records` and the filters are those of ``calls.export``
    (``concurrency=None`` adapts to the round trip).

    If a checkpoint exists, ``resume=True`` continues it (leave out `since`,
    `until`, the filters and `format`: the checkpoint's are used; given,
    they must match) and ``restart=True`` discards it; with neither the
    call refuses. A resume first checks every recorded shard against the
    file: a missing, shorter or altered file is refused with
    `ExportFileMismatchError`, unless ``repair=True``, which keeps the
    shards whose bytes match and pulls only the others again.

    `on_notice` receives sentences about what the export changed or chose
    (a `since` moved to the API's retention, a resume, a repair); they are
    also in the summary's `notices`. When some windows never match their
    count, the rest is exported and `IncompleteFileExportError` (carrying
    the summary) is raised; the checkpoint does not mark those windows done.
    """
    out = Path(path)
    layout = Layout.of(out, Path(checkpoint_path) if checkpoint_path else None)
    request = Request(layout, since, until, format, filters, resume, restart, repair)

    def make_export(
        since: datetime,
        until: datetime | None,
        filters: dict[str, Any],
        previous: Checkpoint | None,
    ) -> Export:
        return client.calls.export(
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

    started = time.monotonic()
    await anyio.to_thread.run_sync(check_request, out, resume, restart, repair)
    lock = ExportLock(layout.lock)
    await anyio.to_thread.run_sync(lock.acquire)
    try:
        return await _export(layout, request, make_export, started, keep_checkpoint, on_notice)
    finally:
        lock.release()


async def _export(
    layout: Layout,
    request: Request,
    make_export: ExportFactory,
    started: float,
    keep_checkpoint: bool,
    on_notice: Callable[[str], None] | None,
) -> ExportSummary:
    opened = await anyio.to_thread.run_sync(open_export, request, make_export)
    if opened is None:
        return await anyio.to_thread.run_sync(_finished, layout, started, on_notice)
    for sentence in opened.notices:
        logger.info("export: %s", sentence)
        if on_notice is not None:
            on_notice(sentence)
    export, partial = opened.export, opened.partial
    if partial is None:  # already complete: only the checkpoint was left to remove
        if not keep_checkpoint:
            await anyio.to_thread.run_sync(_unlink, layout.checkpoint)
        return _summary(layout, opened, started, keep_checkpoint)
    try:
        # Closed here, in this task: on an error or a cancellation every request
        # of the export stops before this function returns.
        async with aclosing(export.batches()) as batches:
            async for batch in batches:
                await anyio.to_thread.run_sync(_append, partial, layout, batch)
    except IncompleteExportError as exc:
        partial.close()
        summary = _summary(layout, opened, started, keep=True)
        raise IncompleteFileExportError(
            exc.residues, exported=partial.checkpoint.records, summary=summary
        ) from None
    except BaseException:
        partial.close()
        raise
    await anyio.to_thread.run_sync(_finalize, partial, layout, export, keep_checkpoint)
    return _summary(layout, opened, started, keep_checkpoint)


def _finished(
    layout: Layout, started: float, on_notice: Callable[[str], None] | None
) -> ExportSummary:
    manifest = finished_manifest(layout)
    assert manifest is not None  # open_export just found it
    sentence = f"{layout.out} is already a complete export (see its manifest): nothing to resume"
    logger.info("export: %s", sentence)
    if on_notice is not None:
        on_notice(sentence)
    return ExportSummary(
        records=manifest.records,
        pages=0,
        requests=0,
        elapsed=time.monotonic() - started,
        path=layout.out,
        checkpoint_path=None,
        resumed=True,
        shards=manifest.shards,
        expected=manifest.expected,
        since=manifest.since,
        until=manifest.until,
        notices=(sentence,),
        manifest_path=manifest_path(layout.out),
    )


def _unlink(path: Path) -> None:
    path.unlink(missing_ok=True)


def _append(partial: PartialFile, layout: Layout, batch: ShardBatch) -> None:
    partial.append(layout, batch.shard, batch.records, batch.expected)


def _finalize(partial: PartialFile, layout: Layout, export: Export, keep: bool) -> None:
    """Manifest, then the final name, then (unless kept) no checkpoint: in that order."""
    checkpoint = partial.checkpoint
    partial.close()
    _manifest(export, checkpoint, partial.digest.hexdigest()).write(manifest_path(layout.out))
    if not checkpoint.finished:  # a resume of a run killed just before its rename
        checkpoint.mark_finished(layout.checkpoint)
    os.replace(layout.part, layout.out)
    fsync_directory(layout.out.parent)
    if not keep:
        layout.checkpoint.unlink(missing_ok=True)


def _manifest(export: Export, checkpoint: Checkpoint, sha256: str) -> Manifest:
    since, until = _window(export, checkpoint)
    expected = [entry.expected for entry in checkpoint.shards]
    return Manifest(
        auth_id=str(checkpoint.params["auth_id"]),
        since=since,
        until=until,
        filters=dict(checkpoint.params.get("filters", {})),
        format=str(checkpoint.params["format"]),
        records=checkpoint.records,
        bytes=checkpoint.end,
        sha256=sha256,
        shards=len(checkpoint.shards),
        expected=None if None in expected else sum(e for e in expected if e is not None),
    )


def _window(export: Export, checkpoint: Checkpoint) -> tuple[datetime, datetime]:
    """The window the file covers: every shard's, else the export's own."""
    since, until = export.since, export.until
    if checkpoint.shards:
        since = min(since, *(entry.since for entry in checkpoint.shards))
        until = max(until, *(entry.until for entry in checkpoint.shards))
    return since, until


def _summary(layout: Layout, opened: Opened, started: float, keep: bool) -> ExportSummary:
    export, checkpoint = opened.export, opened.checkpoint
    progress = export.progress
    since, until = _window(export, checkpoint)
    expected = [entry.expected for entry in checkpoint.shards]
    complete = checkpoint.finished
    return ExportSummary(
        records=checkpoint.records,
        pages=progress.pages,
        requests=progress.requests,
        elapsed=time.monotonic() - started,
        path=layout.out if complete else layout.part,
        checkpoint_path=layout.checkpoint if keep or not complete else None,
        resumed=opened.resumed,
        shards=len(checkpoint.shards),
        expected=None if None in expected else sum(e for e in expected if e is not None),
        since=since,
        until=until,
        notices=tuple(opened.notices),
        adjustments=tuple(export.adjustments),
        manifest_path=manifest_path(layout.out) if complete else None,
        repaired=opened.repaired,
        complete=complete,
    )
