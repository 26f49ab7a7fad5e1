"""Bulk CDR export: any span, concurrent, drift-safe, each call exactly once, resumable.

    async with ZentrunkClient() as zt:
        async for call in zt.calls.export(since=datetime(2026, 9, 1, tzinfo=timezone.utc)):
            ...
        summary = await export_to_file(zt, "calls.jsonl", since=..., resume=True)

The work is cut into `Shard`\\ s — plain, JSON-serialisable units (account,
time window, filters) — so a pull across many accounts can be spread over
several machines by an existing distributed engine, each running
``Export``\\ s over the shards it is given.
"""

from ._checkpoint import CheckpointMismatchError
from ._file import export_to_file
from ._incomplete import IncompleteExportError, Residue
from ._plan import MAX_SHARD_SPAN, Shard, plan_shards
from ._progress import ExportProgress, ExportSummary
from ._runner import DEFAULT_MAX_SHARD_RECORDS, Export, ShardBatch
from ._sinks import CSV_COLUMNS, CsvSink, JsonlSink

__all__ = [
    "CSV_COLUMNS",
    "DEFAULT_MAX_SHARD_RECORDS",
    "MAX_SHARD_SPAN",
    "CheckpointMismatchError",
    "CsvSink",
    "Export",
    "ExportProgress",
    "ExportSummary",
    "IncompleteExportError",
    "JsonlSink",
    "Residue",
    "Shard",
    "ShardBatch",
    "export_to_file",
    "plan_shards",
]
