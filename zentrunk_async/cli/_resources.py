"""``zentrunk credentials|ip-acls|uris list|get|create|update|delete`` (trunks: _trunks.py).

Options use the API's own parameter names (``--trunk-direction``,
``--ipacl-uuid``), as the SDK's keyword arguments do, so the reference
documentation reads the same whichever tool is in hand. Checks on values
are the SDK's: a wrong one fails before any request with exit code 2, its
message naming the flag. Every write takes ``--dry-run``; deletes ask first.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .._models import Credential, IPAccessControlList, OriginationURI
from ._common import (
    Spec,
    add_get_delete,
    add_list,
    resource_app,
    write,
)
from ._passwords import Password, PasswordStdin, sip_password
from ._state import DryRunFlag, JsonFlag, OutputFlag, state_of
from ._trunks import trunks_app

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

credentials_app = resource_app("SIP digest credentials for outbound trunks.")
ip_acls_app = resource_app("IP access control lists for outbound trunks.")
uris_app = resource_app("Origination URIs: where inbound calls go.")


def register(app: typer.Typer) -> None:
    app.add_typer(trunks_app, name="trunks")
    app.add_typer(credentials_app, name="credentials")
    app.add_typer(ip_acls_app, name="ip-acls")
    app.add_typer(uris_app, name="uris")


for _sub, _spec in (
    (credentials_app, CREDENTIALS),
    (ip_acls_app, IP_ACLS),
    (uris_app, URIS),
):
    add_get_delete(_sub, _spec)
for _sub, _spec in ((credentials_app, CREDENTIALS), (ip_acls_app, IP_ACLS), (uris_app, URIS)):
    add_list(_sub, _spec)

Name = Annotated[str | None, typer.Option("--name", help="A label for people.")]


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
