"""Numbers, export verification, sync and fleets are typed for users as the design promises."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from typing_extensions import assert_type

from zentrunk_async import Number, NumberUpdated, Pager, TrunkInUseError, ZentrunkClient
from zentrunk_async.export import VerifyResult, verify_file
from zentrunk_async.fleet import (
    Account,
    AccountResult,
    AccountWork,
    ExportJob,
    FleetSummary,
    SyncJob,
    load_accounts,
    run_fleet,
)
from zentrunk_async.sync import ReportRow, Store, SyncSummary, open_store, report, sync_once

SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def numbers(zt: ZentrunkClient, trunk_id: str) -> None:
    assert_type(zt.numbers.list(), Pager[Number])
    async for listed in zt.numbers.list(services=["voice"]):
        assert_type(listed, Number)
    number = await zt.numbers.get("+14155551234")
    assert_type(number.trunk_id, str | None)
    assert_type(number.active, bool | None)
    assert_type(await zt.trunks.route_number("+14155551234", trunk_id), NumberUpdated)
    assert_type(await zt.trunks.unroute_number("+14155551234"), NumberUpdated)
    async for routed in zt.trunks.numbers(trunk_id):
        assert_type(routed, Number)
    try:
        await zt.trunks.delete(trunk_id, if_unrouted=True)
    except TrunkInUseError as error:
        assert_type(error.trunk_id, str)
    await zt.numbers.get(14155551234)  # type: ignore[arg-type]


async def verify(zt: ZentrunkClient) -> None:
    result = await verify_file(zt, "calls.jsonl")
    assert_type(result, VerifyResult)
    assert_type(result.ok, bool)
    assert_type(result.missing, int)
    assert_type(result.extra, int)
    await verify_file(zt, "calls.jsonl", since="2026-01-01")  # type: ignore[arg-type]


async def sync(zt: ZentrunkClient) -> None:
    async with open_store("sqlite:///cdrs.db") as store:
        assert_type(store, Store)
        summary = await sync_once(zt, store, settle=timedelta(minutes=2))
        assert_type(summary, SyncSummary)
        assert_type(summary.written, int)
        rows = await report(store, by=("day", "trunk"))
        assert_type(rows, list[ReportRow])
        assert_type(rows[0].cost, Decimal)
        await sync_once(zt, store, settle=120)  # type: ignore[arg-type]


async def fleet() -> None:
    accounts = load_accounts("accounts.json")
    assert_type(accounts, list[Account])
    work = [AccountWork(account, since=SINCE) for account in accounts]
    summary = await run_fleet(work, ExportJob(out_dir="cdrs"), max_accounts=8)
    assert_type(summary, FleetSummary)
    assert_type(summary.failed, tuple[AccountResult, ...])
    synced = await run_fleet(work, SyncJob(db="sqlite:///cdrs.db"))
    assert_type(synced.records, int)
