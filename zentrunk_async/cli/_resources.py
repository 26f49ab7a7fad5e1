"""``zentrunk trunks|credentials|ip-acls|uris list|get|create|update|delete``.

Options use the API's own parameter names (``--trunk-direction``,
``--ipacl-uuid``), as the SDK's keyword arguments do, so the reference
documentation reads the same whichever tool is in hand. Checks on values
are the SDK's: a wrong one fails before any request with exit code 2, its
message naming the flag. Every write takes ``--dry-run``; deletes ask first.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .._models import (
    Credential,
    IPAccessControlList,
    OriginationURI,
    Trunk,
    TrunkDirection,
    TrunkStatus,
)
from ._common import (
    Spec,
    add_get_delete,
    add_list,
    call_api,
    dry_run,
    list_limit,
    note_cut,
    resource_app,
    show_list,
    show_write,
    take,
)
from ._passwords import Password, PasswordStdin, sip_password
from ._state import DryRunFlag, JsonFlag, OutputFlag, State, state_of

TRUNKS = Spec(
    "trunks",
    "trunk",
    "trunk_id",
    ("trunk_id", "name", "trunk_direction", "trunk_status", "secure", "trunk_domain"),
    "Trunks",
    Trunk,
)
CREDENTIALS = Spec(
    "credentials",
    "credential",
    "credential_uuid",
    ("credential_uuid", "name", "username"),
    "Credentials",
    Credential,
)
IP_ACLS = Spec(
    "ip_acls",
    "IP ACL",
    "ipacl_uuid",
    ("ipacl_uuid", "name", "ip_addresses"),
    "IP ACLs",
    IPAccessControlList,
)
URIS = Spec(
    "origination_uris",
    "origination URI",
    "uri_uuid",
    ("uri_uuid", "name", "uri", "authentication_needed", "username"),
    "Origination URIs",
    OriginationURI,
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


def write(state: State, dry: bool, operation: Any, *, what: str, id_field: str) -> None:
    """Send a create/update (or only print it, with --dry-run) and show the response."""
    if dry:
        dry_run(state, operation)
        return
    show_write(call_api(state, operation), what=what, state=state, id_field=id_field)


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


# --- credentials ------------------------------------------------------------------------------


@credentials_app.command("create")
def credentials_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Option("--username")],
    password: Password = None,
    password_stdin: PasswordStdin = False,
    name: Name = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create a SIP credential (the API never returns the password)."""
    state = state_of(ctx, json_flag, output)
    secret = sip_password(password, password_stdin, confirm=True)
    write(
        state,
        dry,
        lambda zt: zt.credentials.create(username=username, password=secret, name=name),
        what="credential created",
        id_field="credential_uuid",
    )


@credentials_app.command("update")
def credentials_update(
    ctx: typer.Context,
    credential_uuid: Annotated[str, typer.Argument(metavar="CREDENTIAL_UUID")],
    password: Password = None,
    password_stdin: PasswordStdin = False,
    username: Annotated[str | None, typer.Option("--username")] = None,
    name: Name = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change a credential; the password is always needed (the API blanks it otherwise)."""
    state = state_of(ctx, json_flag, output)
    secret = sip_password(password, password_stdin, confirm=True)
    write(
        state,
        dry,
        lambda zt: zt.credentials.update(
            credential_uuid, password=secret, username=username, name=name
        ),
        what=f"credential {credential_uuid} updated",
        id_field="credential_uuid",
    )


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
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an IP ACL from one or more --ip-address values."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.ip_acls.create(ip_addresses=ip_addresses or [], name=name),
        what="IP ACL created",
        id_field="ipacl_uuid",
    )


@ip_acls_app.command("update")
def ip_acls_update(
    ctx: typer.Context,
    ipacl_uuid: Annotated[str, typer.Argument(metavar="IPACL_UUID")],
    ip_addresses: Addresses = None,
    name: Name = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Rename an IP ACL and/or replace its whole address list (the API does not merge)."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.ip_acls.update(ipacl_uuid, ip_addresses=ip_addresses or None, name=name),
        what=f"IP ACL {ipacl_uuid} updated",
        id_field="ipacl_uuid",
    )


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
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Create an origination URI for inbound trunks."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.origination_uris.create(
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        ),
        what="origination URI created",
        id_field="uri_uuid",
    )


@uris_app.command("update")
def uris_update(
    ctx: typer.Context,
    uri_uuid: Annotated[str, typer.Argument(metavar="URI_UUID")],
    uri: Annotated[str | None, typer.Option("--uri")] = None,
    name: Name = None,
    authentication_needed: AuthNeeded = None,
    username: UriUser = None,
    password: UriPassword = None,
    dry: DryRunFlag = False,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
) -> None:
    """Change the given fields of an origination URI."""
    state = state_of(ctx, json_flag, output)
    write(
        state,
        dry,
        lambda zt: zt.origination_uris.update(
            uri_uuid,
            uri=uri,
            name=name,
            authentication_needed=authentication_needed,
            username=username,
            password=password,
        ),
        what=f"origination URI {uri_uuid} updated",
        id_field="uri_uuid",
    )
