"""The SDK against the emulator, both in-process (ASGI) and over a real loopback socket."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from zentrunk_async import RateLimit, RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

#: Fast retries: the rules are tested elsewhere; here they only need to happen.
FAST_RETRY = RetryPolicy(max_retries=4, backoff_base=0.01, backoff_cap=0.05)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(EmulatorConfig(calls=600, seed=3))


@pytest.fixture(params=["in-process", "socket"])
def base_url_and_transport(
    request: pytest.FixtureRequest, emulator: Emulator
) -> Iterator[tuple[str, httpx.AsyncBaseTransport | None]]:
    if request.param == "in-process":
        yield "http://127.0.0.1", httpx.ASGITransport(app=emulator.app)
    else:
        with serve_in_thread(emulator) as base_url:
            yield base_url, None


@pytest.fixture
async def zt(
    emulator: Emulator, base_url_and_transport: tuple[str, httpx.AsyncBaseTransport | None]
) -> AsyncIterator[ZentrunkClient]:
    base_url, transport = base_url_and_transport
    http = httpx.AsyncClient(transport=transport) if transport is not None else None
    async with ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url=base_url,
        http_client=http,
        rate_limit=RateLimit(),
        retry=FAST_RETRY,
    ) as client:
        yield client
    if http is not None:
        await http.aclose()
