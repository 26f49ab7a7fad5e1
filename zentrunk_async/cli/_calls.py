"""``zentrunk calls list|get|insights``, and the modules that add more under ``calls``.

``calls list`` is for looking, so it stops at 50 records unless told
otherwise (``--max N``, ``--all``); pulling everything into a file is what
``calls export`` is for (concurrent, resumable).
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Annotated

import typer

from .._models import CallDirection, CallInsights, CallRecord, HangupSource
from ._common import Spec, call_api, list_limit, note_cut, resource_app, show_list, show_one, take
from ._state import JsonFlag, OutputFlag, state_of
from ._times import SINCE_HELP, UNTIL_HELP, parse_time

#: Modules that add commands under ``zentrunk calls``, one line each: each has
#: ``register(calls_app)``.
CALLS_MODULES = ("._export",)

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

calls_app = resource_app("Call detail records (read only), call quality, bulk export.")

CallUuid = Annotated[str, typer.Argument(metavar="CALL_UUID")]


def register(app: typer.Typer) -> None:
    for name in CALLS_MODULES:
        importlib.import_module(name, __package__).register(calls_app)
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
