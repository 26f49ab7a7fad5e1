"""Store fixtures for fleet syncs: a SQLite file, or a database on a real PostgreSQL.

The PostgreSQL server is the sync tests' throw-away one (tests/sync/pgserver.py);
conftests import these fixtures to offer them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sync.pgserver import REQUIRE_ENV, PostgresServer, running_server

from zentrunk_async.sync import open_store


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
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cdrs.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


async def stored(url: str, auth_id: str) -> list[str]:
    """The call_uuids the store holds for one account (rows, so repeats would show)."""
    async with open_store(url) as store:
        return await store.call_uuids(auth_id)
