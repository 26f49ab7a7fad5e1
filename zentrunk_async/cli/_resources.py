"""``zentrunk trunks|credentials|ip-acls|uris list|get|create|update|delete``.

Options use the API's own parameter names (``--trunk-direction``,
``--ipacl-uuid``), as the SDK's keyword arguments do, so the reference
documentation reads the same whichever tool is in hand. Checks on values
are the SDK's: a wrong one fails before any request with exit code 2.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .._models import TrunkDirection, TrunkStatus
from ._app import JsonFlag, state_of
from ._calls import calls_app
from ._common import (
    Spec,
    add_get_delete,
    add_list,
    call_api,
    resource_app,
    show_list,
    show_write,
)

TRUNKS = Spec(
    "trunks",
    "trunk",
    "trunk_id",
    ("trunk_id", "name", "trunk_direction", "trunk_status", "secure", "trunk_domain"),
    "Trunks",
)
CREDENTIALS = Spec(
    "credentials",
    "credential",
    "credential_uuid",
    ("credential_uuid", "name", "username"),
    "Credentials",
)
IP_ACLS = Spec("ip_acls", "IP ACL", "ipacl_uuid", ("ipacl_uuid", "name", "ip_addresses"), "IP ACLs")
URIS = Spec(
    "origination_uris",
    "origination URI",
    "uri_uuid",
    ("uri_uuid", "name", "uri", "authentication_needed", "username"),
    "Origination URIs",
)

trunks_app = resource_app("SIP trunks (Zentrunk/Trunk/).")
credentials_app = resource_app("SIP digest credentials for outbound trunks.")
ip_acls_app = resource_app("IP access control lists for outbound trunks.")
uris_app = resource_app("Origination URIs: where inbound calls go.")


def register(app: typer.Typer) -> None:
    app.add_typer(trunks_app, name="trunks")
    app.add_typer(credentials_app, name="credentials")
    app.add_typer(ip_acls_app, name="ip-acls")
    app.add_typer(uris_app, name="uris")
    app.add_typer(calls_app, name="calls")


for _sub, _spec in (
    (trunks_app, TRUNKS),
    (credentials_app, CREDENTIALS),
    (ip_acls_app, IP_ACLS),
    (uris_app, URIS),
):
    add_get_delete(_sub, _spec)
for _sub, _spec in ((credentials_app, CREDENTIALS), (ip_acls_app, IP_ACLS), (uris_app, URIS)):
    add_list(_sub, _spec)

Name = Annotated[str | None, typer.Option("--name", help="A label for people.")]
Direction = Annotated[
    TrunkDirection | None, typer.Option("--trunk-direction", case_sensitive=False)
]
Status = Annotated[TrunkStatus | None, typer.Option("--trunk-status", case_sensitive=False)]
Secure = Annotated[
    bool | None, typer.Option("--secure/--no-secure", help="TLS signalling and SRTP media.")
]
Uuid = Annotated[str | None, typer.Option(show_default=False)]
Password = Annotated[
    str,
    typer.Option(
        "--password",
        prompt=True,
        hide_input=True,
        envvar="ZENTRUNK_SIP_PASSWORD",
        help="SIP password (prompted for when not given; never printed).",
    ),
]


# --- trunks -----------------------------------------------------------------------------------


@trunks_app.command("list")
def trunks_list(
    ctx: typer.Context,
    trunk_direction: Direction = None,
    trunk_status: Status = None,
    max_items: Annotated[int | None, typer.Option("--max-items", min=1)] = None,
    json_flag: JsonFlag = False,
) -> None:
    """List trunks, optionally only one direction or status."""
    state = state_of(ctx, json_flag)
    records = call_api(
        state,
        lambda zt: zt.trunks.list(
            trunk_direction=trunk_direction, trunk_status=trunk_status, max_items=max_items
        ).collect(),
    )
    show_list(records, TRUNKS, state)


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
    json_flag: JsonFlag = False,
) -> None:
    """Create a trunk: inbound needs --primary-uri-uuid; outbound an IP ACL and/or credential."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
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
    )
    show_write(response, what="trunk created", state=state)


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
    json_flag: JsonFlag = False,
) -> None:
    """Change the given fields of a trunk (the others stay as they are)."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
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
    )
    show_write(response, what=f"trunk {trunk_id} updated", state=state)


@trunks_app.command("route-number")
def trunks_route_number(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The phone number, digits (E.164 without '+').")],
    trunk_id: Annotated[str, typer.Argument(metavar="TRUNK_ID", help="An inbound trunk.")],
    json_flag: JsonFlag = False,
) -> None:
    """Send a phone number's inbound calls to an inbound trunk."""
    state = state_of(ctx, json_flag)
    response = call_api(state, lambda zt: zt.trunks.route_number(number, trunk_id))
    show_write(response, what=f"number {number} routed to {trunk_id}", state=state)


# --- credentials ------------------------------------------------------------------------------


@credentials_app.command("create")
def credentials_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Option("--username")],
    password: Password,
    name: Name = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create a SIP credential (the API never returns the password)."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state, lambda zt: zt.credentials.create(username=username, password=password, name=name)
    )
    show_write(response, what="credential created", state=state)


@credentials_app.command("update")
def credentials_update(
    ctx: typer.Context,
    credential_uuid: Annotated[str, typer.Argument(metavar="CREDENTIAL_UUID")],
    password: Password,
    username: Annotated[str | None, typer.Option("--username")] = None,
    name: Name = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change a credential; the password is always needed (the API blanks it otherwise)."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
        lambda zt: zt.credentials.update(
            credential_uuid, password=password, username=username, name=name
        ),
    )
    show_write(response, what=f"credential {credential_uuid} updated", state=state)


# --- IP ACLs ----------------------------------------------------------------------------------

Addresses = Annotated[
    list[str] | None,
    typer.Option("--ip-address", "--ip", help="An IP or CIDR; repeat for several."),
]


@ip_acls_app.command("create")
def ip_acls_create(
    ctx: typer.Context,
    ip_addresses: Addresses = None,
    name: Name = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an IP ACL from one or more --ip-address values."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state, lambda zt: zt.ip_acls.create(ip_addresses=ip_addresses or [], name=name)
    )
    show_write(response, what="IP ACL created", state=state)


@ip_acls_app.command("update")
def ip_acls_update(
    ctx: typer.Context,
    ipacl_uuid: Annotated[str, typer.Argument(metavar="IPACL_UUID")],
    ip_addresses: Addresses = None,
    name: Name = None,
    json_flag: JsonFlag = False,
) -> None:
    """Rename an IP ACL and/or replace its whole address list (the API does not merge)."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
        lambda zt: zt.ip_acls.update(ipacl_uuid, ip_addresses=ip_addresses or None, name=name),
    )
    show_write(response, what=f"IP ACL {ipacl_uuid} updated", state=state)


# --- origination URIs -------------------------------------------------------------------------

AuthNeeded = Annotated[
    bool | None,
    typer.Option("--authentication-needed/--no-authentication-needed", help="Digest auth."),
]
UriUser = Annotated[str | None, typer.Option("--username")]
UriPassword = Annotated[
    str | None, typer.Option("--password", envvar="ZENTRUNK_SIP_PASSWORD", show_default=False)
]


@uris_app.command("create")
def uris_create(
    ctx: typer.Context,
    uri: Annotated[str, typer.Option("--uri", help="host[:port][;transport=udp|tcp|tls]")],
    name: Name = None,
    authentication_needed: AuthNeeded = None,
    username: UriUser = None,
    password: UriPassword = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an origination URI for inbound trunks."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
        lambda zt: zt.origination_uris.create(
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        ),
    )
    show_write(response, what="origination URI created", state=state)


@uris_app.command("update")
def uris_update(
    ctx: typer.Context,
    uri_uuid: Annotated[str, typer.Argument(metavar="URI_UUID")],
    uri: Annotated[str | None, typer.Option("--uri")] = None,
    name: Name = None,
    authentication_needed: AuthNeeded = None,
    username: UriUser = None,
    password: UriPassword = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change the given fields of an origination URI."""
    state = state_of(ctx, json_flag)
    response = call_api(
        state,
        lambda zt: zt.origination_uris.update(
            uri_uuid,
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        ),
    )
    show_write(response, what=f"origination URI {uri_uuid} updated", state=state)
