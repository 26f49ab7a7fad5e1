"""`SQLiteStore`: the embedded default, one file, zero setup.

WAL journal (readers, a report say, never block the writer, and a crash
cannot corrupt the file), ``synchronous=NORMAL`` (in WAL mode a process
crash loses no committed transaction; a power cut may lose the last few,
which the watermark then does not claim either, so the next sync pulls them
again), and ``BEGIN IMMEDIATE`` for every write: one writer at a time, and a
second sync on the same file waits for the lock (up to `busy_timeout`)
instead of failing half-way through a shard.

Types: times are TEXT in UTC (``YYYY-MM-DD HH:MM:SS``, which sorts and
which SQLite's date functions read), money TEXT (exact, as the API writes
it) plus `total_amount_e5`, the amount in 0.00001 USD as an INTEGER that
sums exactly; booleans 0/1; `extra` JSON text.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .._models import CallRecord
from ._columns import CDR_FIELD_NAMES, insert_columns, row_builder, sqlite_time
from ._dialect import SQLITE
from ._sqlbase import SqlStore

#: How long a writer waits for another process's write to finish before giving up.
DEFAULT_BUSY_TIMEOUT = 30.0

_COLUMNS = insert_columns(money_units=True)
_UPSERT = (
    f"INSERT INTO calls ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
    f"ON CONFLICT (call_uuid) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "call_uuid")
)
_ROW = row_builder(
    {"time": sqlite_time, "money": str, "bool": int},
    money_units=True,
)
assert _COLUMNS[: len(CDR_FIELD_NAMES)] == list(CDR_FIELD_NAMES)


class SQLiteStore(SqlStore):
    """CDRs in one SQLite file (created with its directory's permissions if missing)."""

    sql = SQLITE

    def __init__(
        self, path: str | os.PathLike[str], *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self._busy_timeout = busy_timeout

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def _connect(self) -> Any:
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"no directory {self.path.parent} for the SQLite file")
        # Autocommit mode: this code opens every transaction itself (BEGIN IMMEDIATE).
        conn = sqlite3.connect(
            self.path, timeout=self._busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            conn.close()  # a file that is not a database, say: nothing left to the GC
            raise
        return conn

    def _begin(self, cur: Any) -> None:
        cur.execute("BEGIN IMMEDIATE")

    def _upsert(self, cur: Any, records: Sequence[CallRecord], auth_id: str) -> None:
        synced_at = sqlite_time(datetime.now(timezone.utc))
        cur.executemany(_UPSERT, [_ROW(r, auth_id, synced_at) for r in records])

    def _time_in(self, moment: datetime) -> Any:
        return sqlite_time(moment)

    def _time_out(self, value: Any) -> datetime:
        return datetime.fromisoformat(str(value)).replace(tzinfo=timezone.utc)
