"""``zentrunk report``: calls, answered, ASR, ACD, billed minutes and cost from a synced store.

It reads only the database (no API call, no credentials needed): the
numbers are those of `zentrunk_async.sync.report`, the same queries the
store's SQL views hold.
"""

from __future__ import annotations

import csv
import enum
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import typer
from rich.table import Table

from ._console import stdout_console
from ._errors import EXIT_USAGE, CLIError, fail, leaf, print_traceback
from ._output import print_json
from ._state import state_of
from ._sync import DbOption, db_option_default, store_error
from ._times import TIME_HELP, parse_time

if TYPE_CHECKING:
    from ..sync import HangupCauseRow, ReportRow


class ReportFormat(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("report")(report_command)


def report_command(
    ctx: typer.Context,
    db: DbOption = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", parser=parse_time, help=f"end_time >= this. {TIME_HELP}"),
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", parser=parse_time, help="end_time < this.")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Group by any of day, trunk, country, cause (comma list).")
    ] = "day,trunk",
    output: Annotated[
        ReportFormat, typer.Option("--output", "-o", case_sensitive=False, help="Output format.")
    ] = ReportFormat.table,
    chart: Annotated[
        Path | None,
        typer.Option(
            "--chart",
            metavar="FILE",
            help="Also draw calls, ASR and cost per day (.png, .html).",
            dir_okay=False,
        ),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", min=0, help="Top hangup causes shown under the table.")
    ] = 10,
) -> None:
    """Report per day and trunk (or country, hangup cause) from the database of `calls sync`."""
    from ..sync import DIMENSIONS, store_for
    from ..sync._chart import CHART_SUFFIXES

    groups = tuple(part.strip() for part in by.split(",") if part.strip())
    unknown = [g for g in groups if g not in DIMENSIONS]
    if unknown or not groups:
        raise typer.BadParameter(
            f"unknown grouping {', '.join(unknown) or '(none)'}; use day, trunk, country, cause",
            param_hint="--by",
        )
    if chart is not None and chart.suffix.lower() not in CHART_SUFFIXES:
        raise typer.BadParameter("the chart file must end in .png or .html", param_hint="--chart")
    if since is not None and until is not None and until <= since:
        raise typer.BadParameter("--until must be after --since")
    url = db or db_option_default()
    try:
        store_for(url)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--db") from None
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        fail(
            CLIError(f"no database at {url}: run 'zentrunk calls sync' first", exit_code=EXIT_USAGE)
        )

    async def main() -> tuple[list[ReportRow], list[HangupCauseRow], list[ReportRow]]:
        from ..sync import open_store, report, top_hangup_causes

        async with open_store(url) as store:
            rows = await report(store, since=since, until=until, by=groups)
            causes = await top_hangup_causes(store, since=since, until=until, limit=top)
            daily = await report(store, since=since, until=until, by=("day",)) if chart else []
        return rows, causes, daily

    try:
        rows, causes, daily = anyio.run(main)
        if chart is not None:
            from ..sync._chart import write_chart

            write_chart(daily, chart)
    except Exception as exc:
        if state_of(ctx).debug:
            print_traceback(exc)
        fail(store_error(leaf(exc)))
    _show(rows, causes, groups, output, top)
    if chart is not None:
        typer.echo(f"Chart written to {chart}", err=True)


def _show(
    rows: list[ReportRow],
    causes: list[HangupCauseRow],
    groups: tuple[str, ...],
    output: ReportFormat,
    top: int,
) -> None:
    data = [r.as_dict(groups) for r in rows]
    if output is ReportFormat.json:
        print_json(data)
        return
    if output is ReportFormat.csv:
        columns = list(data[0]) if data else _columns(groups)
        writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
        return
    table = Table(title=f"Calls by {', '.join(groups)} ({len(rows)} rows)", title_justify="left")
    columns = _columns(groups)
    for name in columns:
        table.add_column(name, justify="left" if name in _DIMENSION_COLUMNS else "right")
    for row in data:
        table.add_row(*(_cell(name, row.get(name)) for name in columns))
    console = stdout_console()
    console.print(table)
    if top and causes:
        causes_table = Table(title="Top hangup causes", title_justify="left")
        for name in ("code", "name", "meaning", "calls", "share"):
            causes_table.add_column(name, justify="right" if name in ("calls", "share") else "left")
        for c in causes:
            causes_table.add_row(
                "" if c.code is None else str(c.code),
                c.name or "",
                c.meaning or "",
                f"{c.calls:,}",
                f"{100 * c.share:.1f}%",
            )
        console.print(causes_table)


_DIMENSION_COLUMNS = ("day", "trunk_id", "country", "hangup_cause_code", "hangup_cause_name")
_MEASURES = ("calls", "answered", "asr", "acd", "billed_minutes", "cost")


def _columns(groups: tuple[str, ...]) -> list[str]:
    from ..sync import DIMENSIONS

    return [c for g in groups for c in DIMENSIONS[g]] + list(_MEASURES)


def _cell(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "asr":
        return f"{100 * value:.1f}%"
    if name == "acd":
        return f"{value:.0f} s"
    if name == "billed_minutes":
        return f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
