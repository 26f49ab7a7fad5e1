"""What a command prints: a table for a person, a stable format for a pipe.

``-o/--output`` picks one of:

* ``table``: rich table, the default when stdout is a terminal. An ID is
  never cut or wrapped: ID, time and number columns keep their full width,
  other columns fold, and columns that cannot fit are left out (a note on
  stderr says which; ``-o tsv`` shows every field).
* ``tsv``: the default when stdout is not a terminal. A header line of the
  API's field names, then one line per record with every documented field,
  tab-separated (tabs and newlines inside values become spaces), so
  ``| grep``, ``| cut -f`` and ``| awk -F'\\t'`` work.
* ``csv``: the same rows as RFC 4180 CSV, with a header line.
* ``json``: an array for a list, an object for one record; ``jsonl``: one
  object per line. The library's types: numbers, booleans, ``null``.
* ``ids``: only the IDs, one per line (``| xargs -n1 zentrunk trunks get``).

Every format writes times one way, ISO 8601 UTC with ``Z``. Nothing here
imports rich unless a table is printed.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ._plain import field_names, plain, row_of, text_cell
from ._state import OutputFormat, State

if TYPE_CHECKING:
    pass

TABULAR = (OutputFormat.csv, OutputFormat.tsv)


def wire(record: object) -> Any:
    """A record (or a list of them) exactly as the API's JSON carries it (the SDK's converter).

    The CLI prints `plain` data instead (library types, one time spelling); this is
    for code that must write the wire format back.
    """
    from .._convert import converter

    return converter.unstructure(record)


def resolve_format(state: State) -> OutputFormat:
    """The format asked for, else a table on a terminal and TSV in a pipe."""
    if state.output is not None:
        return state.output
    if state.json:
        return OutputFormat.json
    return OutputFormat.table if sys.stdout.isatty() else OutputFormat.tsv


def print_json(data: Any) -> None:
    """JSON of `plain` data (records are converted first), indented, UTF-8."""
    sys.stdout.write(json.dumps(plain(data), indent=2, ensure_ascii=False) + "\n")


def _tsv(cells: Iterable[str]) -> str:
    return "\t".join(
        " ".join(cell.split("\t")).replace("\r", " ").replace("\n", " ") for cell in cells
    )


def write_rows(fmt: OutputFormat, header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """Header line then rows, as CSV or TSV."""
    if fmt is OutputFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([text_cell(row.get(name)) for name in header])
        return
    sys.stdout.write(_tsv(header) + "\n")
    for row in rows:
        sys.stdout.write(_tsv(text_cell(row.get(name)) for name in header) + "\n")


def show_records(
    records: Sequence[object],
    *,
    columns: Sequence[str],
    title: str,
    state: State | None = None,
    as_json: bool = False,
    id_field: str | None = None,
    record_type: type | None = None,
) -> None:
    """A list command's output in the resolved format (see the module docstring)."""
    fmt = (
        resolve_format(state)
        if state is not None
        else (OutputFormat.json if as_json else OutputFormat.table)
    )
    if fmt is OutputFormat.json:
        print_json(list(records))
    elif fmt is OutputFormat.jsonl:
        for record in records:
            sys.stdout.write(json.dumps(plain(record), ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.ids:
        key = id_field or columns[0]
        for record in records:
            sys.stdout.write(f"{row_of(record).get(key) or ''}\n")
    elif fmt in TABULAR:
        header = field_names(record_type) if record_type is not None else list(columns)
        write_rows(fmt, header, (row_of(record) for record in records))
    else:
        from ._table import print_table

        print_table(
            [row_of(record) for record in records],
            columns=columns,
            title=f"{title} ({len(records)})",
            keep=id_field or columns[0],
        )


def show_record(
    record: object,
    *,
    title: str,
    state: State | None = None,
    as_json: bool = False,
    id_field: str | None = None,
) -> None:
    """One record or response: field/value table, one-row CSV/TSV, JSON object, or its ID."""
    fmt = (
        resolve_format(state)
        if state is not None
        else (OutputFormat.json if as_json else OutputFormat.table)
    )
    row = row_of(record)
    if fmt is OutputFormat.json:
        print_json(record)
    elif fmt is OutputFormat.jsonl:
        sys.stdout.write(json.dumps(plain(record), ensure_ascii=False) + "\n")
    elif fmt is OutputFormat.ids:
        key = (
            id_field
            if id_field in row
            else next(
                (name for name in row if name.endswith(("_uuid", "_id")) and name != "api_id"), None
            )
        )
        sys.stdout.write(f"{row.get(key) or ''}\n" if key else "")
    elif fmt in TABULAR:
        # A record's documented fields, as in a list: the header does not change when the
        # API adds a field (json and jsonl carry those).
        header = field_names(type(record)) if attrs.has(type(record)) else list(row)
        write_rows(fmt, header, [row])
    else:
        from ._table import print_fields

        print_fields(row, title=title)


def show_mapping(data: Mapping[str, Any], *, title: str, as_json: bool) -> None:
    """A plain mapping (a summary), as a field/value table or as JSON."""
    if as_json:
        print_json(dict(data))
        return
    from ._table import print_fields

    print_fields(row_of(dict(data)), title=title)


def show_lines(lines: Iterable[str]) -> None:
    """Plain lines on stdout, never wrapped (a long path or URL stays copy-pasteable)."""
    for line in lines:
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
