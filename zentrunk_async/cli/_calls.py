"""``zentrunk calls list|get|insights``, and the modules that add more under ``calls``.

``calls list`` is for looking, so it stops at 50 records unless told
otherwise (``--max N``, ``--all``); pulling everything into a file is what
``calls export`` is for (concurrent, resumable).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from .._models import CallDirection, CallInsights, CallRecord, HangupSource
from ._common import (
    OrderedGroup,
    Spec,
    call_api,
    list_limit,
    note_cut,
    show_list,
    show_one,
    take,
)
from ._lazy import LazyGroup
from ._state import JsonFlag, OutputFlag, state_of
from ._times import SINCE_HELP, UNTIL_HELP, parse_time, show_time

#: ``zentrunk calls NAME`` -> (the module whose ``register(calls_app)`` adds it, its help line),
#: one line each; loaded when used (calls export imports rich, httpx and the export package).
CALLS_COMMANDS: dict[str, tuple[str, str]] = {
    "export": ("._export", "Every call of a span into a JSONL or CSV file (resumable)."),
    # _export.register adds verify too (the exportfile work); listed so it loads lazily.
    "verify": ("._export", "Check an exported file: exit 0 when complete, counts when not."),
    "sync": ("._sync", "Keep every CDR in a database: incremental, verified, idempotent."),
}


class CallsGroup(LazyGroup, OrderedGroup):
    lazy = CALLS_COMMANDS


CALLS = Spec(
    "calls",
    "call",
    "call_uuid",
    (
        "call_uuid",
        "end_time",
        "from_number",
        "to_number",
        "call_direction",
        "bill_duration",
        "hangup_cause_name",
    ),
    "Calls",
    CallRecord,
)
INSIGHTS = Spec("calls", "call", "call_uuid", (), "Insights", CallInsights)

calls_app = typer.Typer(
    cls=CallsGroup,
    help="Call detail records (read only), call quality, bulk export.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CallUuid = Annotated[str, typer.Argument(metavar="CALL_UUID")]


def register(app: typer.Typer) -> None:
    app.add_typer(calls_app, name="calls")


@calls_app.command("list")
def calls_list(
    ctx: typer.Context,
    since: Annotated[
        datetime | None, typer.Option("--since", parser=parse_time, help=SINCE_HELP)
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", parser=parse_time, help=UNTIL_HELP)
    ] = None,
    call_direction: Annotated[
        CallDirection | None, typer.Option("--call-direction", case_sensitive=False)
    ] = None,
    from_number: Annotated[str | None, typer.Option("--from-number")] = None,
    to_number: Annotated[str | None, typer.Option("--to-number")] = None,
    hangup_source: Annotated[
        HangupSource | None, typer.Option("--hangup-source", case_sensitive=False)
    ] = None,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max",
            "--max-items",
            min=1,
            help="Stop after this many calls (default 50).",
            show_default=False,
        ),
    ] = None,
    all_items: Annotated[
        bool, typer.Option("--all", help="Every matching call (for files: calls export).")
    ] = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """List calls newest first (the API searches the last 30 days unless --since is given)."""
    state = state_of(ctx, json_flag, output)
    if since is not None and until is not None and until <= since:
        raise typer.BadParameter(
            f"--until {show_time(until)} is not after --since {show_time(since)}",
            param_hint="'--until'",
        )
    limit = list_limit(max_items, all_items)
    listed = call_api(
        state,
        lambda zt: take(
            zt.calls.list(
                end_time__gte=since,
                end_time__lt=until,
                call_direction=call_direction,
                from_number=from_number,
                to_number=to_number,
                hangup_source=hangup_source,
                max_items=limit,
            ),
            limit,
        ),
    )
    show_list(listed.records, CALLS, state)
    note_cut(listed, limit, "calls", more="zentrunk calls export --since S --out FILE")


@calls_app.command("get")
def calls_get(
    ctx: typer.Context, call_uuid: CallUuid, output: OutputFlag = None, json_flag: JsonFlag = False
) -> None:
    """Show one call detail record."""
    state = state_of(ctx, json_flag, output)
    record = call_api(state, lambda zt: zt.calls.get(call_uuid))
    show_one(record, CALLS, state, f"call {call_uuid}")


@calls_app.command("insights")
def calls_insights(
    ctx: typer.Context, call_uuid: CallUuid, output: OutputFlag = None, json_flag: JsonFlag = False
) -> None:
    """Show a call's quality: RTT, jitter, packet loss, post-dial delay, quality score."""
    state = state_of(ctx, json_flag, output)
    record = call_api(state, lambda zt: zt.calls.insights(call_uuid))
    show_one(record, INSIGHTS, state, f"insights of call {call_uuid}")
