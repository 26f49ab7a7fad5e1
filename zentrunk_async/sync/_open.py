"""`open_store(url)`: the store a URL names, opened (and migrated) for an ``async with``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ._postgres import PostgresStore, _redacted
from ._sqlite import SQLiteStore
from ._store import Store

#: The file a sync writes when no URL is given: in the current directory, next to the user.
DEFAULT_DB_URL = "sqlite:///zentrunk-cdrs.db"


def redact_url(url: str) -> str:
    """The URL as it may be shown: without its password."""
    return _redacted(url)


def store_for(url: str | os.PathLike[str]) -> Store:
    """The (unopened) store of `url`: ``sqlite:///file.db`` (relative; four slashes for an
    absolute path) or ``postgresql://user:pass@host:port/db``."""
    text = os.fspath(url)
    if text.startswith("sqlite://"):
        path = text[len("sqlite://") :]
        if not path.startswith("/") or path == "/":
            raise ValueError(f"a SQLite URL is sqlite:///path/to/file.db, got {text!r}")
        return SQLiteStore(path[1:])
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresStore(text)
    raise ValueError(
        f"unknown store URL {_redacted(text)!r}: use sqlite:///file.db or "
        "postgresql://user:pass@host:port/db"
    )


@asynccontextmanager
async def open_store(url: str | os.PathLike[str]) -> AsyncIterator[Store]:
    """``async with open_store("sqlite:///cdrs.db") as store:`` a connected, migrated store."""
    store = store_for(url)
    async with store:
        yield store
