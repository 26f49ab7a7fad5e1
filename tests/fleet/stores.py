"""Store fixtures for fleet syncs: a SQLite file, or a database on a real PostgreSQL.

The PostgreSQL server is the sync tests' throw-away one (tests/sync/pgserver.py);
conftests import these fixtures to offer them (defined once, in pgserver).
"""

from __future__ import annotations

from sync.pgserver import postgres_server, store_url  # noqa: F401  (re-offered)

from zentrunk_async.sync import open_store


async def stored(url: str, auth_id: str) -> list[str]:
    """The call_uuids the store holds for one account (rows, so repeats would show)."""
    async with open_store(url) as store:
        return await store.call_uuids(auth_id)
