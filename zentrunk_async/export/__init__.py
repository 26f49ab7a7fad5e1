"""Bulk CDR export: any span, concurrent, drift-safe, each call exactly once, resumable.

    async with ZentrunkClient() as zt:
        async for call in zt.calls.export(since=datetime(2026, 9, 1, tzinfo=timezone.utc)):
            ...
        summary = await export_to_file(zt, "calls.jsonl", since=..., resume=True)
        result = await verify_file(zt, "calls.jsonl")  # re-counted against the API

The work is cut into `Shard`\\ s — plain, JSON-serialisable units (account,
time window, filters) — so a pull across many accounts can be spread over
several machines by an existing distributed engine, each running
``Export``\\ s over the shards it is given.
"""

from .._export.incomplete import IncompleteExportError, Residue
from .._export.plan import MAX_SHARD_SPAN, Shard, plan_shards
from .._export.progress import ExportProgress, ExportSummary
from .._export.runner import DEFAULT_MAX_SHARD_RECORDS, Export, ShardBatch
from ._checkpoint import CheckpointError, CheckpointMismatchError
from ._file import IncompleteFileExportError, export_to_file
from ._format import FORMATS
from ._lock import ExportInProgressError
from ._partial import CheckpointExistsError, ExportFileMismatchError
from ._sinks import CSV_COLUMNS, CsvSink, JsonlSink
from ._stream import export_to_stream
from ._verify import DayCount, VerifyResult, verify_file

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_SHARD_RECORDS",
    "FORMATS",
    "MAX_SHARD_SPAN",
    "CheckpointError",
    "CheckpointExistsError",
    "CheckpointMismatchError",
    "CsvSink",
    "DayCount",
    "Export",
    "ExportFileMismatchError",
    "ExportInProgressError",
    "ExportProgress",
    "ExportSummary",
    "IncompleteExportError",
    "IncompleteFileExportError",
    "JsonlSink",
    "Residue",
    "Shard",
    "ShardBatch",
    "VerifyResult",
    "export_to_file",
    "export_to_stream",
    "plan_shards",
    "verify_file",
]
