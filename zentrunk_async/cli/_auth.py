"""``zentrunk auth check``: who am I, against which base URL, and does the token work.

Two cheap requests: ``GET /v1/Account/{auth_id}/`` for the account's name
and type (where the server has that route; the emulator gained it late, and
a proxy may not pass it), then one Zentrunk list call with ``limit=1``,
which is what every other command needs to work. The token is never
printed, only where it came from.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ._common import call_api
from ._output import show_record
from ._state import JsonFlag, OutputFlag, state_of

auth_app = typer.Typer(help="Check the credentials.", no_args_is_help=True, rich_markup_mode=None)


def register(app: typer.Typer) -> None:
    app.add_typer(auth_app, name="auth")


async def _account(zt: Any, token: str) -> dict[str, Any] | None:
    """The account's own record, or None where the route is not served or not allowed."""
    import httpx

    url = f"{zt.base_url.rstrip('/')}/v1/Account/{zt.auth_id}/"
    try:
        async with httpx.AsyncClient(timeout=10.0) as http:
            response = await http.get(url, auth=(zt.auth_id, token))
    except httpx.HTTPError:
        return None  # the Zentrunk call that follows reports the network failure properly
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


@auth_app.command("check")
def auth_check(
    ctx: typer.Context,
    output: OutputFlag = None,
    json_flag: JsonFlag = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing; only the exit code.")
    ] = False,
) -> None:
    """Check the Auth ID and Token against the API: exit 0 when they work, 1 when refused."""
    state = state_of(ctx, json_flag, output)
    settings = state.settings()
    _, token = settings.require_credentials()

    async def check(zt: Any) -> dict[str, Any]:
        account = await _account(zt, token)
        await zt.trunks.list(max_items=1).collect()  # raises AuthenticationError on a bad token
        return {
            "auth_id": zt.auth_id,
            "base_url": zt.base_url,
            "profile": settings.profile,
            "credentials_from": settings.sources.get("auth_token"),
            "token_works": True,
            "account_name": None if account is None else account.get("name"),
            "account_type": None if account is None else account.get("account_type"),
            "checked_with": "GET /v1/Account/{auth_id}/ and GET Zentrunk/Trunk/?limit=1"
            if account is not None
            else "GET Zentrunk/Trunk/?limit=1 (no account route at this base URL)",
            "rate_limit": None if zt.rate_limit is None else zt.rate_limit.requests,
        }

    report = call_api(state, check)
    if not quiet:
        show_record(report, title="auth check: the token works", state=state, id_field="auth_id")
