"""Stores on real files and a real PostgreSQL server, an emulator, and a client wired to it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig
from zentrunk_async.sync import Store, open_store

from .pgserver import REQUIRE_ENV, PostgresServer, running_server

#: Quick retries: the sync must ride out faults, the waits need not be realistic.
FAST_RETRY = RetryPolicy(max_retries=8, backoff_base=0.005, backoff_cap=0.02)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; skipped (failed in CI) without binaries."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'zentrunk-async[postgres]')")
    try:
        with running_server() as server:
            yield server
    except FileNotFoundError as exc:
        _unavailable(f"{exc}: install Debian's postgresql package to run the PostgreSQL tests")


def _unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store URL: a SQLite file, or a new database on the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cdrs.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


@pytest.fixture
async def store(store_url: str) -> AsyncIterator[Store]:
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
