"""Records as plain data with the library's types, and as text cells.

The wire format is not what a script wants from a command line: the API
sends Insights' ``rtt`` as the string ``"60"``, CDR times as
``2026-11-20 00:01:57`` and trunk times as ``...Z``. Here a number is a
number, a boolean a boolean, an absent value ``null``, and every time one
spelling: ISO 8601 in UTC with ``Z``. Field names stay the API's
(``from``, not Python's ``from_``), so a row can be read beside the docs.
Money (`Decimal`) becomes a JSON number written from its exact digits in
text formats; JSON readers parse numbers as doubles anyway.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import attrs


def wire_name(attribute: str) -> str:
    """``from_`` -> ``from``: Python keywords get a trailing underscore in the records."""
    return attribute[:-1] if attribute.endswith("_") else attribute


def field_names(cls: type) -> list[str]:
    """A record class's documented fields, in the API's spelling (unknown extras excluded)."""
    return [wire_name(f.name) for f in attrs.fields(cls) if f.name != "extra"]


def iso_z(moment: datetime) -> str:
    """The one timestamp spelling: ``2026-11-20T00:01:57Z`` (naive times are UTC already)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat() + "Z"


def plain(value: Any) -> Any:
    """A record (or list, mapping, scalar) as JSON-ready data of the library's types."""
    if isinstance(value, enum.Enum):  # before str: CallDirection is a str too
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, Decimal):
        return float(value)
    if attrs.has(type(value)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(value)):
            if f.name != "extra":
                out[wire_name(f.name)] = plain(getattr(value, f.name))
        extra = getattr(value, "extra", None)
        # Fields Plivo added after this release: kept, after the known ones.
        if extra:
            out.update({k: plain(v) for k, v in extra.items() if k not in out})
        return out
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return str(value)


def text_cell(value: Any, *, human: bool = False) -> str:
    """One csv/tsv/table cell: lists comma-joined, objects as compact JSON, absent as empty.

    `value` is already `plain`; Decimals are formatted before, from their digits.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        if human:
            return "yes" if value else "no"
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    if isinstance(value, list):
        # ", " for a person: a table then folds between items, not inside an address.
        return (", " if human else ",").join(text_cell(item, human=human) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def row_of(record: Any) -> dict[str, Any]:
    """A record as a mapping for the text formats: `plain`, but money keeps its exact digits."""
    if attrs.has(type(record)):
        out: dict[str, Any] = {}
        for f in attrs.fields(type(record)):
            if f.name == "extra":
                continue
            value = getattr(record, f.name)
            out[wire_name(f.name)] = (
                format(value, "f") if isinstance(value, Decimal) else plain(value)
            )
        for key, value in (getattr(record, "extra", None) or {}).items():
            out.setdefault(key, plain(value))
        return out
    data = plain(record)
    return data if isinstance(data, dict) else {"value": data}
