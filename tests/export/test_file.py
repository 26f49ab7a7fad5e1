"""export_to_file: sinks, checkpoints, and resuming with nothing lost and nothing doubled."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest

from zentrunk_async import APIStatusError, CallRecord, ZentrunkClient
from zentrunk_async._convert import converter
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import CSV_COLUMNS, CheckpointMismatchError, export_to_file

from .conftest import every_call

pytestmark = pytest.mark.anyio


def jsonl_uuids(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines()]


async def test_jsonl_holds_each_call_in_wire_format(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """One JSON object per line, decodable back into the same CallRecord."""
    out = tmp_path / "calls.jsonl"
    summary = await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=500)
    lines = out.read_text().splitlines()
    assert summary.records == len(lines) == 3000
    assert summary.pages >= 150
    assert summary.requests >= summary.pages
    assert not summary.resumed
    first = converter.structure(json.loads(lines[0]), CallRecord)
    assert converter.unstructure(first) == json.loads(lines[0])
    assert set(jsonl_uuids(out)) == set(await every_call(zt, span))


async def test_csv_has_a_header_and_one_row_per_call(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """CSV: the documented CDR columns plus `extra`, JSON spellings for booleans and nulls."""
    out = tmp_path / "calls.csv"
    await export_to_file(zt, out, since=span[0], until=span[1], format="csv")
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*CSV_COLUMNS, "extra"]
    assert len(rows) == len({row["call_uuid"] for row in rows}) == 3000
    assert {row["srtp"] for row in rows} <= {"true", "false"}


async def test_resume_after_a_failure_loses_and_doubles_nothing(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """An export killed by errors mid-way, resumed, ends with every call exactly once."""
    out = tmp_path / "calls.jsonl"
    progress: list[int] = []

    def fail_midway(p: object) -> None:
        progress.append(1)
        if len(progress) == 60:  # after some shards are written, the service breaks down
            emulator.set_faults(error_rate=1.0)

    with pytest.raises(APIStatusError):
        await export_to_file(
            zt,
            out,
            since=span[0],
            until=span[1],
            max_shard_records=300,
            concurrency=4,
            on_progress=fail_midway,
        )
    checkpoint = json.loads((tmp_path / "calls.jsonl.checkpoint.json").read_text())
    written = jsonl_uuids(out)
    assert 0 < checkpoint["records"] < 3000
    assert len(written) >= checkpoint["records"]

    # Simulate a crash that left half a shard in the file after the last checkpoint.
    with out.open("a") as handle:
        handle.write('{"call_uuid": "half-written garbage"')
    emulator.clear_faults()
    summary = await export_to_file(zt, out, since=span[0], max_shard_records=300, resume=True)
    uuids = jsonl_uuids(out)
    assert summary.resumed
    assert len(uuids) == len(set(uuids)) == summary.records == 3000
    assert set(uuids) == set(await every_call(zt, span))


async def test_resume_refuses_a_checkpoint_of_another_export(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Resuming with other filters (or span) is refused before any request."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1], call_direction="inbound")
    with pytest.raises(CheckpointMismatchError, match="filters"):
        await export_to_file(
            zt, out, since=span[0], until=span[1], resume=True, call_direction="outbound"
        )


async def test_resume_of_a_finished_export_changes_nothing(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """A completed export resumed again pulls nothing and keeps the file as it was."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    before = out.read_bytes()
    summary = await export_to_file(zt, out, since=span[0], until=span[1], resume=True)
    assert out.read_bytes() == before
    assert summary.records == 3000
    assert summary.requests == 0
