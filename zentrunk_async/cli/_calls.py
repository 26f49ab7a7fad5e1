"""``zentrunk calls list|get|insights`` (``calls export`` lives in _export.py).

``calls list`` is for looking, so it stops at 50 records unless told
otherwise; pulling everything is what ``calls export`` is for (concurrent,
resumable, into a file).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from .._models import CallDirection, HangupSource
from ._app import JsonFlag, state_of
from ._common import Spec, call_api, resource_app, show_list
from ._output import show_record
from ._times import TIME_HELP, parse_time

#: A screenful: enough to eyeball, few enough not to spend the account's request budget.
DEFAULT_LIST_MAX = 50

CALLS = Spec(
    "calls",
    "call",
    "call_uuid",
    (
        "call_uuid",
        "end_time",
        "call_direction",
        "from_number",
        "to_number",
        "bill_duration",
        "hangup_cause_name",
    ),
    "Calls",
)

calls_app = resource_app("Call detail records (read only) and call quality.")

CallUuid = Annotated[str, typer.Argument(metavar="CALL_UUID")]


@calls_app.command("list")
def calls_list(
    ctx: typer.Context,
    since: Annotated[
        datetime | None,
        typer.Option("--since", parser=parse_time, help=f"end_time >= this. {TIME_HELP}"),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option("--until", parser=parse_time, help="end_time < this (needs --since)."),
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
        int, typer.Option("--max-items", min=1, help="Stop after this many calls.")
    ] = DEFAULT_LIST_MAX,
    json_flag: JsonFlag = False,
) -> None:
    """List calls newest first (the API searches the last 30 days unless --since is given)."""
    state = state_of(ctx, json_flag)
    records = call_api(
        state,
        lambda zt: zt.calls.list(
            end_time__gte=since,
            end_time__lt=until,
            call_direction=call_direction,
            from_number=from_number,
            to_number=to_number,
            hangup_source=hangup_source,
            max_items=max_items,
        ).collect(),
    )
    show_list(records, CALLS, state)


@calls_app.command("get")
def calls_get(ctx: typer.Context, call_uuid: CallUuid, json_flag: JsonFlag = False) -> None:
    """Show one call detail record."""
    state = state_of(ctx, json_flag)
    record = call_api(state, lambda zt: zt.calls.get(call_uuid))
    show_record(record, title=f"call {call_uuid}", as_json=state.json)


@calls_app.command("insights")
def calls_insights(ctx: typer.Context, call_uuid: CallUuid, json_flag: JsonFlag = False) -> None:
    """Show a call's quality: RTT, jitter, packet loss, post-dial delay, quality score."""
    state = state_of(ctx, json_flag)
    record = call_api(state, lambda zt: zt.calls.insights(call_uuid))
    show_record(record, title=f"insights of call {call_uuid}", as_json=state.json)
