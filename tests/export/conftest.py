"""An emulator with a few thousand calls and a client wired to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig

#: Quick retries: the export must ride out faults, the waits need not be realistic.
FAST_RETRY = RetryPolicy(max_retries=6, backoff_base=0.005, backoff_cap=0.02)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(EmulatorConfig(calls=3000, seed=11, rate_limit_requests=None))


@pytest.fixture
def span() -> tuple[datetime, datetime]:
    """Every call of the emulator (spread over the last 89 days), with a fixed upper bound."""
    until = datetime.now(timezone.utc).replace(microsecond=0)
    return until - timedelta(days=89, hours=23), until


@pytest.fixture
async def zt(emulator: Emulator) -> AsyncIterator[ZentrunkClient]:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    async with ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url="http://127.0.0.1",
        http_client=http,
        rate_limit=None,
        retry=FAST_RETRY,
    ) as client:
        yield client
    await http.aclose()


async def every_call(zt: ZentrunkClient, span: tuple[datetime, datetime]) -> list[str]:
    """The truth: one plain sequential listing of the span (<= 90 days)."""
    since, until = span
    return [
        c.call_uuid
        async for c in zt.calls.list(end_time__gte=since, end_time__lt=until, concurrency=1)
    ]
