"""verify_file: an export re-counted against the API, day by day, with total_count only."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from zentrunk_async import InvalidArgumentError, ZentrunkClient
from zentrunk_async._export.runner import Export
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import (
    IncompleteExportError,
    IncompleteFileExportError,
    Residue,
    ShardBatch,
    export_to_file,
    verify_file,
)

from .conftest import FAST_RETRY

pytestmark = pytest.mark.anyio


async def test_a_complete_export_verifies_cheaply(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    before = emulator.stats_dict()["requests"]
    result = await verify_file(zt, out)
    assert result.ok
    assert result.expected == result.found == 3000
    assert (result.missing, result.extra, result.duplicates, result.outside) == (0, 0, 0, 0)
    assert result.intact is True
    # One request per UTC day of the window: about 90, never a full pull (150+ pages).
    assert emulator.stats_dict()["requests"] - before == result.requests <= 92
    assert sum(d.expected for d in result.days) == 3000


@pytest.mark.parametrize("name", ["calls.csv", "calls.jsonl.gz", "calls.csv.gz"])
async def test_every_format_verifies(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=900)
    result = await verify_file(zt, out)
    assert result.ok, result
    assert result.found == 3000


async def test_lost_and_doubled_calls_are_counted(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[5:]) + lines[-1] + "not json\n")
    result = await verify_file(zt, out)
    assert not result.ok
    assert result.missing == 5
    assert result.duplicates == 1
    assert result.extra == 1
    assert result.unreadable == 1
    assert result.intact is False
    assert result.found == 2995
    assert sum(1 for d in result.days if not d.ok) >= 1


async def test_calls_the_api_has_but_the_file_lacks(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Overriding the window: the API counts calls the file never had (missing), and the
    file's calls outside a narrower window are extra."""
    out = tmp_path / "calls.jsonl"
    middle = span[0] + (span[1] - span[0]) / 2
    await export_to_file(zt, out, since=middle, until=span[1])
    wider = await verify_file(zt, out, since=span[0], until=span[1])
    assert wider.missing > 0
    assert wider.found < wider.expected
    assert not wider.ok
    narrower = await verify_file(zt, out, since=middle + timedelta(days=10), until=span[1])
    assert narrower.outside > 0
    assert not narrower.ok


async def test_no_manifest_needs_a_window_and_another_account_is_refused(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    manifest = tmp_path / "calls.jsonl.manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "auth_id": "MAOTHER0000000000001"}))
    with pytest.raises(InvalidArgumentError, match="account MAOTHER"):
        await verify_file(zt, out)
    manifest.unlink()
    with pytest.raises(InvalidArgumentError, match="no manifest"):
        await verify_file(zt, out)
    result = await verify_file(zt, out, since=span[0], until=span[1])
    assert result.ok
    assert result.intact is None
    manifest.write_text("{broken")
    with pytest.raises(InvalidArgumentError, match="cannot read the manifest"):
        await verify_file(zt, out)


async def test_incomplete_windows_raise_with_the_summary_and_stay_undone(
    emulator: Emulator,
    span: tuple[datetime, datetime],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The runner's IncompleteExportError: the rest is written and recorded, the window
    is not; the error carries the summary; the final name is not given; a resume pulls
    that window and completes the file exactly once."""
    original = Export.batches

    async def first_window_short(self: Export) -> AsyncGenerator[ShardBatch, None]:
        held: list[ShardBatch] = []
        async for batch in original(self):
            if held:
                yield batch
            else:
                held.append(batch)
        raise IncompleteExportError(
            [Residue(held[0].shard.start, held[0].shard.end, held[0].expected, 0)],
            exported=0,
        )

    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    out = tmp_path / "calls.jsonl"
    async with ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url="http://127.0.0.1",
        http_client=http,
        rate_limit=None,
        retry=FAST_RETRY,
    ) as zt:
        monkeypatch.setattr(Export, "batches", first_window_short)
        with pytest.raises(IncompleteFileExportError) as caught:
            await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=400)
        error = caught.value
        assert isinstance(error, IncompleteExportError)
        assert not error.summary.complete
        assert error.summary.path == tmp_path / "calls.jsonl.part"
        assert 0 < error.summary.records == error.exported < 3000
        assert not out.exists()
        journal = (tmp_path / "calls.jsonl.checkpoint.json").read_text()
        residue = error.residues[0]
        assert json.dumps([residue.since.isoformat(), residue.until.isoformat()]) not in journal
        monkeypatch.setattr(Export, "batches", original)
        summary = await export_to_file(zt, out, resume=True, max_shard_records=400)
        assert summary.records == 3000
        assert (await verify_file(zt, out)).ok
    await http.aclose()


async def test_a_phantom_call_raises_with_the_summary_then_resume_completes(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """The emulator's data fault, no fake: counted but never listed."""
    out = tmp_path / "calls.jsonl"
    emulator.set_faults(phantom_calls=1)
    with pytest.raises(IncompleteFileExportError) as caught:
        await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=500)
    (residue,) = caught.value.residues
    assert residue.expected == residue.found + 1
    assert caught.value.summary.records == caught.value.exported
    assert not out.exists()
    emulator.clear_faults()
    summary = await export_to_file(zt, out, resume=True, max_shard_records=500)
    assert summary.records == 3000
    assert (await verify_file(zt, out)).ok


async def test_a_call_landing_late_in_a_past_window_is_reported_missing(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """A CDR that became visible after its window was exported: verify counts it missing."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    emulator.set_faults(late_call_next=1)
    result = await verify_file(zt, out, concurrency=1)
    assert result.missing == 1
    assert result.extra == 0
    assert result.expected == 3001
    assert not result.ok
    assert [d.expected - d.found for d in result.days if not d.ok] == [1]
