"""Interrupting `export_to_file` stops every request at once, and a resume completes it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import anyio
import pytest

from zentrunk_async import ZentrunkClient
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import ExportProgress, export_to_file

pytestmark = pytest.mark.anyio


async def test_cancelled_file_export_stops_and_resumes_exactly_once(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Cancel mid-export: the cancellation (not a BrokenResourceError) ends it, no request
    outlives it, and a resume completes the file with every call exactly once."""
    since, until = span
    out = tmp_path / "calls.jsonl"
    emulator.set_faults(latency_ms=2)
    with anyio.CancelScope() as scope:

        def stop_midway(progress: ExportProgress) -> None:
            if progress.records >= 1200:
                scope.cancel()

        await export_to_file(
            zt, out, since=since, until=until, max_shard_records=300, on_progress=stop_midway
        )
    assert scope.cancelled_caught
    before = emulator.stats_dict()["requests"]
    await anyio.sleep(0.2)
    assert emulator.stats_dict()["requests"] == before
    summary = await export_to_file(zt, out, since=since, resume=True, max_shard_records=300)
    uuids = [json.loads(line)["call_uuid"] for line in out.read_text().splitlines()]
    assert summary.resumed
    assert len(uuids) == len(set(uuids)) == summary.records == 3000
