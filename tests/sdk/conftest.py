"""Wire-level fixtures: a client whose HTTP is answered by respx routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import respx

from zentrunk_async import RetryPolicy, ZentrunkClient

from .wire import AUTH_ID, BASE, HOST, TOKEN


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture
async def zt() -> AsyncIterator[ZentrunkClient]:
    """No pacing and no retries: each test states the wire exchange it expects."""
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=RetryPolicy(max_retries=0)
    ) as client:
        yield client
