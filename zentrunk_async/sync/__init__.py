"""Keep every CDR: incremental, verified sync of call records into a database, and reports.

    async with ZentrunkClient() as zt, open_store("sqlite:///cdrs.db") as store:
        summary = await sync_once(zt, store)            # what is new since the last run
        rows = await report(store, by=("day", "trunk"))  # calls, ASR, ACD, minutes, cost

Plivo keeps call records for 90 days; a store keeps them as long as you
like. Each run pulls, through the drift-safe ``calls.export``, what the
store does not hold yet (plus a short lookback for late CDRs) and commits
each verified shard together with its interval in one transaction: a crash
at any point loses nothing and doubles nothing. Stores: `SQLiteStore`
(embedded, the default) and `PostgresStore` (``pip install
'zentrunk-async[postgres]'``), both behind the small `Store` interface.
"""

from ._check import CheckResult, DayCheck, check_store
from ._hangup import HANGUP_CAUSES, hangup_meaning, hangup_name
from ._migrations import SCHEMA_VERSION, SchemaTooNewError
from ._open import DEFAULT_DB_URL, open_store, store_for
from ._postgres import PostgresStore
from ._report import (
    DIMENSIONS,
    REPORT_VIEWS,
    HangupCauseRow,
    ReportRow,
    report,
    top_hangup_causes,
)
from ._sqlite import SQLiteStore
from ._store import DayCount, Store, SyncKey
from ._sync import (
    DEFAULT_LOOKBACK,
    DEFAULT_SETTLE,
    DEFAULT_WARN_DAYS,
    SyncSummary,
    retention_warning,
    sync_key,
    sync_once,
)

__all__ = [
    "DEFAULT_DB_URL",
    "DEFAULT_LOOKBACK",
    "DEFAULT_SETTLE",
    "DEFAULT_WARN_DAYS",
    "DIMENSIONS",
    "HANGUP_CAUSES",
    "REPORT_VIEWS",
    "SCHEMA_VERSION",
    "CheckResult",
    "DayCheck",
    "DayCount",
    "HangupCauseRow",
    "PostgresStore",
    "ReportRow",
    "SQLiteStore",
    "SchemaTooNewError",
    "Store",
    "SyncKey",
    "SyncSummary",
    "check_store",
    "hangup_meaning",
    "hangup_name",
    "open_store",
    "report",
    "retention_warning",
    "store_for",
    "sync_key",
    "sync_once",
    "top_hangup_causes",
]
