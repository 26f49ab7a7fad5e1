"""Tables for a terminal that never cut an ID.

rich, left to itself, shrinks every column of a table too wide for the
terminal, so a 36-character ``call_uuid`` folds over two lines and a
double-click copies half of it. Here the columns a person copies (IDs,
times, phone numbers) are measured and kept whole; the others fold down to
a floor; and when even that does not fit, the lowest-priority columns (the
last ones) are left out and stderr says so, rather than cutting anything.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from ._plain import text_cell

#: Narrowest a foldable column's values get before the column is dropped instead.
FOLD_FLOOR = 8
#: Between two columns: one space of padding each side and a one-space divider
#: (box.SIMPLE_HEAD without edges or edge padding).
GAP = 3


def whole(name: str) -> bool:
    """Columns whose values must never be broken: identifiers (a trunk's SIP domain too),
    times, counts and phone numbers: what a person copies or reads as one token."""
    return name.endswith(
        ("_uuid", "_id", "_domain", "_time", "_number", "_at", "_duration", "username")
    )


def plan_columns(
    rows: Sequence[Mapping[str, str]], columns: Sequence[str], width: int, keep: str
) -> tuple[list[str], dict[str, int]]:
    """The columns that fit in `width` (`keep` always) and the width each one gets.

    Every width is decided here and given to rich as fixed: left to itself,
    rich would shrink whichever wrappable column is widest, a header included.
    """
    natural = {
        name: max([len(name), *(len(row.get(name, "")) for row in rows)]) for name in columns
    }
    # Headers stay whole too: a folded "trunk_direc/tion" reads as two words.
    floor = {
        name: natural[name] if whole(name) else max(len(name), min(natural[name], FOLD_FLOOR))
        for name in columns
    }
    # In priority order, each column that still fits: a narrow later column (a direction)
    # may fit where a wide earlier one (a second phone number) did not.
    shown = [keep]
    for name in columns:
        if name != keep and needed_width([*shown, name], floor) <= width:
            shown.append(name)
    shown.sort(key=list(columns).index)
    # What is left goes to the folding columns, in priority order, up to their natural width.
    spare = width - needed_width(shown, floor)
    widths = dict(floor)
    for name in shown:
        grant = max(0, min(natural[name] - floor[name], spare))
        widths[name] += grant
        spare -= grant
    return shown, widths


def print_table(
    records: Sequence[Mapping[str, Any]], *, columns: Sequence[str], title: str, keep: str
) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ._console import note, stdout_console

    console = stdout_console()
    rows = [{name: text_cell(row.get(name), human=True) for name in columns} for row in records]
    shown, floor = plan_columns(rows, columns, console.width, keep)
    if needed_width(shown, floor) > console.width:
        # Not even the ID fits beside its padding: bare lines cut nothing.
        for row in rows:
            sys.stdout.write(row[keep] + "\n")
        return
    dropped = [name for name in columns if name not in shown]
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False
    )
    for name in shown:
        if whole(name):
            table.add_column(name, no_wrap=True, width=floor[name], overflow="ignore")
        else:
            table.add_column(name, overflow="fold", width=floor[name])
    for row in rows:
        # Text, not str: a value such as "[red]" must print as itself, not as markup.
        table.add_row(*(Text(row[name]) for name in shown))
    console.print(table)
    if dropped:
        note(
            f"{len(dropped)} column(s) left out at this terminal width ({', '.join(dropped)}); "
            "-o tsv or -o json shows every field"
        )


def needed_width(shown: Sequence[str], floor: Mapping[str, int]) -> int:
    return sum(floor[name] for name in shown) + GAP * (len(shown) - 1)


def print_fields(row: Mapping[str, Any], *, title: str) -> None:
    """One record as a two-column field/value table; values fold, short IDs stay whole."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ._console import stdout_console

    console = stdout_console()
    table = Table(
        title=title, title_justify="left", show_header=False, box=box.SIMPLE, show_edge=False
    )
    table.add_column("field", style="bold", no_wrap=True)
    table.add_column("value", overflow="fold")
    for name, value in row.items():
        table.add_row(Text(name), Text(text_cell(value, human=True)))
    console.print(table)
