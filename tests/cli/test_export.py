"""``zentrunk calls export`` and ``calls verify``: files, refusals, notes, exit codes."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import AsyncGenerator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from zentrunk_async._export.runner import Export
from zentrunk_async.cli import _export
from zentrunk_async.export import IncompleteExportError, Residue, ShardBatch
from zentrunk_async.testing import EmulatorServer

from .conftest import Invoke

pytestmark = pytest.mark.zentrunk_emulator(calls=400, rate_limit_requests=None)

SINCE = "89d"


def uuids(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines()]


def crash_state(out: Path, keep_shards: int) -> None:
    """What a kill -9 mid-export leaves: a partial file with a torn tail, a shorter journal."""
    journal = out.with_name(out.name + ".checkpoint.json")
    lines = journal.read_text().splitlines()
    journal.write_text("\n".join(lines[: 1 + keep_shards]) + "\n")
    out.rename(out.with_name(out.name + ".part"))


def test_export_jsonl_with_summary(zentrunk: Invoke, tmp_path: Path) -> None:
    """Every call lands in the file once; the summary names the checks, pages and rate."""
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", SINCE, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(uuids(out)) == len(set(uuids(out))) == 400
    assert f"Exported 400 calls to {out}" in result.stdout
    assert "matched the API's total_count" in result.stdout
    assert "the API counted 400" in result.stdout
    assert "zentrunk calls verify" in result.stdout
    assert "records/s" in result.stdout
    assert "Exporting" in result.stderr  # the progress bar goes to stderr
    assert not (tmp_path / "calls.jsonl.checkpoint.json").exists()


def test_export_csv_json_summary(zentrunk: Invoke, tmp_path: Path) -> None:
    """The .csv extension picks CSV; --json prints the summary as JSON."""
    out = tmp_path / "calls.csv"
    result = zentrunk(
        "calls", "export", "--since", SINCE, "--until", "now", "--out", str(out), "--json"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["records"] == 400
    assert summary["path"] == str(out)
    assert summary["resumed"] is False
    assert summary["shards_checked"] >= 1
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 400


def test_export_jsonl_gz_by_extension(zentrunk: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "calls.jsonl.gz"
    result = zentrunk("calls", "export", "--since", SINCE, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert len(gzip.decompress(out.read_bytes()).decode().splitlines()) == 400
    assert zentrunk("calls", "verify", str(out)).exit_code == 0


def test_export_to_stdout_says_there_is_no_checkpoint(zentrunk: Invoke, tmp_path: Path) -> None:
    result = zentrunk("calls", "export", "--since", SINCE, "--out", "-", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len({json.loads(line)["call_uuid"] for line in lines}) == len(lines) == 400
    assert "no checkpoint" in result.stderr
    assert "Exported 400 calls to standard output" in result.stderr
    refused = zentrunk("calls", "export", "--since", SINCE, "--out", "-", "--resume")
    assert refused.exit_code == 2


def test_clamped_since_is_announced(zentrunk: Invoke, tmp_path: Path) -> None:
    """A --since past the 90-day retention is moved, and the CLI says so (and prints it)."""
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", "2000-01-01", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert "note: since 2000-01-01" in result.stderr
    assert "retention" in result.stderr
    summary = json.loads(result.stdout)
    assert summary["since"] != "2000-01-01T00:00:00Z"
    assert summary["adjustments"]


def test_filters_and_settle(
    zentrunk: Invoke, zentrunk_emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    """Every list filter is an export flag; the file holds exactly what the API lists."""
    out = tmp_path / "calls.jsonl"
    argv = ("--call-direction", "inbound", "--bill-duration-gt", "30", "--settle", "5")
    result = zentrunk("calls", "export", "--since", SINCE, "--out", str(out), *argv)
    assert result.exit_code == 0, result.output
    listed = zentrunk(
        "calls",
        "list",
        "--since",
        SINCE,
        "--call-direction",
        "inbound",
        "--max-items",
        "1000",
        "--json",
    )
    expected = {c["call_uuid"] for c in json.loads(listed.stdout) if c["bill_duration"] > 30}
    assert set(uuids(out)) == expected
    assert len(uuids(out)) == len(expected) > 0
    manifest = json.loads((tmp_path / "calls.jsonl.manifest.json").read_text())
    assert manifest["filters"] == {"call_direction": "inbound", "bill_duration__gt": "30"}


def test_export_refuses_an_empty_window(zentrunk: Invoke, tmp_path: Path) -> None:
    result = zentrunk(
        "calls", "export", "--since", "now", "--until", "1d", "--out", str(tmp_path / "x")
    )
    assert result.exit_code == 2
    assert zentrunk("calls", "export", "--out", str(tmp_path / "x")).exit_code == 2


def test_export_interrupted_prints_resume_hint(
    zentrunk: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C before any checkpoint: exit 130 and a command with absolute bounds."""

    async def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_export, "_to_file", interrupted)
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", "2024-01-01", "--out", str(out))
    assert result.exit_code == 130
    first, hint = result.stderr.strip().splitlines()[-2:]
    assert first.startswith("zentrunk: error: export interrupted after 0 records")
    assert hint.startswith("resume with: zentrunk --base-url http://127.0.0.1:")
    assert "calls export --since 2024-01-01T00:00:00Z --until 20" in hint
    assert hint.endswith(f"--out {out} --resume")


def test_resume_alone_after_a_crash(zentrunk: Invoke, tmp_path: Path) -> None:
    """After kill -9, ``--out FILE --resume`` is the whole command: the rest is in the
    checkpoint. The file ends with every call exactly once."""
    out = tmp_path / "calls.jsonl"
    argv = ("calls", "export", "--since", SINCE, "--out", str(out), "--max-shard-records", "60")
    assert zentrunk(*argv, "--keep-checkpoint", "--call-direction", "outbound").exit_code == 0
    outbound = set(uuids(out))
    crash_state(out, keep_shards=2)
    with (tmp_path / "calls.jsonl.part").open("a") as handle:
        handle.write('{"call_uuid": "torn')
    result = zentrunk("calls", "export", "--out", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert "(resumed from its checkpoint)" in result.stdout
    assert set(uuids(out)) == outbound
    assert len(uuids(out)) == len(outbound)


def test_resume_with_since_reads_until_from_the_checkpoint(
    zentrunk: Invoke, tmp_path: Path
) -> None:
    out = tmp_path / "calls.jsonl"
    since = (datetime.now(timezone.utc) - timedelta(days=89)).replace(microsecond=0).isoformat()
    until = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    argv = ("calls", "export", "--since", since, "--out", str(out), "--max-shard-records", "60")
    assert zentrunk(*argv, "--until", until, "--keep-checkpoint").exit_code == 0
    crash_state(out, keep_shards=2)
    result = zentrunk(*argv, "--resume")
    assert result.exit_code == 0, result.output
    assert len(set(uuids(out))) == len(uuids(out)) == 400
    other = zentrunk(*argv[:-2], "--resume", "--until", "now")
    assert other.exit_code == 0  # no checkpoint left: a new export, and it says so
    assert "note: no checkpoint" in other.stderr


def test_existing_checkpoint_without_resume_stops(zentrunk: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "calls.jsonl"
    argv = ("calls", "export", "--since", SINCE, "--out", str(out))
    assert zentrunk(*argv, "--keep-checkpoint", "--max-shard-records", "60").exit_code == 0
    crash_state(out, keep_shards=1)
    again = zentrunk(*argv)
    assert again.exit_code == 2
    assert "--resume" in again.stderr
    assert "--restart" in again.stderr
    assert "Exported" not in again.stdout
    restarted = zentrunk(*argv, "--restart")
    assert restarted.exit_code == 0, restarted.output
    assert len(set(uuids(out))) == len(uuids(out)) == 400


@pytest.mark.parametrize("damage", ["delete", "shorten"])
def test_damaged_partial_file_is_refused_then_repaired(
    zentrunk: Invoke, tmp_path: Path, damage: str
) -> None:
    """The issue's cases as written: no success line over a wrong file, --repair fixes it."""
    out = tmp_path / "calls.jsonl"
    part = tmp_path / "calls.jsonl.part"
    argv = ("calls", "export", "--since", SINCE, "--out", str(out), "--max-shard-records", "60")
    assert zentrunk(*argv, "--keep-checkpoint").exit_code == 0
    crash_state(out, keep_shards=4)
    if damage == "delete":
        part.unlink()
    else:
        journal = (tmp_path / "calls.jsonl.checkpoint.json").read_text().splitlines()
        recorded = sum(json.loads(line)["records"] for line in journal[1:])
        # Fewer lines than the checkpoint recorded (keeping more would be a legitimate
        # resume: bytes past the last recorded shard are a crash's leftovers).
        part.write_text("".join(part.read_text().splitlines(keepends=True)[: recorded // 2]))
    refused = zentrunk("calls", "export", "--out", str(out), "--resume")
    assert refused.exit_code == 2
    assert "Exported" not in refused.stdout
    assert "--repair" in refused.stderr
    assert not out.exists()
    if damage == "shorten":
        assert "\0" not in part.read_text()
    repaired = zentrunk("calls", "export", "--out", str(out), "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "shards pulled again" in repaired.stdout
    assert len(set(uuids(out))) == len(uuids(out)) == 400


def test_incomplete_export_finishes_the_rest_and_exits_non_zero(
    zentrunk: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A window whose count never matches: the rest is saved, the window named, exit 3;
    it is not marked done, so a resume pulls it (and only it) again."""
    original = Export.batches

    async def one_window_stays_short(self: Export) -> AsyncGenerator[ShardBatch, None]:
        held: list[ShardBatch] = []
        async for batch in original(self):
            if not held:
                held.append(batch)
                continue
            yield batch
        shard = held[0].shard
        raise IncompleteExportError(
            [Residue(shard.start, shard.end, held[0].expected, held[0].expected - 1)],
            exported=400 - len(held[0].records),
        )

    monkeypatch.setattr(Export, "batches", one_window_stays_short)
    out = tmp_path / "calls.jsonl"
    argv = ("calls", "export", "--since", SINCE, "--out", str(out), "--max-shard-records", "60")
    result = zentrunk(*argv)
    assert result.exit_code == 3
    assert "export incomplete: 1 window(s)" in result.stderr
    assert "retry just those windows with: zentrunk" in result.stderr
    assert "Exported" not in result.stdout
    assert not out.exists()
    monkeypatch.setattr(Export, "batches", original)
    resumed = zentrunk("calls", "export", "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert len(set(uuids(out))) == len(uuids(out)) == 400


def test_verify_complete_and_incomplete(zentrunk: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "calls.jsonl"
    assert zentrunk("calls", "export", "--since", SINCE, "--out", str(out)).exit_code == 0
    ok = zentrunk("calls", "verify", str(out))
    assert ok.exit_code == 0, ok.output
    assert "is complete: 400 calls found, 400 expected" in ok.stdout
    lines = out.read_text().splitlines(keepends=True)
    out.write_text("".join(lines[3:]) + lines[-1])  # three lost, one doubled
    bad = zentrunk("calls", "verify", str(out), "--json")
    assert bad.exit_code == 3
    report = json.loads(bad.stdout)
    assert report["missing"] == 3
    assert report["duplicates"] == 1
    assert report["ok"] is False
    assert "3 missing" in bad.stderr


def test_verify_without_manifest_needs_a_window(zentrunk: Invoke, tmp_path: Path) -> None:
    out = tmp_path / "calls.jsonl"
    assert zentrunk("calls", "export", "--since", SINCE, "--out", str(out)).exit_code == 0
    (tmp_path / "calls.jsonl.manifest.json").unlink()
    assert zentrunk("calls", "verify", str(out)).exit_code == 2
    now = datetime.now(timezone.utc).isoformat()
    wide = zentrunk("calls", "verify", str(out), "--since", SINCE, "--until", now)
    assert wide.exit_code == 0, wide.output


def test_export_bad_credentials_has_no_resume_hint(zentrunk: Invoke, tmp_path: Path) -> None:
    result = zentrunk(
        "calls",
        "export",
        "--since",
        SINCE,
        "--out",
        str(tmp_path / "x.jsonl"),
        env={"PLIVO_AUTH_TOKEN": "wrong-token"},
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip().splitlines()[-1].startswith("zentrunk: error: authentication failed")
    )
    assert "resume with" not in result.stderr


def test_a_phantom_call_exits_3_then_resume_completes(
    zentrunk: Invoke, zentrunk_emulator_server: EmulatorServer, tmp_path: Path
) -> None:
    """The emulator's counted-but-never-listed call: the rest is saved, exit 3 names the
    window and counts; once the API is consistent again, --resume finishes the file."""
    emulator = zentrunk_emulator_server.emulator
    emulator.set_faults(phantom_calls=1)
    out = tmp_path / "calls.jsonl"
    result = zentrunk("calls", "export", "--since", SINCE, "--out", str(out))
    assert result.exit_code == 3
    assert "never matched the API's count" in result.stderr
    assert "listed" in result.stderr
    assert (
        f"retry just those windows with: zentrunk --base-url {zentrunk_emulator_server.base_url}"
        in result.stderr
    )
    assert "Exported" not in result.stdout
    assert not out.exists()
    emulator.clear_faults()
    resumed = zentrunk("calls", "export", "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert len(set(uuids(out))) == len(uuids(out)) == 400
    assert zentrunk("calls", "verify", str(out)).exit_code == 0
