"""The SDK's resilience against the emulator's faults and rate limit."""

from __future__ import annotations

import anyio
import pytest

from zentrunk_async import (
    RateLimit,
    ResponseDecodeError,
    ServerError,
    ZentrunkClient,
)
from zentrunk_async.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_reads_ride_out_5xx_drops_and_429_bursts(
    zt: ZentrunkClient, emulator: Emulator
) -> None:
    """GET pages retried through 5xx, dropped connections and 429 bursts lose nothing."""
    expected = [c.call_uuid async for c in zt.calls.list(concurrency=1)]
    # At worst one request meets all four faults: the fifth attempt (max_retries=4) succeeds.
    emulator.set_faults(error_next=2, drop_next=1, rate_limit_burst=1, retry_after=1)
    got = [c.call_uuid async for c in zt.calls.list(concurrency=4)]
    assert got == expected
    stats = emulator.stats_dict()
    assert stats["faults"]


async def test_writes_are_not_resent_after_a_5xx(zt: ZentrunkClient, emulator: Emulator) -> None:
    """A create answered by a 5xx raises at once: the server may have acted."""
    emulator.set_faults(error_next=1)
    with pytest.raises(ServerError) as info:
        await zt.ip_acls.create(ip_addresses=["203.0.113.1"])
    assert info.value.attempts == 1


async def test_truncated_and_html_bodies_raise_decode_errors(
    zt: ZentrunkClient, emulator: Emulator
) -> None:
    """A cut JSON body or an HTML page with 200 is a ResponseDecodeError naming the endpoint.

    Reads retry a broken body (issue 11), so the fault outlasts every attempt.
    """
    emulator.set_faults(truncate_next=100)
    with pytest.raises(ResponseDecodeError, match=r"calls\.list"):
        await zt.calls.list(max_items=5).collect()
    emulator.clear_faults()
    emulator.set_faults(html_next=100)
    with pytest.raises(ResponseDecodeError, match=r"trunks\.list"):
        await zt.trunks.list().collect()


async def test_pacing_keeps_a_burst_under_the_servers_limit(emulator: Emulator) -> None:
    """With the client paced under the server's limit, a burst of requests sees no 429."""
    import httpx

    emulator.set_rate_limit(20, 1.0)
    async with ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url="http://127.0.0.1",
        http_client=httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app)),
        rate_limit=RateLimit(requests=19, period=1.0),
    ) as zt:
        async with anyio.create_task_group() as tg:
            for _ in range(30):
                tg.start_soon(zt.ip_acls.list().collect)
        assert zt.limiter_snapshot().throttled_count == 0
    stats = emulator.stats_dict()
    assert stats["requests"] >= 30
    assert stats["rate_limited"] == 0
