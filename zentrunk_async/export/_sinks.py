"""How CDRs are written: one per JSONL line or CSV row, in the API's wire format.

The encoders return text for a whole batch at once, so a file export can
digest exactly the bytes it appends (see `_checkpoint`); `JsonlSink` and
`CsvSink` write the same text into any text handle.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import IO, Any, Protocol

import attrs

from .._convert import converter
from .._models import CallRecord

#: CSV columns: every documented CDR field, in the order of the record class;
#: fields the API adds later go, as JSON, into a last `extra` column.
CSV_COLUMNS = [
    field.alias if field.alias and not field.alias.startswith("_") else field.name
    for field in attrs.fields(CallRecord)
    if field.name != "extra"
]


class Sink(Protocol):
    def write(self, records: Iterable[CallRecord]) -> None: ...


def jsonl_text(records: Iterable[CallRecord]) -> str:
    """One JSON object per line: each CDR exactly as the API sends it (extra fields included)."""
    dumps = json.dumps
    return "".join(dumps(converter.unstructure(r)) + "\n" for r in records)


def csv_header() -> str:
    return _csv_text([[*CSV_COLUMNS, "extra"]])


def csv_text(records: Iterable[CallRecord]) -> str:
    """One CSV row per CDR, in `CSV_COLUMNS` order, unknown fields as JSON in `extra`."""
    return _csv_text(_row(converter.unstructure(r)) for r in records)


class JsonlSink:
    """One JSON object per line: the CDR exactly as the API sends it (extra fields included)."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def write(self, records: Iterable[CallRecord]) -> None:
        """Append the records as JSON lines and flush."""
        self._handle.write(jsonl_text(records))
        self._handle.flush()


class CsvSink:
    """A header row, then one row per CDR; unknown fields as JSON in the `extra` column."""

    def __init__(self, handle: IO[str], *, write_header: bool = True) -> None:
        self._handle = handle
        if write_header:
            self._handle.write(csv_header())
            self._handle.flush()

    def write(self, records: Iterable[CallRecord]) -> None:
        """Append one CSV row per record and flush."""
        self._handle.write(csv_text(records))
        self._handle.flush()


def _row(wire: dict[str, Any]) -> list[str]:
    extra = {key: value for key, value in wire.items() if key not in CSV_COLUMNS}
    row = [_cell(wire.get(column)) for column in CSV_COLUMNS]
    row.append(json.dumps(extra) if extra else "")
    return row


def _csv_text(rows: Iterable[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _cell(value: object) -> str:
    """JSON's spelling of null and booleans, so CSV and JSONL say the same thing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
