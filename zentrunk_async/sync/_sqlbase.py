"""What the SQLite and PostgreSQL stores share: DB-API code run in the store's worker thread.

Subclasses say how to connect, how to open a write transaction, how to bulk
upsert rows and how their driver spells times; the transaction structure
(rows + interval, together) and every query live here once.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .._models import CallRecord
from ._dialect import Dialect, filter_sql
from ._migrations import MIGRATIONS, SCHEMA_VERSION, SchemaTooNewError
from ._store import (
    DayCount,
    Interval,
    Store,
    SyncKey,
    merge_intervals,
    subtract_interval,
    watermark_of,
)


class SqlStore(Store):
    sql: Dialect

    def __init__(self) -> None:
        super().__init__()
        self._conn: Any = None
        self.dialect = self.sql.name

    # -- hooks ------------------------------------------------------------------------

    @abc.abstractmethod
    def _connect(self) -> Any: ...

    @abc.abstractmethod
    def _begin(self, cur: Any) -> None:
        """Open a write transaction that keeps other writers out until commit."""

    @abc.abstractmethod
    def _upsert(self, cur: Any, records: Sequence[CallRecord], auth_id: str) -> None: ...

    @abc.abstractmethod
    def _time_in(self, moment: datetime) -> Any: ...

    @abc.abstractmethod
    def _time_out(self, value: Any) -> datetime: ...

    # -- lifecycle --------------------------------------------------------------------

    async def open(self) -> None:
        if self._conn is None:
            await self._run(self._open_sync)

    def _open_sync(self) -> None:
        conn = self._connect()
        try:
            self._conn = conn
            self._migrate()
        except BaseException:
            self._conn = None
            conn.close()
            raise

    async def aclose(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await self._run(conn.close)

    def _transaction(self) -> Any:
        return _Transaction(self)

    def _migrate(self) -> None:
        with self._transaction() as cur:
            cur.execute(
                "CREATE TABLE IF NOT EXISTS zentrunk_schema ("
                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
        current = self._version()
        if current > SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"the store is at schema version {current}, this zentrunk_async knows up to "
                f"{SCHEMA_VERSION}: upgrade the package"
            )
        for migration in MIGRATIONS:
            if migration.version <= current:
                continue
            with self._transaction() as cur:
                # Another process may have applied it while we waited for the write lock.
                cur.execute("SELECT max(version) FROM zentrunk_schema")
                if (cur.fetchone()[0] or 0) >= migration.version:
                    continue
                for statement in migration.statements(self.sql):
                    cur.execute(statement)
                p = self.sql.param
                cur.execute(
                    f"INSERT INTO zentrunk_schema (version, description, applied_at) "
                    f"VALUES ({p}, {p}, {p})",
                    (migration.version, migration.description, _now().isoformat()),
                )

    def _version(self) -> int:
        cur = self._conn.cursor()
        try:
            cur.execute("SELECT max(version) FROM zentrunk_schema")
            row = cur.fetchone()
        finally:
            cur.close()
        self._end_read()
        return int(row[0] or 0)

    def _end_read(self) -> None:
        """Finish the implicit read transaction a driver may have opened."""

    async def schema_version(self) -> int:
        return await self._run(self._version)

    # -- sync state -------------------------------------------------------------------

    async def intervals(self, key: SyncKey) -> list[Interval]:
        return await self._run(self._intervals_sync, key)

    def _intervals_sync(self, key: SyncKey) -> list[Interval]:
        cur = self._conn.cursor()
        try:
            return self._read_intervals(cur, key)
        finally:
            cur.close()
            self._end_read()

    def _read_intervals(self, cur: Any, key: SyncKey) -> list[Interval]:
        p = self.sql.param
        cur.execute(
            f"SELECT start_time, end_time FROM sync_intervals WHERE sync_key = {p} "
            "ORDER BY start_time",
            (key.key,),
        )
        return [(self._time_out(a), self._time_out(b)) for a, b in cur.fetchall()]

    async def origin(self, key: SyncKey) -> datetime | None:
        return await self._run(self._origin_sync, key)

    def _origin_sync(self, key: SyncKey) -> datetime | None:
        cur = self._conn.cursor()
        try:
            return self._read_origin(cur, key)
        finally:
            cur.close()
            self._end_read()

    def _read_origin(self, cur: Any, key: SyncKey) -> datetime | None:
        cur.execute(f"SELECT origin FROM sync_state WHERE sync_key = {self.sql.param}", (key.key,))
        row = cur.fetchone()
        return None if row is None or row[0] is None else self._time_out(row[0])

    async def set_origin(self, key: SyncKey, origin: datetime) -> None:
        await self._run(self._set_origin_sync, key, origin)

    def _set_origin_sync(self, key: SyncKey, origin: datetime) -> None:
        with self._transaction() as cur:
            self._ensure_state(cur, key)
            current = self._read_origin(cur, key)
            if current is None or origin < current:
                p = self.sql.param
                cur.execute(
                    f"UPDATE sync_state SET origin = {p} WHERE sync_key = {p}",
                    (self._time_in(origin), key.key),
                )
            self._write_intervals(cur, key, self._read_intervals(cur, key))

    async def commit_shard(
        self, key: SyncKey, records: Sequence[CallRecord], interval: Interval
    ) -> None:
        await self._run(self._commit_sync, key, records, interval)

    def _commit_sync(self, key: SyncKey, records: Sequence[CallRecord], interval: Interval) -> None:
        with self._transaction() as cur:
            if records:
                self._upsert(cur, records, key.auth_id)
            self._ensure_state(cur, key)
            merged = merge_intervals([*self._read_intervals(cur, key), interval])
            self._write_intervals(cur, key, merged)

    async def forget(self, key: SyncKey, interval: Interval) -> None:
        await self._run(self._forget_sync, key, interval)

    def _forget_sync(self, key: SyncKey, interval: Interval) -> None:
        with self._transaction() as cur:
            kept = subtract_interval(self._read_intervals(cur, key), interval)
            self._ensure_state(cur, key)
            self._write_intervals(cur, key, kept)

    def _ensure_state(self, cur: Any, key: SyncKey) -> None:
        p = self.sql.param
        cur.execute(
            f"INSERT INTO sync_state (sync_key, auth_id, filters, updated_at) "
            f"VALUES ({p}, {p}, {p}, {p}) ON CONFLICT (sync_key) DO NOTHING",
            (key.key, key.auth_id, key.filters_json, self._time_in(_now())),
        )

    def _write_intervals(self, cur: Any, key: SyncKey, intervals: list[Interval]) -> None:
        p = self.sql.param
        cur.execute(f"DELETE FROM sync_intervals WHERE sync_key = {p}", (key.key,))
        if intervals:
            cur.executemany(
                "INSERT INTO sync_intervals (sync_key, start_time, end_time) "
                f"VALUES ({p}, {p}, {p})",
                [(key.key, self._time_in(a), self._time_in(b)) for a, b in intervals],
            )
        # The watermark, for people (and BI tools) reading the table.
        moment = watermark_of(self._read_origin(cur, key), intervals)
        watermark = None if moment is None else self._time_in(moment)
        cur.execute(
            f"UPDATE sync_state SET watermark = {p}, updated_at = {p} WHERE sync_key = {p}",
            (watermark, self._time_in(_now()), key.key),
        )

    # -- reads ------------------------------------------------------------------------

    async def count_by_day(self, key: SyncKey, since: datetime, until: datetime) -> list[DayCount]:
        p = self.sql.param
        clauses, params = filter_sql(self.sql, dict(key.filters))
        where = " AND ".join(["c.auth_id = " + p, f"c.end_time >= {p}", f"c.end_time < {p}"])
        where = " AND ".join([where, *clauses])
        sql = (
            f"SELECT {self.sql.day} AS day, count(*) AS calls FROM calls c WHERE {where} "
            f"GROUP BY {self.sql.day} ORDER BY 1"
        )
        rows = await self.fetch(
            sql, [key.auth_id, self._time_in(since), self._time_in(until), *params]
        )
        return [DayCount(str(r["day"]), int(r["calls"])) for r in rows]

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return await self._run(self._fetch_sync, sql, tuple(params))

    def _fetch_sync(self, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        cur = self._conn.cursor()
        try:
            cur.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        finally:
            cur.close()
            self._end_read()

    async def call_uuids(self, auth_id: str | None = None) -> list[str]:
        p = self.sql.param
        if auth_id is None:
            rows = await self.fetch("SELECT call_uuid FROM calls ORDER BY call_uuid")
        else:
            rows = await self.fetch(
                f"SELECT call_uuid FROM calls WHERE auth_id = {p} ORDER BY call_uuid", [auth_id]
            )
        return [str(r["call_uuid"]) for r in rows]


class _Transaction:
    """``with store._transaction() as cur``: begin, commit on success, roll back on any error."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._cur: Any = None

    def __enter__(self) -> Any:
        self._cur = self._store._conn.cursor()
        self._store._begin(self._cur)
        return self._cur

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        conn = self._store._conn
        try:
            if exc_type is None:
                conn.commit()
            else:
                conn.rollback()
        finally:
            self._cur.close()


def _now() -> datetime:
    return datetime.now(timezone.utc)
