"""The numbers people look at: calls, answered, ASR, ACD, billed minutes and cost per group.

One builder writes the query for any grouping (day, trunk, destination
country, hangup cause). The store keeps the common groupings as SQL views
(`REPORT_VIEWS`), built by this same builder, so a BI tool reading the view
and `report()` reading the table agree to the cent.

Definitions (per group):

- ``calls``: CDRs whose `end_time` falls in the group;
- ``answered``: calls with an `answer_time`, or any talk time (`call_duration` > 0);
- ``asr``: answered / calls (0-1), the answer-seizure ratio;
- ``acd``: mean `call_duration` of answered calls, in seconds (None without any);
- ``billed_minutes``: sum of `bill_duration` / 60;
- ``cost``: sum of `total_amount`, exact (a Decimal; a string in JSON).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ._columns import sqlite_time
from ._dialect import DIALECTS, Dialect
from ._hangup import hangup_meaning

if TYPE_CHECKING:
    from ._store import Store

#: Grouping names (``--by``) and the columns each adds.
DIMENSIONS: dict[str, tuple[str, ...]] = {
    "day": ("day",),
    "trunk": ("trunk_id",),
    "country": ("country",),
    "cause": ("hangup_cause_code", "hangup_cause_name"),
}

#: The views each store carries: name -> grouping.
REPORT_VIEWS: dict[str, tuple[str, ...]] = {
    "report_daily": ("day",),
    "report_daily_trunk": ("day", "trunk"),
    "report_daily_country": ("day", "country"),
    "report_daily_cause": ("day", "cause"),
    "report_causes": ("cause",),
}


@attrs.frozen
class ReportRow:
    """One group of a report; dimensions not grouped on are None."""

    calls: int
    answered: int
    asr: float
    acd: float | None
    billed_minutes: float
    cost: Decimal
    day: str | None = None
    trunk_id: str | None = None
    country: str | None = None
    hangup_cause_code: int | None = None
    hangup_cause_name: str | None = None

    def as_dict(self, by: Sequence[str]) -> dict[str, Any]:
        """The row for JSON/CSV: the grouped dimensions, then the measures (cost as text)."""
        out: dict[str, Any] = {}
        for dimension in by:
            for column in DIMENSIONS[dimension]:
                out[column] = getattr(self, column)
        out.update(
            calls=self.calls,
            answered=self.answered,
            asr=round(self.asr, 6),
            acd=None if self.acd is None else round(self.acd, 3),
            billed_minutes=round(self.billed_minutes, 4),
            cost=str(self.cost),
        )
        return out


@attrs.frozen
class HangupCauseRow:
    """A hangup code, its documented Zentrunk name and meaning, and how often it ended calls."""

    code: int | None
    name: str | None
    meaning: str | None
    calls: int
    share: float


def check_by(by: Sequence[str]) -> tuple[str, ...]:
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown or not by:
        raise ValueError(
            f"unknown grouping {', '.join(unknown) or '(none)'}: use any of "
            f"{', '.join(DIMENSIONS)} (e.g. day,trunk)"
        )
    return tuple(dict.fromkeys(by))


def report_sql(dialect: Dialect, by: Sequence[str], where: Sequence[str] = ()) -> str:
    """The report query for grouping `by`, over ``calls c`` restricted by `where`."""
    inner: list[str] = []
    group: list[str] = []
    outer: list[str] = []
    for dimension in check_by(by):
        if dimension == "day":
            inner.append(f"{dialect.day} AS day")
            group.append(dialect.day)
            outer.append("g.day")
        elif dimension == "trunk":
            inner.append("c.trunk_id AS trunk_id")
            group.append("c.trunk_id")
            outer.append("g.trunk_id")
        elif dimension == "country":
            inner.append("c.to_country AS country")
            group.append("c.to_country")
            outer.append("g.country")
        else:
            inner += [
                "c.hangup_cause_code AS hangup_cause_code",
                "coalesce(min(h.name), min(c.hangup_cause_name)) AS hangup_cause_name",
            ]
            group.append("c.hangup_cause_code")
            outer += ["g.hangup_cause_code", "g.hangup_cause_name"]
    answered = "CASE WHEN c.answer_time IS NOT NULL OR c.call_duration > 0 THEN 1 ELSE 0 END"
    talk = "CASE WHEN c.answer_time IS NOT NULL OR c.call_duration > 0 THEN c.call_duration END"
    inner += [
        "count(*) AS calls",
        f"sum({answered}) AS answered",
        f"avg({dialect.real}{talk}) AS acd",
        "sum(c.bill_duration) AS billed_seconds",
        f"{dialect.cost_units} AS cost_units",
    ]
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return (
        f"SELECT {', '.join(outer)}, g.calls, g.answered, "
        f"{dialect.real}g.answered / g.calls AS asr, g.acd, "
        f"{dialect.real}coalesce(g.billed_seconds, 0) / 60 AS billed_minutes, "
        f"{dialect.cost} AS cost "
        f"FROM (SELECT {', '.join(inner)} FROM calls c "
        f"LEFT JOIN hangup_causes h ON h.code = c.hangup_cause_code{condition} "
        f"GROUP BY {', '.join(group)}) g "
        f"ORDER BY {', '.join(outer)}"
    )


def view_statements(dialect: Dialect) -> list[str]:
    statements = []
    for name, by in REPORT_VIEWS.items():
        statements.append(f"DROP VIEW IF EXISTS {name}")
        statements.append(f"CREATE VIEW {name} AS {report_sql(dialect, by)}")
    return statements


def _bound(dialect: Dialect, moment: datetime) -> Any:
    return sqlite_time(moment) if dialect.name == "sqlite" else moment


async def report(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    by: Sequence[str] = ("day", "trunk"),
    auth_id: str | None = None,
) -> list[ReportRow]:
    """The report of the calls that ended in ``[since, until)`` (all when unbounded)."""
    dialect = DIALECTS[store.dialect]
    p = dialect.param
    where: list[str] = []
    params: list[Any] = []
    if since is not None:
        where.append(f"c.end_time >= {p}")
        params.append(_bound(dialect, since))
    if until is not None:
        where.append(f"c.end_time < {p}")
        params.append(_bound(dialect, until))
    if auth_id is not None:
        where.append(f"c.auth_id = {p}")
        params.append(auth_id)
    rows = await store.fetch(report_sql(dialect, by, where), params)
    return [_row(r) for r in rows]


def _row(r: dict[str, Any]) -> ReportRow:
    code = r.get("hangup_cause_code")
    return ReportRow(
        calls=int(r["calls"]),
        answered=int(r["answered"] or 0),
        asr=float(r["asr"] or 0.0),
        acd=None if r["acd"] is None else float(r["acd"]),
        billed_minutes=float(r["billed_minutes"] or 0.0),
        cost=Decimal(str(r["cost"])),
        day=r.get("day"),
        trunk_id=r.get("trunk_id"),
        country=r.get("country"),
        hangup_cause_code=None if code is None else int(code),
        hangup_cause_name=r.get("hangup_cause_name"),
    )


async def top_hangup_causes(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 10,
    auth_id: str | None = None,
) -> list[HangupCauseRow]:
    """The hangup codes that ended most calls, with Zentrunk's names for them (§13.2)."""
    rows = await report(store, since=since, until=until, by=("cause",), auth_id=auth_id)
    total = sum(r.calls for r in rows) or 1
    ranked = sorted(rows, key=lambda r: (-r.calls, r.hangup_cause_code or 0))[:limit]
    return [
        HangupCauseRow(
            code=r.hangup_cause_code,
            name=r.hangup_cause_name,
            meaning=hangup_meaning(r.hangup_cause_code),
            calls=r.calls,
            share=r.calls / total,
        )
        for r in ranked
    ]
