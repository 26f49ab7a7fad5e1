"""Records as rich tables for people, or JSON for scripts (``--json``).

JSON goes through the SDK's own converter, so a record prints exactly as
the API spells it (wire field names, UTC timestamps, money as strings) and
a script can feed it back to the API or compare it with Plivo's console.
JSON is written with plain ``sys.stdout`` writes: rich would colour it and
read ``[...]`` in values as markup.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from .._convert import converter


def wire(record: object) -> Any:
    """A record (or a list of them) as the API's JSON would carry it."""
    return converter.unstructure(record)


def stdout_console() -> Console:
    """A console per command, writing to whatever ``sys.stdout`` is now (tests swap it)."""
    return Console(file=sys.stdout, soft_wrap=False, highlight=False)


def stderr_console() -> Console:
    return Console(file=sys.stderr, highlight=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def cell(value: Any) -> str:
    """One table cell: lists joined, nested objects as compact JSON, absent as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, Mapping):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def show_records(
    records: Sequence[object], *, columns: Sequence[str], title: str, as_json: bool
) -> None:
    """A list command's output: selected columns as a table, or every field as a JSON array."""
    rows = [wire(record) for record in records]
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"{title} ({len(rows)})", title_justify="left")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(cell(row.get(name)) for name in columns))
    stdout_console().print(table)


def show_record(record: object, *, title: str, as_json: bool) -> None:
    """One record (or API response) as a field/value table, or as a JSON object."""
    show_mapping(wire(record), title=title, as_json=as_json)


def show_mapping(data: Mapping[str, Any], *, title: str, as_json: bool) -> None:
    if as_json:
        print_json(dict(data))
        return
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for name, value in data.items():
        table.add_row(name, cell(value))
    stdout_console().print(table)


def show_lines(lines: Iterable[str]) -> None:
    console = stdout_console()
    for line in lines:
        # soft_wrap: a long path or URL stays on one line (and copy-pasteable).
        console.print(line, markup=False, soft_wrap=True)
