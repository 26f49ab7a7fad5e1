"""Reports: figures by hand on a few CDRs, the same figures from a seeded emulator, and views."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from zentrunk_async import CallRecord, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.sync import (
    REPORT_VIEWS,
    Store,
    SyncKey,
    report,
    sync_once,
    top_hangup_causes,
)

from .conftest import client_for

pytestmark = pytest.mark.anyio

DAY1 = datetime(2026, 9, 18, tzinfo=timezone.utc)
DAY2 = DAY1 + timedelta(days=1)
T1 = "11111111111111111.zt.plivo.com"
T2 = "22222222222222222.zt.plivo.com"


def cdr(
    n: int, end: datetime, duration: int, amount: str, trunk: str, code: int, **kw: Any
) -> CallRecord:
    return CallRecord(
        call_uuid=f"00000000-0000-4000-8000-{n:012d}",
        from_number="+14155550100",
        to_number="+919900000000",
        call_direction="outbound",
        call_duration=duration,
        bill_duration=-(-duration // 60) * 60,
        end_time=end,
        answer_time=end - timedelta(seconds=duration) if duration else None,
        total_amount=Decimal(amount),
        trunk_domain=trunk,
        hangup_cause_code=code,
        hangup_cause_name=kw.pop("name", "normal_hangup"),
        to_country=kw.pop("to_country", "IN"),
        **kw,
    )


#: Day 1, trunk 1: three calls, two answered (30 s and 61 s), one busy.
#: Day 1, trunk 2: one answered call of 120 s.  Day 2, trunk 1: one cancelled call.
HAND = [
    cdr(1, DAY1 + timedelta(hours=1), 30, "0.01800", T1, 3000),
    cdr(2, DAY1 + timedelta(hours=2), 61, "0.03600", T1, 3010, to_country="US"),
    cdr(3, DAY1 + timedelta(hours=3), 0, "0.00000", T1, 4410, name="user_busy"),
    cdr(4, DAY1 + timedelta(hours=4), 120, "0.00561", T2, 3000),
    cdr(5, DAY2 + timedelta(hours=5), 0, "0.00000", T1, 4550, name="customer_cancelled"),
]


@pytest.fixture
async def hand_store(store: Store) -> Store:
    await store.commit_shard(SyncKey("MA1"), HAND, (DAY1, DAY2 + timedelta(days=1)))
    return store


async def test_figures_match_a_hand_computation(hand_store: Store) -> None:
    """calls, answered, ASR, ACD, billed minutes and cost per day and trunk, worked out by hand."""
    rows = [r.as_dict(("day", "trunk")) for r in await report(hand_store)]
    assert rows == [
        {
            "day": "2026-09-18",
            "trunk_id": "11111111111111111",
            "calls": 3,
            "answered": 2,
            "asr": round(2 / 3, 6),
            "acd": 45.5,  # (30 + 61) / 2
            "billed_minutes": 3.0,  # 60 + 120 + 0 seconds
            "cost": "0.05400",
        },
        {
            "day": "2026-09-18",
            "trunk_id": "22222222222222222",
            "calls": 1,
            "answered": 1,
            "asr": 1.0,
            "acd": 120.0,
            "billed_minutes": 2.0,
            "cost": "0.00561",
        },
        {
            "day": "2026-09-19",
            "trunk_id": "11111111111111111",
            "calls": 1,
            "answered": 0,
            "asr": 0.0,
            "acd": None,
            "billed_minutes": 0.0,
            "cost": "0.00000",
        },
    ]


async def test_groupings_bounds_and_cause_names(hand_store: Store) -> None:
    """By country, by cause (with Zentrunk's documented names), and a since/until window."""
    by_country = {r.country: r.calls for r in await report(hand_store, by=("country",))}
    assert by_country == {"IN": 4, "US": 1}
    day2 = await report(hand_store, since=DAY2, until=DAY2 + timedelta(days=1), by=("day",))
    assert [(r.day, r.calls) for r in day2] == [("2026-09-19", 1)]
    causes = await top_hangup_causes(hand_store, limit=3)
    assert [(c.code, c.name, c.calls) for c in causes] == [
        (3000, "normal_hangup", 2),
        (3010, "normal_hangup", 1),
        (4410, "user_busy", 1),
    ]
    assert causes[0].share == pytest.approx(0.4)
    by_cause = {
        r.hangup_cause_code: r.hangup_cause_name for r in await report(hand_store, by=("cause",))
    }
    # The CDR says customer_cancelled; the docs name code 4550 user_cancelled (§13.2).
    assert by_cause[4550] == "user_cancelled"
    with pytest.raises(ValueError, match="unknown grouping"):
        await report(hand_store, by=("weekday",))


async def test_views_hold_the_same_figures(hand_store: Store) -> None:
    """Each SQL view is the report's own query: a BI tool reading it sees the same rows."""
    for view, by in REPORT_VIEWS.items():
        from_view = await hand_store.fetch(f"SELECT * FROM {view}")
        rows = [r.as_dict(by) for r in await report(hand_store, by=by)]
        assert len(from_view) == len(rows)
        for viewed, row in zip(from_view, rows, strict=True):
            assert viewed["calls"] == row["calls"]
            assert str(viewed["cost"]) == row["cost"]
            assert float(viewed["asr"]) == pytest.approx(row["asr"])


async def test_a_seeded_emulator_reports_what_its_cdrs_add_up_to(store: Store) -> None:
    """Sync a small seeded account; recompute every day/trunk figure from its raw CDRs."""
    emulator = Emulator(EmulatorConfig(calls=300, seed=21, rate_limit_requests=None))
    async with client_for(emulator) as zt:
        summary = await sync_once(zt, store, settle=timedelta(0))
        assert summary.watermark is not None
        expected = await hand_report(zt, summary.since, summary.watermark)
    rows = {(r.day, r.trunk_id): r for r in await report(store)}
    assert set(rows) == set(expected)
    for group, figures in expected.items():
        row = rows[group]
        assert row.calls == figures["calls"]
        assert row.answered == figures["answered"]
        assert row.asr == pytest.approx(figures["answered"] / figures["calls"])
        if figures["answered"]:
            assert row.acd == pytest.approx(figures["talk"] / figures["answered"])
        assert row.billed_minutes == pytest.approx(figures["billed"] / 60)
        assert row.cost == figures["cost"]


async def hand_report(zt: ZentrunkClient, since: datetime, until: datetime) -> dict[Any, Any]:
    groups: dict[Any, Any] = defaultdict(
        lambda: {"calls": 0, "answered": 0, "talk": 0, "billed": 0, "cost": Decimal(0)}
    )
    async for c in zt.calls.list(end_time__gte=since, end_time__lt=until):
        assert c.end_time is not None
        assert c.trunk_domain is not None
        g = groups[(c.end_time.strftime("%Y-%m-%d"), c.trunk_domain.split(".")[0])]
        g["calls"] += 1
        if c.answer_time is not None or c.call_duration > 0:
            g["answered"] += 1
            g["talk"] += c.call_duration
        g["billed"] += c.bill_duration
        g["cost"] += c.total_amount or 0
    return dict(groups)
