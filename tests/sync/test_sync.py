"""sync_once on SQLite files and a real PostgreSQL: every call exactly once, run after run."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from zentrunk_async import CallRecord, InvalidArgumentError, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.sync import (
    SCHEMA_VERSION,
    Store,
    SyncKey,
    SyncSummary,
    open_store,
    sync_key,
    sync_once,
)

from .conftest import client_for
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


class SteppedClock:
    """The emulator's epoch seconds, moved only by the test (and by each page pulled)."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def moment(self) -> datetime:
        return datetime.fromtimestamp(self.now, timezone.utc)


async def test_drift_and_faults_lose_and_double_nothing(store: Store) -> None:
    """New calls landing mid-pull, 5xx, 429s, dropped connections: still each call once.

    The emulator runs on a clock an hour behind the real one that moves 10 ms
    per page pulled: calls drift in mid-pull however fast the machine is, and
    each run gets an explicit `until` (in the client's past, so never clamped)
    at the emulator's "now". (On the real clock a run stops at the start of
    the second it starts in, so calls that landed earlier in that second are
    left, uncovered, to the next run: whether they count here would depend on
    how fast the first run was.)
    """
    clock = SteppedClock(float(int(time.time()) - 3600))
    emulator = Emulator(EmulatorConfig(calls=3000, seed=11, rate_limit_requests=None), clock=clock)
    emulator.set_faults(
        drift_per_second=300, error_rate=0.03, drop_rate=0.02, rate_limit_burst=2, seed=9
    )

    def step(_: object) -> None:
        clock.now += 0.01

    async with client_for(emulator) as zt:
        first_until = clock.moment()  # every drifted call ends after it
        first = await pull(zt, store, first_until, step)
        drifted_in_first = emulator.stats_dict()["drifted_calls"]
        emulator.add_calls(100)  # landed between the runs
        clock.now = float(int(clock.now) + 1)  # the next whole second: after all of them
        emulator.tick()  # the drift due by then lands before the second run starts
        landed = emulator.stats_dict()["drifted_calls"]
        second_until = clock.moment()
        second = await pull(zt, store, second_until, step)
        assert drifted_in_first > 0
        assert sum(emulator.stats_dict()["faults"].values()) > 0
        assert (first.watermark, second.watermark) == (first_until, second_until)
        assert first.complete
        assert second.complete
        emulator.clear_faults()
        truth = await assert_exactly_once(zt, store, first.since, second_until)
        # Everything that landed before the second run (100 added among them) but
        # a call ending exactly on its bound (half-open); nothing that landed during it.
        assert 3000 + landed - 1 <= len(truth) <= 3000 + landed


async def pull(
    zt: ZentrunkClient, store: Store, until: datetime, step: Callable[[object], None]
) -> SyncSummary:
    return await sync_once(
        zt,
        store,
        until=until,
        settle=NO_SETTLE,
        max_shard_records=400,
        concurrency=8,
        on_progress=step,
    )


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
    with pytest.raises(InvalidArgumentError, match="nothing to sync"):
        await sync_once(zt, store, since=datetime.now(timezone.utc) + timedelta(hours=1))
    assert await store.origin(sync_key(zt)) is None
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


async def test_report_queries_use_the_end_time_indexes(store: Store) -> None:
    """A report over a time range reads an index on end_time, not the whole table."""
    from zentrunk_async.sync._dialect import DIALECTS
    from zentrunk_async.sync._report import report_sql

    dialect = DIALECTS[store.dialect]
    p = dialect.param
    sql = report_sql(dialect, ("day", "trunk"), [f"c.end_time >= {p}", f"c.end_time < {p}"])
    bounds: list[object] = (
        ["2026-09-01 00:00:00", "2026-09-02 00:00:00"]
        if store.dialect == "sqlite"
        else [datetime(2026, 9, 1, tzinfo=timezone.utc), datetime(2026, 9, 2, tzinfo=timezone.utc)]
    )
    if store.dialect == "sqlite":
        rows = await store.fetch(f"EXPLAIN QUERY PLAN {sql}", bounds)
        plan = " ".join(str(r["detail"]) for r in rows)
    else:
        plan = await store._run(_pg_plan, store, sql, bounds)  # type: ignore[attr-defined]
    assert "calls_end_time" in plan


def _pg_plan(store: object, sql: str, bounds: list[object]) -> str:
    """EXPLAIN with sequential scans off: on an empty table the planner would pick one."""
    conn = store._conn  # type: ignore[attr-defined]
    try:
        cur = conn.cursor()
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"EXPLAIN {sql}", bounds)
        return " ".join(row[0] for row in cur.fetchall())
    finally:
        conn.rollback()


async def test_windows_that_never_match_their_count_are_pulled_next_run(
    zt: ZentrunkClient, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IncompleteExportError at the end: the good shards stay committed, the residue
    window stays uncovered (the watermark stops before it), and the next run pulls it."""
    from zentrunk_async.export import IncompleteExportError, Residue

    real_export = zt.calls.export
    held_back: list[Any] = []

    class FlakyWindow:
        """The real export, except that its oldest shard 'never matches its count'."""

        def __init__(self, export: Any) -> None:
            self._export = export
            self.params = export.params
            self.progress = export.progress

        async def batches(self) -> AsyncIterator[Any]:
            batches = [b async for b in self._export.batches()]
            oldest = min(batches, key=lambda b: b.shard.start)
            held_back.append(oldest.shard)
            for batch in batches:
                if batch is not oldest:
                    yield batch
            self.progress = self._export.progress
            residue = Residue(oldest.shard.start, oldest.shard.end, len(oldest.records) + 1, 0)
            raise IncompleteExportError([residue], exported=sum(len(b.records) for b in batches))

    monkeypatch.setattr(zt.calls, "export", lambda *a, **kw: FlakyWindow(real_export(*a, **kw)))
    first = await sync_once(zt, store, settle=NO_SETTLE, max_shard_records=500)
    assert not first.complete
    assert first.residues[0].since == held_back[0].start
    # Nothing after the hole counts as safe, and the hole is at the retention edge: alarm.
    assert first.watermark == first.since < held_back[0].end
    assert first.retention_warning is not None
    assert 0 < first.written < 3000
    monkeypatch.undo()
    second = await sync_once(zt, store, settle=NO_SETTLE, max_shard_records=500)
    assert second.complete
    assert second.written >= 3000 - first.written
    assert len(second.coverage) == 1
    assert len(await store.call_uuids()) == 3000
