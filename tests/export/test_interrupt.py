"""Interrupted file exports: a resume verifies the file before it trusts it.

The cases of issue 11, as written: a deleted, shortened or altered partial
file after an interruption is refused (never padded, never reported as a
success) and ``repair`` re-pulls only the shards whose bytes are gone.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio
import pytest

from zentrunk_async import APIStatusError, ZentrunkClient
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import (
    CheckpointError,
    CheckpointMismatchError,
    ExportFileMismatchError,
    ExportProgress,
    export_to_file,
)

from .conftest import every_call

pytestmark = pytest.mark.anyio

SHARD = 300


def uuids_of(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines()]


def journal(tmp_path: Path) -> list[dict[str, Any]]:
    text = (tmp_path / "calls.jsonl.checkpoint.json").read_text()
    return [json.loads(line) for line in text.splitlines()]


async def interrupt(
    zt: ZentrunkClient, out: Path, span: tuple[datetime, datetime], at: int = 1200, **kw: Any
) -> None:
    """Cancel an export once `at` calls were received (several shards are then written)."""
    with anyio.CancelScope() as scope:

        def stop(progress: ExportProgress) -> None:
            if progress.records >= at:
                scope.cancel()

        await export_to_file(
            zt, out, since=span[0], until=span[1], max_shard_records=SHARD, on_progress=stop, **kw
        )
    assert scope.cancelled_caught


async def assert_exactly_once(
    zt: ZentrunkClient, out: Path, span: tuple[datetime, datetime]
) -> None:
    uuids = uuids_of(out)
    assert len(uuids) == len(set(uuids)) == 3000
    assert set(uuids) == set(await every_call(zt, span))
    assert not out.with_name(out.name + ".part").exists()


async def test_cancelled_file_export_stops_and_resumes_exactly_once(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Cancel mid-export: no request outlives it, the final name is not written, and a
    resume with nothing but ``resume=True`` completes it exactly once."""
    out = tmp_path / "calls.jsonl"
    emulator.set_faults(latency_ms=2)
    await interrupt(zt, out, span)
    assert not out.exists()  # the final name only ever holds a complete export
    assert (tmp_path / "calls.jsonl.part").exists()
    before = emulator.stats_dict()["requests"]
    await anyio.sleep(0.2)
    assert emulator.stats_dict()["requests"] == before
    notices: list[str] = []
    summary = await export_to_file(
        zt, out, resume=True, max_shard_records=SHARD, on_notice=notices.append
    )
    assert summary.resumed
    assert summary.records == 3000
    assert any("match their digests" in n for n in notices)
    await assert_exactly_once(zt, out, span)


async def test_resume_after_errors_and_a_torn_tail_loses_and_doubles_nothing(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Errors end an export mid-way; half a shard written after the last record is cut off."""
    out = tmp_path / "calls.jsonl"
    progress: list[int] = []

    def fail_midway(p: object) -> None:
        progress.append(1)
        if len(progress) == 60:
            emulator.set_faults(error_rate=1.0)

    with pytest.raises(APIStatusError):
        await export_to_file(
            zt, out, since=span[0], until=span[1], max_shard_records=SHARD, on_progress=fail_midway
        )
    recorded = sum(line.get("records", 0) for line in journal(tmp_path)[1:])
    assert 0 < recorded < 3000
    with (tmp_path / "calls.jsonl.part").open("a") as handle:
        handle.write('{"call_uuid": "half-written garbage"')
    with (tmp_path / "calls.jsonl.checkpoint.json").open("a") as handle:
        handle.write('{"shard": ["2026')  # a checkpoint line torn by the crash
    emulator.clear_faults()
    summary = await export_to_file(zt, out, since=span[0], resume=True, max_shard_records=SHARD)
    assert summary.records == 3000
    await assert_exactly_once(zt, out, span)


async def test_deleted_partial_file_is_refused_then_repaired(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await interrupt(zt, out, span)
    (tmp_path / "calls.jsonl.part").unlink()
    before = emulator.stats_dict()["requests"]
    with pytest.raises(ExportFileMismatchError, match=r"missing.*--repair.*--restart"):
        await export_to_file(zt, out, resume=True)
    assert emulator.stats_dict()["requests"] == before
    assert not out.exists()
    summary = await export_to_file(zt, out, repair=True, max_shard_records=SHARD)
    assert summary.repaired > 0
    await assert_exactly_once(zt, out, span)


async def test_shortened_partial_file_is_refused_never_padded_then_repaired(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Keep the first 100 lines: refused, the file left as it is (no NUL bytes), and a
    repair pulls again only the shards whose bytes are gone."""
    out = tmp_path / "calls.jsonl"
    part = tmp_path / "calls.jsonl.part"
    await interrupt(zt, out, span)
    shards = len(journal(tmp_path)) - 1
    short = "".join(part.read_text().splitlines(keepends=True)[:100])
    part.write_text(short)
    with pytest.raises(ExportFileMismatchError, match="bytes, its checkpoint recorded"):
        await export_to_file(zt, out, resume=True)
    assert part.read_text() == short
    assert "\0" not in part.read_text()
    full = await export_to_file(zt, tmp_path / "full.jsonl", since=span[0], until=span[1])
    summary = await export_to_file(zt, out, repair=True, max_shard_records=SHARD)
    assert summary.repaired == shards  # 100 lines of 300-call shards: none survives whole
    assert summary.requests < full.requests * 2
    await assert_exactly_once(zt, out, span)


async def test_one_altered_byte_repairs_one_shard(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    part = tmp_path / "calls.jsonl.part"
    await interrupt(zt, out, span, at=2000)
    entries = journal(tmp_path)[1:]
    assert len(entries) >= 3
    target = entries[1]
    data = bytearray(part.read_bytes())
    data[target["offset"] + 10] ^= 0x01
    part.write_bytes(bytes(data))
    with pytest.raises(ExportFileMismatchError, match="altered"):
        await export_to_file(zt, out, resume=True)
    summary = await export_to_file(zt, out, repair=True, max_shard_records=SHARD)
    assert summary.repaired == 1
    await assert_exactly_once(zt, out, span)


@pytest.mark.parametrize(
    "content",
    [
        "not json at all\n",
        '{"some": "other tool"}\n',
        '{"version": 1, "params": {}, "completed": [], "records": 0, "output_bytes": 0}',
        "",
    ],
)
async def test_corrupt_or_foreign_checkpoint_is_one_clear_line(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path, content: str
) -> None:
    out = tmp_path / "calls.jsonl"
    (tmp_path / "calls.jsonl.checkpoint.json").write_text(content)
    with pytest.raises(CheckpointError) as caught:
        await export_to_file(zt, out, since=span[0], until=span[1], resume=True)
    message = str(caught.value)
    assert "\n" not in message
    assert "checkpoint" in message
    assert "--restart" in message


async def test_tampered_checkpoint_ranges_are_refused(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await interrupt(zt, out, span)
    path = tmp_path / "calls.jsonl.checkpoint.json"
    lines = path.read_text().splitlines()
    entry = json.loads(lines[2])
    entry["offset"] += 5
    lines[2] = json.dumps(entry)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CheckpointError, match="do not follow"):
        await export_to_file(zt, out, resume=True)


async def test_resume_with_other_parameters_is_refused(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await interrupt(zt, out, span, at=300, call_direction="inbound")
    with pytest.raises(CheckpointMismatchError, match="filters"):
        await export_to_file(zt, out, resume=True, call_direction="outbound")
    summary = await export_to_file(zt, out, resume=True)  # the checkpoint's filters
    expected = [
        c.call_uuid
        async for c in zt.calls.list(
            end_time__gte=span[0], end_time__lt=span[1], call_direction="inbound"
        )
    ]
    assert sorted(uuids_of(out)) == sorted(expected)
    assert summary.records == len(expected)


async def test_crash_after_the_rename_resumes_to_a_clean_finish(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Killed between the rename and the checkpoint's removal: a resume only tidies up."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1], keep_checkpoint=True)
    before = emulator.stats_dict()["requests"]
    summary = await export_to_file(zt, out, resume=True)
    assert summary.requests == 0
    assert emulator.stats_dict()["requests"] == before
    assert not (tmp_path / "calls.jsonl.checkpoint.json").exists()
    await assert_exactly_once(zt, out, span)


async def test_crash_just_before_the_rename_finishes_on_resume(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Killed after the finished mark but before the rename: a resume renames, once."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1], keep_checkpoint=True)
    out.rename(tmp_path / "calls.jsonl.part")
    before = emulator.stats_dict()["requests"]
    await export_to_file(zt, out, resume=True, keep_checkpoint=True)
    assert emulator.stats_dict()["requests"] == before
    assert sum(1 for line in journal(tmp_path) if line.get("finished")) == 1
    summary = await export_to_file(zt, out, resume=True)  # the checkpoint still reads
    assert summary.requests == 0
    await assert_exactly_once(zt, out, span)
