"""export_to_file: formats, atomic results, manifests, and what a finished export leaves."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from zentrunk_async import CallRecord, InvalidArgumentError, ZentrunkClient
from zentrunk_async._convert import converter
from zentrunk_async.emulator import Emulator
from zentrunk_async.export import (
    CSV_COLUMNS,
    CheckpointExistsError,
    ExportInProgressError,
    export_to_file,
)

from .conftest import every_call

pytestmark = pytest.mark.anyio


def jsonl_uuids(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines()]


async def test_jsonl_holds_each_call_in_wire_format(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """One JSON object per line, decodable back into the same CallRecord; nothing left over."""
    out = tmp_path / "calls.jsonl"
    summary = await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=500)
    lines = out.read_text().splitlines()
    assert summary.records == len(lines) == 3000
    assert summary.pages >= 150
    assert summary.requests >= summary.pages
    assert not summary.resumed
    assert summary.complete
    assert summary.shards >= 6  # split at 500 calls: every shard was checked on its own
    first = converter.structure(json.loads(lines[0]), CallRecord)
    assert converter.unstructure(first) == json.loads(lines[0])
    assert set(jsonl_uuids(out)) == set(await every_call(zt, span))
    # Atomic result: no partial file, no checkpoint (not asked to keep it), a manifest.
    assert not (tmp_path / "calls.jsonl.part").exists()
    assert not (tmp_path / "calls.jsonl.checkpoint.json").exists()
    assert (tmp_path / "calls.jsonl.manifest.json").exists()
    assert summary.checkpoint_path is None
    assert summary.manifest_path == tmp_path / "calls.jsonl.manifest.json"


async def test_manifest_names_account_window_and_filters(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    summary = await export_to_file(zt, out, since=span[0], until=span[1], call_direction="inbound")
    manifest = json.loads((tmp_path / "calls.jsonl.manifest.json").read_text())
    assert manifest["auth_id"] == zt.auth_id
    assert manifest["filters"] == {"call_direction": "inbound"}
    assert manifest["until"] == span[1].isoformat()
    assert manifest["records"] == summary.records == len(out.read_text().splitlines())
    assert manifest["bytes"] == out.stat().st_size
    assert "token" not in json.dumps(manifest).lower()


async def test_csv_has_a_header_and_one_row_per_call(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """CSV (from the extension): the documented CDR columns plus `extra`, JSON spellings."""
    out = tmp_path / "calls.csv"
    await export_to_file(zt, out, since=span[0], until=span[1])
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [*CSV_COLUMNS, "extra"]
    assert len(rows) == len({row["call_uuid"] for row in rows}) == 3000
    assert {row["srtp"] for row in rows} <= {"true", "false"}


@pytest.mark.parametrize("name", ["calls.jsonl.gz", "calls.csv.gz"])
async def test_gz_extension_compresses(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path, name: str
) -> None:
    """``.jsonl.gz`` / ``.csv.gz``: an ordinary gzip file (one member per shard)."""
    out = tmp_path / name
    await export_to_file(zt, out, since=span[0], until=span[1], max_shard_records=700)
    text = gzip.decompress(out.read_bytes()).decode()
    if name.startswith("calls.csv"):
        rows = list(csv.DictReader(text.splitlines()))
        uuids = [row["call_uuid"] for row in rows]
    else:
        uuids = [json.loads(line)["call_uuid"] for line in text.splitlines()]
    assert len(uuids) == len(set(uuids)) == 3000
    assert json.loads((tmp_path / f"{name}.manifest.json").read_text())["format"] == name[6:]


async def test_format_given_wins_over_the_extension(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.txt"
    await export_to_file(zt, out, since=span[0], until=span[1], format="csv")
    assert out.read_text().startswith("call_uuid,")
    with pytest.raises(InvalidArgumentError, match="format must be one of"):
        await export_to_file(zt, tmp_path / "x", since=span[0], until=span[1], format="xml")


async def test_a_checkpoint_without_resume_stops_and_asks(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """A partial export is never thrown away silently: resume or restart must be asked."""
    out = tmp_path / "calls.jsonl"
    checkpoint = tmp_path / "calls.jsonl.checkpoint.json"
    await export_to_file(zt, out, since=span[0], until=span[1], keep_checkpoint=True)
    assert checkpoint.exists()
    before = emulator.stats_dict()["requests"]
    with pytest.raises(CheckpointExistsError, match=r"--resume.*--restart"):
        await export_to_file(zt, out, since=span[0], until=span[1])
    assert emulator.stats_dict()["requests"] == before
    summary = await export_to_file(zt, out, since=span[0], until=span[1], restart=True)
    assert summary.records == len(set(jsonl_uuids(out))) == 3000
    assert not checkpoint.exists()
    with pytest.raises(InvalidArgumentError, match="exclude"):
        await export_to_file(zt, out, since=span[0], resume=True, restart=True)


async def test_resume_of_a_finished_export_changes_nothing(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """A completed export (checkpoint kept) resumed again pulls nothing, keeps the file."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1], keep_checkpoint=True)
    before = out.read_bytes()
    summary = await export_to_file(zt, out, resume=True)
    assert out.read_bytes() == before
    assert summary.records == 3000
    assert summary.requests == 0
    assert not (tmp_path / "calls.jsonl.checkpoint.json").exists()


async def test_resume_without_a_checkpoint_starts_and_says_so(
    zt: ZentrunkClient, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    notices: list[str] = []
    summary = await export_to_file(
        zt, out, since=span[0], until=span[1], resume=True, on_notice=notices.append
    )
    assert summary.records == 3000
    assert any("no checkpoint" in n for n in notices)
    with pytest.raises(InvalidArgumentError, match="nothing to resume"):
        await export_to_file(zt, tmp_path / "other.jsonl", resume=True)


async def test_resume_alone_of_a_finished_export_is_a_no_op(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Killed after the rename (or a script that always resumes): nothing to do, said so."""
    out = tmp_path / "calls.jsonl"
    await export_to_file(zt, out, since=span[0], until=span[1])
    before = emulator.stats_dict()["requests"]
    notices: list[str] = []
    summary = await export_to_file(zt, out, resume=True, on_notice=notices.append)
    assert emulator.stats_dict()["requests"] == before
    assert summary.records == 3000
    assert summary.requests == 0
    assert notices == [f"{out} is already a complete export (see its manifest): nothing to resume"]


async def test_a_second_export_of_the_same_file_is_refused_while_one_runs(
    zt: ZentrunkClient, emulator: Emulator, span: tuple[datetime, datetime], tmp_path: Path
) -> None:
    """Overlapping runs (a nightly job still going) would both append: the second stops."""
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "calls.jsonl"
    lock = tmp_path / "calls.jsonl.lock"
    with lock.open("w") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        before = emulator.stats_dict()["requests"]
        with pytest.raises(ExportInProgressError, match=r"another export is writing calls\.jsonl"):
            await export_to_file(zt, out, since=span[0], until=span[1])
        assert emulator.stats_dict()["requests"] == before
        assert not (tmp_path / "calls.jsonl.checkpoint.json").exists()
    lock.unlink()
    await export_to_file(zt, out, since=span[0], until=span[1])
    assert not lock.exists()
