"""sync_once on SQLite files and a real PostgreSQL: every call exactly once, run after run."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from zentrunk_async import CallRecord, InvalidArgumentError, ZentrunkClient
from zentrunk_async.emulator import Emulator
from zentrunk_async.sync import SCHEMA_VERSION, Store, SyncKey, open_store, sync_key, sync_once

from .truth import api_calls, stored_calls

pytestmark = pytest.mark.anyio

NO_SETTLE = timedelta(0)


async def assert_exactly_once(zt: ZentrunkClient, store: Store, since: datetime, until: datetime):  # type: ignore[no-untyped-def]
    truth = await api_calls(zt, since, until)
    stored = await stored_calls(store, since, until)
    assert len(stored) == len(set(stored))
    assert sorted(stored) == sorted(truth)
    return truth


async def test_first_run_pulls_every_retained_call(zt: ZentrunkClient, store: Store) -> None:
    """No watermark yet: back to the 90-day edge; the store then equals the API's listing."""
    summary = await sync_once(zt, store, settle=NO_SETTLE)
    assert summary.written == 3000
    assert summary.complete
    assert summary.watermark is not None
    assert summary.coverage[-1][1] == summary.watermark
    truth = await assert_exactly_once(zt, store, summary.since, summary.watermark)
    assert len(truth) == 3000
    assert summary.retention_warning is None


async def test_next_run_pulls_only_what_is_new(
    zt: ZentrunkClient, store: Store, emulator: Emulator
) -> None:
    """A second run asks for the lookback and the new calls only, and stores each once."""
    first = await sync_once(zt, store, settle=NO_SETTLE)
    emulator.calls.add_calls([time.time() - 2] * 150)
    second = await sync_once(zt, store, settle=NO_SETTLE, lookback=timedelta(minutes=5))
    assert second.requests < first.requests / 10
    assert second.written >= 150
    assert second.watermark is not None
    assert first.watermark is not None
    assert second.watermark >= first.watermark
    truth = await assert_exactly_once(zt, store, first.since, second.watermark)
    assert len(truth) == 3150


async def test_a_re_pulled_call_replaces_itself(zt: ZentrunkClient, store: Store) -> None:
    """The lookback pulls calls again; the row count does not move."""
    first = await sync_once(zt, store, settle=NO_SETTLE)
    second = await sync_once(zt, store, settle=NO_SETTLE, lookback=timedelta(days=30))
    assert second.written > 500  # a month of calls pulled again ...
    uuids = await store.call_uuids()
    assert len(uuids) == len(set(uuids)) == first.written  # ... and nothing doubled


async def test_drift_and_faults_lose_and_double_nothing(
    zt: ZentrunkClient, store: Store, emulator: Emulator
) -> None:
    """New calls landing mid-pull, 5xx, 429s, dropped connections: still each call once."""
    emulator.set_faults(
        drift_per_second=300, error_rate=0.03, drop_rate=0.02, rate_limit_burst=2, seed=9
    )
    first = await sync_once(zt, store, settle=NO_SETTLE, max_shard_records=400, concurrency=8)
    emulator.calls.add_calls([time.time() - 1] * 100)  # landed between the runs
    second = await sync_once(zt, store, settle=NO_SETTLE, max_shard_records=400, concurrency=8)
    assert emulator.stats_dict()["drifted_calls"] > 0
    assert sum(emulator.stats_dict()["faults"].values()) > 0
    assert second.watermark is not None
    emulator.clear_faults()
    truth = await assert_exactly_once(zt, store, first.since, second.watermark)
    assert len(truth) >= 3100


async def test_an_interrupted_first_run_is_completed_by_the_next(
    zt: ZentrunkClient, store: Store, emulator: Emulator
) -> None:
    """A first run that dies after some shards leaves only whole shards; the next fills the rest."""
    from zentrunk_async import APIStatusError

    pages = [0]

    def break_midway(_: object) -> None:
        pages[0] += 1
        if pages[0] == 40:
            emulator.set_faults(error_rate=1.0)

    with pytest.raises(APIStatusError):
        await sync_once(
            zt, store, settle=NO_SETTLE, max_shard_records=300, on_progress=break_midway
        )
    key = sync_key(zt)
    partial = await store.intervals(key)
    assert partial  # some shards were committed, with their rows
    assert 0 < len(await store.call_uuids()) < 3000
    emulator.clear_faults()
    summary = await sync_once(zt, store, settle=NO_SETTLE, max_shard_records=300)
    assert summary.watermark is not None
    assert len(summary.coverage) == 1
    await assert_exactly_once(zt, store, summary.since, summary.watermark)
    assert len(await store.call_uuids()) == 3000


async def test_each_filter_set_has_its_own_watermark(zt: ZentrunkClient, store: Store) -> None:
    """An inbound-only sync does not count as an unfiltered one; both share the calls table."""
    inbound = await sync_once(zt, store, settle=NO_SETTLE, call_direction="inbound")
    assert await store.intervals(sync_key(zt)) == []
    assert await store.intervals(sync_key(zt, call_direction="inbound")) == inbound.coverage
    everything = await sync_once(zt, store, settle=NO_SETTLE)
    assert 0 < inbound.written < everything.written == 3000
    assert len(await store.call_uuids()) == 3000


async def test_bad_arguments_fail_before_any_request(
    zt: ZentrunkClient, store: Store, emulator: Emulator
) -> None:
    """A naive since, a negative settle or an unknown filter value: refused, nothing sent."""
    with pytest.raises(ValueError):  # noqa: PT011
        await sync_once(zt, store, since=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="negative"):
        await sync_once(zt, store, settle=timedelta(seconds=-1))
    with pytest.raises(InvalidArgumentError):
        await sync_once(zt, store, call_direction="sideways")
    assert emulator.stats_dict()["requests"] == 0


async def test_columns_are_typed_and_unknown_fields_kept(store: Store) -> None:
    """Times UTC, money exact, booleans, and a field the API adds later kept in `extra`."""
    record = CallRecord(
        call_uuid="c0ffee00-0000-4000-8000-000000000001",
        from_number="+14155550100",
        to_number="+919900000000",
        call_direction="outbound",
        call_duration=61,
        bill_duration=120,
        end_time=datetime(2026, 9, 18, 8, 52, 26, tzinfo=timezone.utc),
        answer_time=datetime(2026, 9, 18, 8, 51, 25, tzinfo=timezone.utc),
        total_amount=Decimal("0.03601"),
        srtp=True,
        trunk_domain="42741122632602585.zt.plivo.com",
        extra={"carbon_grams": 3},
    )
    key = SyncKey("MA1")
    start = datetime(2026, 9, 18, tzinfo=timezone.utc)
    await store.commit_shard(key, [record], (start, start + timedelta(days=1)))
    (row,) = await store.fetch(
        "SELECT end_time, total_amount, srtp, trunk_id, extra, auth_id FROM calls"
    )
    assert row["trunk_id"] == "42741122632602585"
    assert row["auth_id"] == "MA1"
    if store.dialect == "sqlite":
        assert row["end_time"] == "2026-09-18 08:52:26"
        assert row["total_amount"] == "0.03601"
        assert row["srtp"] == 1
        assert json.loads(row["extra"]) == {"carbon_grams": 3}
    else:
        assert row["end_time"] == record.end_time
        assert row["total_amount"] == Decimal("0.03601")
        assert row["srtp"] is True
        assert row["extra"] == {"carbon_grams": 3}
    assert await store.intervals(key) == [(start, start + timedelta(days=1))]


async def test_an_older_schema_is_migrated_on_open(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store left at schema 1 by an older package opens at the current version, rows intact."""
    from zentrunk_async.sync import _sqlbase

    monkeypatch.setattr(_sqlbase, "MIGRATIONS", _sqlbase.MIGRATIONS[:1])
    monkeypatch.setattr(_sqlbase, "SCHEMA_VERSION", 1)
    key = SyncKey("MA1")
    start = datetime(2026, 9, 18, tzinfo=timezone.utc)
    async with open_store(store_url) as old:
        assert await old.schema_version() == 1
        await old.commit_shard(key, [], (start, start + timedelta(hours=1)))
        tables = await old.fetch("SELECT count(*) AS n FROM calls")
        assert tables[0]["n"] == 0
    monkeypatch.undo()
    async with open_store(store_url) as new:
        assert await new.schema_version() == SCHEMA_VERSION >= 2
        assert await new.intervals(key) == [(start, start + timedelta(hours=1))]
        causes = await new.fetch("SELECT name FROM hangup_causes WHERE code = 4550")
        assert causes == [{"name": "user_cancelled"}]
        assert await new.fetch("SELECT * FROM report_daily_trunk") == []


async def test_a_newer_schema_is_refused(store_url: str) -> None:
    """A store written by a newer package is not touched."""
    from zentrunk_async.sync import SchemaTooNewError

    async with open_store(store_url) as store:
        p = "?" if store.dialect == "sqlite" else "%s"
        await store._run(_insert_version, store, p)  # type: ignore[attr-defined]
    with pytest.raises(SchemaTooNewError, match="upgrade"):
        async with open_store(store_url):
            pass


def _insert_version(store: object, p: str) -> None:
    conn = store._conn  # type: ignore[attr-defined]
    conn.cursor().execute(
        f"INSERT INTO zentrunk_schema (version, description, applied_at) VALUES ({p}, {p}, {p})",
        (SCHEMA_VERSION + 1, "from the future", "2099-01-01"),
    )
    conn.commit()
