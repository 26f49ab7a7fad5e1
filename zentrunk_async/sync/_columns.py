"""The `calls` table's columns, and how a `CallRecord` becomes one row of it.

Every documented CDR field (zentrunk-api.md §7.2) is a typed column under
its own name. Three columns are added: `auth_id` (the account, so one store
can hold many), `trunk_id` (the first label of `trunk_domain`: the CDR has
no trunk id of its own, §7.2, and reports group by trunk) and `synced_at`.
`extra` holds, as JSON, whatever the record carries beyond the columns:
fields the API adds later are kept, never dropped.

Each store turns a record into a row with its own value adapters (SQLite
has no timestamp, decimal or boolean type; PostgreSQL has all three).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from enum import Enum
from typing import Any, Literal

import attrs

from .._convert import converter
from .._models import CallRecord

Kind = Literal["text", "int", "time", "money", "bool"]

#: The documented CDR fields in the order of the production sample's record class,
#: with the kind of value each holds. `call_uuid` is the primary key.
CDR_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("call_uuid", "text"),
    ("call_id", "text"),
    ("from_number", "text"),
    ("to_number", "text"),
    ("call_direction", "text"),
    ("call_duration", "int"),
    ("bill_duration", "int"),
    ("billed_duration", "int"),
    ("initiation_time", "time"),
    ("answer_time", "time"),
    ("end_time", "time"),
    ("hangup_cause_name", "text"),
    ("hangup_cause_code", "int"),
    ("hangup_source", "text"),
    ("total_rate", "money"),
    ("total_amount", "money"),
    ("trunk_domain", "text"),
    ("from_country", "text"),
    ("to_country", "text"),
    ("transport_protocol", "text"),
    ("srtp", "bool"),
    ("secure_trunking", "bool"),
    ("secure_trunking_rate", "money"),
    ("stir_verification", "text"),
    ("attestation_indicator", "text"),
    ("cnam_lookup", "bool"),
    ("cnam_lookup_rate", "money"),
)

CDR_FIELD_NAMES = tuple(name for name, _ in CDR_COLUMNS)

#: Record attributes that are not columns (fields a later release models) go into `extra`.
_MODELLED_ELSEWHERE = tuple(
    f.name for f in attrs.fields(CallRecord) if f.name not in CDR_FIELD_NAMES and f.name != "extra"
)

#: Money in the CDR has five decimals (USD, §7.2); SQLite sums it exactly as an integer of these.
MONEY_SCALE = Decimal("0.00001")


def trunk_id_of(trunk_domain: str | None) -> str | None:
    """``"42741122632602585.zt.plivo.com"`` -> ``"42741122632602585"`` (§15.3)."""
    if not trunk_domain:
        return None
    return trunk_domain.split(".", 1)[0]


def extra_json(record: CallRecord) -> str | None:
    """The record's fields beyond the columns, as the API spelled them, or None."""
    extra: dict[str, Any] = dict(record.extra)
    for name in _MODELLED_ELSEWHERE:
        value = getattr(record, name)
        if value is not None:
            extra[name] = converter.unstructure(value)
    if not extra:
        return None
    return json.dumps(extra, sort_keys=True, default=str)


def plain(value: Any) -> Any:
    """An enum member as its wire string; anything else unchanged."""
    return value.value if isinstance(value, Enum) else value


def sqlite_time(moment: datetime | None) -> str | None:
    """UTC as ``YYYY-MM-DD HH:MM:SS[.ffffff]``: sorts as text, and SQLite's date() reads it."""
    if moment is None:
        return None
    utc = moment.astimezone(timezone.utc)
    spec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(sep=" ", timespec=spec)


def money_e5(amount: Decimal | None) -> int | None:
    """An amount in units of 0.00001 USD (exact for the API's five decimals)."""
    if amount is None:
        return None
    return int((amount / MONEY_SCALE).to_integral_value(ROUND_HALF_EVEN))


Adapter = Callable[[Any], Any]


def row_builder(
    adapters: dict[Kind, Adapter], *, money_units: bool
) -> Callable[[CallRecord, str, Any], tuple[Any, ...]]:
    """A fast ``(record, auth_id, synced_at) -> row`` for one store's value adapters.

    The row is the CDR columns in `CDR_COLUMNS` order, then `auth_id`,
    `trunk_id`, `extra`, `synced_at`, then (``money_units``) `total_amount_e5`.
    """
    getters: list[tuple[str, Adapter | None]] = [
        (name, adapters.get(kind)) for name, kind in CDR_COLUMNS
    ]

    def build(record: CallRecord, auth_id: str, synced_at: Any) -> tuple[Any, ...]:
        values: list[Any] = []
        for name, adapt in getters:
            value = plain(getattr(record, name))
            values.append(adapt(value) if adapt is not None and value is not None else value)
        values += [auth_id, trunk_id_of(record.trunk_domain), extra_json(record), synced_at]
        if money_units:
            values.append(money_e5(record.total_amount))
        return tuple(values)

    return build


def insert_columns(*, money_units: bool) -> Sequence[str]:
    names = [*CDR_FIELD_NAMES, "auth_id", "trunk_id", "extra", "synced_at"]
    if money_units:
        names.append("total_amount_e5")
    return names
