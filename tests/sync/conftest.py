"""Stores on real files and a real PostgreSQL server, an emulator, and a client wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.sync import Store, open_store

from .pgserver import postgres_server, store_url  # noqa: F401  (fixtures offered here)

#: Quick retries: the sync must ride out faults, the waits need not be realistic.
FAST_RETRY = RetryPolicy(max_retries=8, backoff_base=0.005, backoff_cap=0.02)


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:  # noqa: F811 (the fixture)
    async with open_store(store_url) as opened:
        yield opened


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(EmulatorConfig(calls=3000, seed=11, rate_limit_requests=None))


def client_for(emulator: Emulator) -> ZentrunkClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
    return ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url="http://127.0.0.1",
        http_client=http,
        rate_limit=None,
        retry=FAST_RETRY,
    )


@pytest.fixture
async def zt(emulator: Emulator) -> AsyncIterator[ZentrunkClient]:
    async with client_for(emulator) as client:
        yield client
