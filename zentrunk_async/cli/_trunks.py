"""``zentrunk trunks list|get|create|update|route-number|delete``.

Options use the API's own parameter names (``--trunk-direction``,
``--ipacl-uuid``), as the SDK's keyword arguments do.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .._models import Trunk, TrunkDirection, TrunkStatus
from ._common import (
    Spec,
    add_get_delete,
    call_api,
    list_limit,
    note_cut,
    resource_app,
    show_list,
    take,
    write,
)
from ._state import DryRunFlag, JsonFlag, OutputFlag, state_of

TRUNKS = Spec(
    "trunks",
    "trunk",
    "trunk_id",
    ("trunk_id", "name", "trunk_domain", "trunk_direction", "trunk_status", "secure"),
    "Trunks",
    Trunk,
)

trunks_app = resource_app("SIP trunks (Zentrunk/Trunk/).")
add_get_delete(trunks_app, TRUNKS)

Name = Annotated[str | None, typer.Option("--name", help="A label for people.")]
Direction = Annotated[
    TrunkDirection | None, typer.Option("--trunk-direction", case_sensitive=False)
]
Status = Annotated[TrunkStatus | None, typer.Option("--trunk-status", case_sensitive=False)]
Secure = Annotated[
    bool | None, typer.Option("--secure/--no-secure", help="TLS signalling and SRTP media.")
]
Uuid = Annotated[str | None, typer.Option(show_default=False)]


# --- trunks -----------------------------------------------------------------------------------


@trunks_app.command("list")
def trunks_list(
    ctx: typer.Context,
    trunk_direction: Direction = None,
    trunk_status: Status = None,
    max_items: Annotated[
        int | None,
        typer.Option(
            "--max",
            "--max-items",
            min=1,
            help="Stop after this many (default 50).",
            show_default=False,
        ),
    ] = None,
    all_items: Annotated[bool, typer.Option("--all", help="Every one, however many.")] = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """List trunks (50 unless --max/--all), optionally only one direction or status."""
    state = state_of(ctx, json_flag, output)
    limit = list_limit(max_items, all_items)
    listed = call_api(
        state,
        lambda zt: take(
            zt.trunks.list(
                trunk_direction=trunk_direction, trunk_status=trunk_status, max_items=limit
            ),
            limit,
        ),
    )
    show_list(listed.records, TRUNKS, state)
    note_cut(listed, limit, "trunks")


@trunks_app.command("create")
def trunks_create(
    ctx: typer.Context,
    trunk_direction: Annotated[
        TrunkDirection, typer.Option("--trunk-direction", case_sensitive=False)
    ],
    name: Name = None,
    trunk_status: Status = None,
    secure: Secure = None,
    ipacl_uuid: Uuid = None,
    credential_uuid: Uuid = None,
    primary_uri_uuid: Uuid = None,
    fallback_uri_uuid: Uuid = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create a trunk: inbound needs --primary-uri-uuid; outbound an IP ACL and/or credential."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.trunks.create(
            trunk_direction=trunk_direction,
            name=name,
            trunk_status=trunk_status,
            secure=secure,
            ipacl_uuid=ipacl_uuid,
            credential_uuid=credential_uuid,
            primary_uri_uuid=primary_uri_uuid,
            fallback_uri_uuid=fallback_uri_uuid,
        ),
        what="trunk created",
        id_field="trunk_id",
    )


@trunks_app.command("update")
def trunks_update(
    ctx: typer.Context,
    trunk_id: Annotated[str, typer.Argument(metavar="TRUNK_ID")],
    name: Name = None,
    trunk_status: Status = None,
    trunk_direction: Direction = None,
    secure: Secure = None,
    ipacl_uuid: Uuid = None,
    credential_uuid: Uuid = None,
    primary_uri_uuid: Uuid = None,
    fallback_uri_uuid: Uuid = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change the given fields of a trunk (the others stay as they are)."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.trunks.update(
            trunk_id,
            name=name,
            trunk_status=trunk_status,
            trunk_direction=trunk_direction,
            secure=secure,
            ipacl_uuid=ipacl_uuid,
            credential_uuid=credential_uuid,
            primary_uri_uuid=primary_uri_uuid,
            fallback_uri_uuid=fallback_uri_uuid,
        ),
        what=f"trunk {trunk_id} updated",
        id_field="trunk_id",
    )


@trunks_app.command("route-number")
def trunks_route_number(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The phone number, digits (E.164 without '+').")],
    trunk_id: Annotated[str, typer.Argument(metavar="TRUNK_ID", help="An inbound trunk.")],
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Send a phone number's inbound calls to an inbound trunk."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.trunks.route_number(number, trunk_id),
        what=f"number {number} routed to {trunk_id}",
        id_field="trunk_id",
    )
