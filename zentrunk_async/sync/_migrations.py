"""Versioned schema migrations: a store is brought to `SCHEMA_VERSION` when opened.

Each migration is a numbered list of statements per dialect, applied once,
in order, each in its own transaction together with its row in
`zentrunk_schema`; so a package upgrade migrates an existing database, and
a migration interrupted half-way is rolled back and applied again next time.
A migration, once released, is never edited: changes come as a new one.
A store newer than the package is refused rather than written to.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._dialect import POSTGRES, SQLITE, Dialect
from ._hangup import HANGUP_CAUSES
from ._report import view_statements


@attrs.frozen
class Migration:
    version: int
    description: str
    statements: Callable[[Dialect], list[str]]


class SchemaTooNewError(RuntimeError):
    """The store was written by a newer zentrunk_async than this one."""


_SQLITE_V1 = [
    """CREATE TABLE calls (
        call_uuid TEXT PRIMARY KEY,
        call_id TEXT,
        from_number TEXT NOT NULL,
        to_number TEXT NOT NULL,
        call_direction TEXT NOT NULL,
        call_duration INTEGER NOT NULL,
        bill_duration INTEGER NOT NULL,
        billed_duration INTEGER,
        initiation_time TEXT,
        answer_time TEXT,
        end_time TEXT,
        hangup_cause_name TEXT,
        hangup_cause_code INTEGER,
        hangup_source TEXT,
        total_rate TEXT,
        total_amount TEXT,
        trunk_domain TEXT,
        from_country TEXT,
        to_country TEXT,
        transport_protocol TEXT,
        srtp INTEGER,
        secure_trunking INTEGER,
        secure_trunking_rate TEXT,
        stir_verification TEXT,
        attestation_indicator TEXT,
        cnam_lookup INTEGER,
        cnam_lookup_rate TEXT,
        auth_id TEXT NOT NULL,
        trunk_id TEXT,
        extra TEXT,
        synced_at TEXT NOT NULL,
        total_amount_e5 INTEGER
    )""",
    """CREATE TABLE sync_state (
        sync_key TEXT PRIMARY KEY,
        auth_id TEXT NOT NULL,
        filters TEXT NOT NULL,
        origin TEXT,
        watermark TEXT,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE sync_intervals (
        sync_key TEXT NOT NULL REFERENCES sync_state (sync_key),
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        PRIMARY KEY (sync_key, start_time)
    )""",
]

_POSTGRES_V1 = [
    """CREATE TABLE calls (
        call_uuid text PRIMARY KEY,
        call_id text,
        from_number text NOT NULL,
        to_number text NOT NULL,
        call_direction text NOT NULL,
        call_duration integer NOT NULL,
        bill_duration integer NOT NULL,
        billed_duration integer,
        initiation_time timestamptz,
        answer_time timestamptz,
        end_time timestamptz,
        hangup_cause_name text,
        hangup_cause_code integer,
        hangup_source text,
        total_rate numeric,
        total_amount numeric,
        trunk_domain text,
        from_country text,
        to_country text,
        transport_protocol text,
        srtp boolean,
        secure_trunking boolean,
        secure_trunking_rate numeric,
        stir_verification text,
        attestation_indicator text,
        cnam_lookup boolean,
        cnam_lookup_rate numeric,
        auth_id text NOT NULL,
        trunk_id text,
        extra jsonb,
        synced_at timestamptz NOT NULL
    )""",
    """CREATE TABLE sync_state (
        sync_key text PRIMARY KEY,
        auth_id text NOT NULL,
        filters jsonb NOT NULL,
        origin timestamptz,
        watermark timestamptz,
        updated_at timestamptz NOT NULL
    )""",
    """CREATE TABLE sync_intervals (
        sync_key text NOT NULL REFERENCES sync_state (sync_key),
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        PRIMARY KEY (sync_key, start_time)
    )""",
]

#: The report queries range over end_time, by account, and group by trunk,
#: destination country or hangup code.
_INDEXES = [
    "CREATE INDEX calls_end_time ON calls (end_time)",
    "CREATE INDEX calls_account_end_time ON calls (auth_id, end_time)",
    "CREATE INDEX calls_trunk_end_time ON calls (trunk_id, end_time)",
    "CREATE INDEX calls_country_end_time ON calls (to_country, end_time)",
    "CREATE INDEX calls_hangup_cause ON calls (hangup_cause_code)",
]


def _v1(dialect: Dialect) -> list[str]:
    tables = _SQLITE_V1 if dialect is SQLITE else _POSTGRES_V1
    return [*tables, *_INDEXES]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _v2(dialect: Dialect) -> list[str]:
    integer = "INTEGER" if dialect is SQLITE else "integer"
    text = "TEXT" if dialect is SQLITE else "text"
    values = ", ".join(
        f"({code}, {_quote(name)}, {_quote(meaning)})" for code, name, meaning in HANGUP_CAUSES
    )
    return [
        f"CREATE TABLE hangup_causes (code {integer} PRIMARY KEY, name {text} NOT NULL, "
        f"meaning {text} NOT NULL)",
        f"INSERT INTO hangup_causes (code, name, meaning) VALUES {values}",
        *view_statements(dialect),
    ]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "calls, sync state and intervals, report indexes", _v1),
    Migration(2, "hangup cause names, report views", _v2),
)

SCHEMA_VERSION = MIGRATIONS[-1].version

__all__ = ["MIGRATIONS", "POSTGRES", "SCHEMA_VERSION", "SQLITE", "SchemaTooNewError"]
