"""What users would write without zentrunk_async, measured beside it in the same run.

* `sequential_requests`: a synchronous ``requests.Session`` loop, one page
  after the other: the shape of code users of Plivo's synchronous SDK write.
* `raw_fanout`: ``httpx.AsyncClient`` (or httpx on an aiohttp transport) +
  ``json.loads`` with the same concurrency as the SDK cell: page 0 for the
  total, then `concurrency` workers taking offsets from one shared iterator.
  No models, no pacing, no retries beyond a fixed wait on 429: the ceiling of
  the transport the SDK stands on.
* `raw_gets`: sequential item GETs + ``json.loads``, the yardstick for the
  SDK's per-request overhead.

Every loop is bounded by a page count and a deadline.
"""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import httpx

from zentrunk_async._redact import Secret
from zentrunk_async._transport import basic_auth_header

from ._window import PAGE_SIZE, calls_path, window

#: A 429 answered by a naive client: wait one second, ask again.
NAIVE_429_WAIT = 1.0


def auth_headers(auth: tuple[str, str]) -> dict[str, str]:
    """A prebuilt Basic header, as the SDK sends it: httpx's ``auth=`` flow costs more per call."""
    return {"Authorization": basic_auth_header(auth[0], Secret(auth[1]))}


def make_http(transport: str, concurrency: int, **kwargs: Any) -> httpx.AsyncClient:
    """An httpx client whose pool matches `concurrency` (performance-lab.md rec. 4).

    ``transport="aiohttp"`` keeps httpx's API over `httpx_aiohttp.AiohttpTransport`.
    """
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    if transport == "aiohttp":
        import httpx_aiohttp

        return httpx_aiohttp.HttpxAiohttpClient(limits=limits, timeout=30.0, **kwargs)
    return httpx.AsyncClient(limits=limits, timeout=30.0, **kwargs)


def sequential_requests(
    base_url: str, auth: tuple[str, str], pages: int, deadline: float
) -> dict[str, Any]:
    """Page after page with ``requests``; returns counters (the caller times it)."""
    import requests

    url = base_url + calls_path(auth[0])
    query = window()
    records = requests_sent = throttled = 0
    offset = 0
    with requests.Session() as session:
        session.auth = auth
        while requests_sent < pages * 3 and time.monotonic() < deadline:
            requests_sent += 1
            response = session.get(url, params={**query, "limit": PAGE_SIZE, "offset": offset})
            if response.status_code == 429:
                throttled += 1
                time.sleep(NAIVE_429_WAIT)
                continue
            response.raise_for_status()
            objects = response.json()["objects"]
            records += len(objects)
            offset += PAGE_SIZE
            if len(objects) < PAGE_SIZE or offset >= pages * PAGE_SIZE:
                break
    return {"records": records, "requests": requests_sent, "throttled": throttled}


async def raw_fanout(
    base_url: str,
    auth: tuple[str, str],
    *,
    pages: int,
    concurrency: int,
    deadline: float,
    transport: str = "httpx",
) -> dict[str, Any]:
    """Page 0, then `concurrency` workers over the remaining offsets."""
    path = calls_path(auth[0])
    query = window()
    counts = {"records": 0, "requests": 0, "throttled": 0}
    headers = auth_headers(auth)
    async with make_http(transport, concurrency, base_url=base_url, headers=headers) as http:

        async def fetch(offset: int) -> dict[str, Any] | None:
            while True:
                counts["requests"] += 1
                params = {**query, "limit": PAGE_SIZE, "offset": offset}
                try:
                    response = await http.get(path, params=params)
                except httpx.TransportError:  # a reset under load: once more, as users would
                    counts["requests"] += 1
                    response = await http.get(path, params=params)
                if response.status_code != 429:
                    break
                counts["throttled"] += 1
                if time.monotonic() > deadline:
                    return None  # the time box is over: give the page up
                await anyio.sleep(NAIVE_429_WAIT)
            response.raise_for_status()
            body: dict[str, Any] = json.loads(response.content)
            counts["records"] += len(body["objects"])
            return body

        first = await fetch(0)
        assert first is not None, "throttled before the first page"
        end = min(first["meta"]["total_count"], pages * PAGE_SIZE)
        offsets = iter(range(PAGE_SIZE, end, PAGE_SIZE))

        async def worker() -> None:
            for offset in offsets:
                if time.monotonic() > deadline:
                    return
                await fetch(offset)

        async with anyio.create_task_group() as tg:
            for _ in range(concurrency):
                tg.start_soon(worker)
    return counts


async def first_uuids(base_url: str, auth: tuple[str, str], count: int) -> list[str]:
    async with httpx.AsyncClient(base_url=base_url, auth=auth) as http:
        response = await http.get(
            calls_path(auth[0]), params={**window(), "limit": count, "offset": 0}
        )
        response.raise_for_status()
        return [obj["call_uuid"] for obj in response.json()["objects"]]


async def raw_gets(
    base_url: str, auth: tuple[str, str], uuids: list[str], n: int, transport: str = "httpx"
) -> tuple[float, float]:
    """(wall s, CPU s) for `n` sequential item GETs + ``json.loads`` after a warm-up."""
    path = calls_path(auth[0])
    async with make_http(transport, 1, base_url=base_url, headers=auth_headers(auth)) as http:
        for uuid in uuids:  # warm-up: connection, caches
            json.loads((await http.get(f"{path}{uuid}/")).content)
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(n):
            response = await http.get(f"{path}{uuids[i % len(uuids)]}/")
            response.raise_for_status()
            json.loads(response.content)
        return time.perf_counter() - wall, time.process_time() - cpu
