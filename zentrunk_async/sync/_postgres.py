"""`PostgresStore`: CDRs in PostgreSQL, for production and for BI tools.

Driver: psycopg 3. Its connection is run in the store's worker thread, like
SQLite's, which is what lets the same store work under asyncio *and* trio:
asyncpg and psycopg's own ``AsyncConnection`` are asyncio-only. A thread hop
per shard (thousands of rows) costs nothing measurable; the rows go in with
``COPY`` into a temporary table and one ``INSERT ... ON CONFLICT`` from it,
the fastest way into PostgreSQL short of skipping the upsert.

Types: `timestamptz` (the session runs in UTC), `numeric` money, `boolean`,
`jsonb` for `extra`. Every write transaction takes one advisory lock first:
one writer per database, and migrations by two processes at once cannot
interleave.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._models import CallRecord
from ._columns import insert_columns, row_builder
from ._dialect import POSTGRES
from ._sqlbase import SqlStore

#: An arbitrary constant: the key of the advisory lock all zentrunk writers share.
WRITE_LOCK_KEY = 0x5A54_5359  # "ZTSY"

_COLUMNS = insert_columns(money_units=False)
_STAGE = "zentrunk_incoming"
_ROW = row_builder({}, money_units=False)


class PostgresStore(SqlStore):
    """CDRs in a PostgreSQL database given by a libpq URL (``postgresql://user@host/db``)."""

    sql = POSTGRES

    def __init__(self, url: str, *, connect_timeout: float = 10.0) -> None:
        super().__init__()
        self._url = url
        self._connect_timeout = connect_timeout

    def __repr__(self) -> str:
        return f"PostgresStore({_redacted(self._url)!r})"

    def _connect(self) -> Any:
        try:
            import psycopg
        except ImportError as exc:
            raise ImportError(
                "the PostgreSQL store needs psycopg: pip install 'zentrunk-async[postgres]'"
            ) from exc
        conn = psycopg.connect(
            self._url, autocommit=False, connect_timeout=int(self._connect_timeout)
        )
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        return conn

    def _begin(self, cur: Any) -> None:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_KEY,))

    def _end_read(self) -> None:
        # psycopg opens a transaction on the first statement; a read must not leave it open.
        if self._conn is not None:
            self._conn.rollback()

    def _upsert(self, cur: Any, records: Sequence[CallRecord], auth_id: str) -> None:
        synced_at = datetime.now(timezone.utc)
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} "
            "(LIKE calls INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        columns = ", ".join(_COLUMNS)
        with cur.copy(f"COPY {_STAGE} ({columns}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(_ROW(record, auth_id, synced_at))
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS if c != "call_uuid")
        cur.execute(
            f"INSERT INTO calls ({columns}) "
            f"SELECT DISTINCT ON (call_uuid) {columns} FROM {_STAGE} "
            f"ON CONFLICT (call_uuid) DO UPDATE SET {updates}"
        )

    def _time_in(self, moment: datetime) -> Any:
        return moment.astimezone(timezone.utc)

    def _time_out(self, value: Any) -> datetime:
        moment: datetime = value
        return moment.astimezone(timezone.utc)


def _redacted(url: str) -> str:
    """The URL without its password (it must never reach a repr, a log or an error)."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else f"{scheme}://{user}@{host}"
