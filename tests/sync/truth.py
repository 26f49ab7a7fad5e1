"""Ground truth from the emulator, and what a store holds, for exactly-once assertions."""

from __future__ import annotations

from datetime import datetime

from zentrunk_async import ZentrunkClient
from zentrunk_async.sync import Store
from zentrunk_async.sync._columns import sqlite_time


async def api_calls(zt: ZentrunkClient, since: datetime, until: datetime) -> list[str]:
    """One plain sequential listing of ``[since, until)`` (under 90 days)."""
    return [
        c.call_uuid
        async for c in zt.calls.list(end_time__gte=since, end_time__lt=until, concurrency=1)
    ]


async def stored_calls(store: Store, since: datetime, until: datetime) -> list[str]:
    """The store's call_uuids that ended in ``[since, until)``, with repeats if any."""
    p = "?" if store.dialect == "sqlite" else "%s"
    sqlite = store.dialect == "sqlite"
    bounds = [sqlite_time(since), sqlite_time(until)] if sqlite else [since, until]
    rows = await store.fetch(
        f"SELECT call_uuid FROM calls WHERE end_time >= {p} AND end_time < {p}", bounds
    )
    return [r["call_uuid"] for r in rows]
