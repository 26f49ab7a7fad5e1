"""zentrunk_async's side of each cell: list fan-out, item GETs, streaming to a file, pacing.

Each function runs inside a fresh client process (see `_cell`) and returns
counters; `_cell` wraps them with wall time, CPU time and peak RSS.
"""

from __future__ import annotations

import json
import time
from collections import deque
from contextlib import aclosing
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from zentrunk_async import RateLimit, ZentrunkClient

from ._window import PAGE_SIZE, window
from .baselines import make_http


def _client(
    base_url: str,
    auth: tuple[str, str],
    http: httpx.AsyncClient,
    rate_limit: RateLimit | None,
) -> ZentrunkClient:
    return ZentrunkClient(
        auth[0], auth[1], base_url=base_url, rate_limit=rate_limit, http_client=http
    )


async def sdk_list(
    base_url: str,
    auth: tuple[str, str],
    *,
    pages: int,
    concurrency: int,
    deadline: float,
    transport: str = "httpx",
    limited: bool = False,
) -> dict[str, Any]:
    """``zt.calls.list(...).pages()`` fanned out at `concurrency`; pool sized to match."""
    query = window()
    records = 0
    rate_limit = RateLimit(max_concurrency=max(concurrency, 1)) if limited else None
    async with (
        make_http(transport, concurrency) as http,
        _client(base_url, auth, http, rate_limit) as zt,
    ):
        pager = zt.calls.list(**query, max_items=pages * PAGE_SIZE, concurrency=concurrency)
        async with aclosing(pager.pages()) as stream:
            async for page in stream:
                records += len(page.objects)
                if time.monotonic() > deadline:
                    break
        throttled = zt.limiter_snapshot().throttled_count
    return {"records": records, "requests": -(-records // PAGE_SIZE), "throttled": throttled}


async def sdk_gets(
    base_url: str, auth: tuple[str, str], uuids: list[str], n: int, transport: str = "httpx"
) -> tuple[float, float]:
    """(wall s, CPU s) for `n` sequential ``zt.calls.get`` after a warm-up; no pacing."""
    async with make_http(transport, 1) as http, _client(base_url, auth, http, None) as zt:
        for uuid in uuids:
            await zt.calls.get(uuid)
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            await zt.calls.get(uuids[i % len(uuids)])
        return time.perf_counter() - wall, time.process_time() - cpu


async def stream_to_file(
    base_url: str, auth: tuple[str, str], *, records: int, concurrency: int, path: str
) -> dict[str, Any]:
    """Stream `records` CDRs into a JSONL file, as a bulk export does.

    The list fan-out writes one JSON line per record through the SDK's own
    converter: the streaming core of an export without its shards and
    checkpoints (``benchmarks/bench_export.py`` measures ``export_to_file``).
    """
    written = 0
    query = window()
    async with make_http("httpx", concurrency) as http, _client(base_url, auth, http, None) as zt:
        from zentrunk_async._convert import converter

        pager = zt.calls.list(**query, max_items=records, concurrency=concurrency)
        # Buffered local writes, as an exporter does: the loop never waits on them long.
        with open(path, "w", encoding="utf-8") as out:  # noqa: ASYNC230
            async with pager as stream:
                async for record in stream:
                    out.write(json.dumps(converter.unstructure(record)) + "\n")
                    written += 1
    return {"records": written, "requests": -(-written // PAGE_SIZE), "throttled": 0}


async def sustained(
    base_url: str, auth: tuple[str, str], *, seconds: float, concurrency: int
) -> dict[str, Any]:
    """Issue 4: the default `RateLimit` (295/5 s) pulling for `seconds` against a 300/5 s server.

    Send times come from an httpx request hook. The achieved rate is the
    steady state from the second send to the last: the first page is fetched
    alone (its ``total_count`` plans the fan-out), so one round trip of idle
    schedule follows it once per pull; ``rate_incl_first`` keeps it in. The
    busiest rolling 5 s window is the figure the server's limit judges.
    """
    sends: list[float] = []

    async def on_request(request: httpx.Request) -> None:
        sends.append(time.monotonic())

    end = time.monotonic() + seconds
    records = 0
    start_of_window = datetime.now(timezone.utc) - timedelta(days=89, hours=12)
    http = make_http("httpx", 16, event_hooks={"request": [on_request]})
    async with http, _client(base_url, auth, http, RateLimit()) as zt:
        budget = int(zt.limiter_snapshot().configured_rate * seconds * 1.5) + 10
        pager = zt.calls.list(
            end_time__gte=start_of_window,
            end_time__lte=datetime.now(timezone.utc) + timedelta(minutes=2),
            max_items=budget * PAGE_SIZE,
            concurrency=concurrency,
        )
        async with aclosing(pager.pages()) as stream:
            async for page in stream:
                records += len(page.objects)
                if time.monotonic() >= end:
                    break
        snapshot = zt.limiter_snapshot()
    return {
        "records": records,
        "requests": len(sends),
        "throttled": snapshot.throttled_count,
        "configured_rate": snapshot.configured_rate,
        "achieved_rate": _rate(sends[1:]),
        "rate_incl_first": _rate(sends),
        "max_in_5s": _busiest_window(sends, 5.0),
    }


def _rate(sends: list[float]) -> float:
    return (len(sends) - 1) / (sends[-1] - sends[0]) if len(sends) > 1 else 0.0


def _busiest_window(times: list[float], width: float) -> int:
    """Most sends in any closed window of `width` seconds (times are sorted)."""
    best = 0
    inside: deque[float] = deque()
    for t in times:
        inside.append(t)
        while inside[0] < t - width:
            inside.popleft()
        best = max(best, len(inside))
    return best
