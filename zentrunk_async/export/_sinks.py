"""Streaming file sinks: one CDR per JSONL line or CSV row, in the API's wire format."""

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


class JsonlSink:
    """One JSON object per line: the CDR exactly as the API sends it (extra fields included)."""

    def __init__(self, handle: IO[str]) -> None:
        self._handle = handle

    def write(self, records: Iterable[CallRecord]) -> None:
        """Append the records as JSON lines and flush."""
        dumps = json.dumps
        self._handle.write("".join(dumps(converter.unstructure(r)) + "\n" for r in records))
        self._handle.flush()


class CsvSink:
    """A header row, then one row per CDR; unknown fields as JSON in the `extra` column."""

    def __init__(self, handle: IO[str], *, write_header: bool = True) -> None:
        self._handle = handle
        self._columns = [*CSV_COLUMNS, "extra"]
        if write_header:
            self._write_rows([self._columns])

    def write(self, records: Iterable[CallRecord]) -> None:
        """Append one CSV row per record."""
        self._write_rows(self._row(converter.unstructure(r)) for r in records)

    def _row(self, wire: dict[str, Any]) -> list[str]:
        extra = {key: value for key, value in wire.items() if key not in CSV_COLUMNS}
        row = [_cell(wire.get(column)) for column in CSV_COLUMNS]
        row.append(json.dumps(extra) if extra else "")
        return row

    def _write_rows(self, rows: Iterable[list[str]]) -> None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        self._handle.write(buffer.getvalue())
        self._handle.flush()


def _cell(value: object) -> str:
    """JSON's spelling of null and booleans, so CSV and JSONL say the same thing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
