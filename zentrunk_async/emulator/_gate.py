"""Which account a request is for, and whether it may pass (auth, per-account faults).

The path names the account (``/v1/Account/{auth_id}/...``); its own
credentials, rate-limit window and faults apply. A path naming no served
account meets the first account (and then a 401), as with a single account.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from ._account import Account
from ._answer_faults import AnswerFaultMiddleware
from ._faults import FaultMiddleware
from ._validate import ApiError


def accounts_of(request: Request) -> dict[str, Account]:
    accounts: dict[str, Account] = request.app.state.accounts
    return accounts


def account_of(request: Request, auth_id: str | None) -> Account:
    """The account the path names; an unknown one is answered by the first (a 401 follows)."""
    accounts = accounts_of(request)
    account = accounts.get(auth_id or "")
    return account if account is not None else next(iter(accounts.values()))


def authenticate(request: Request, emulator: Account, auth_id: str | None = None) -> None:
    """HTTP Basic with the account's id and token; the path's account must be the caller's."""
    config = emulator.config
    if auth_id is None:
        auth_id = request.path_params.get("auth_id")
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    user = password = ""
    if scheme.lower() == "basic":
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            user = password = ""
    valid = secrets.compare_digest(
        user.encode(), config.auth_id.encode()
    ) and secrets.compare_digest(password.encode(), config.auth_token.encode())
    if not valid or auth_id != config.auth_id:
        raise ApiError(401, "authentication failed")


class AccountFaults:
    """Each account's faults in front of the routes: the path's account decides.

    One `FaultMiddleware` per account, so a fault switched on for one account
    never touches another's requests; a path naming no served account (a 401
    follows) meets the first account's faults, as with a single account.
    """

    def __init__(self, app: ASGIApp, accounts: Sequence[Account]) -> None:
        self.app = app
        # The answer faults sit inside: a 429 or 5xx answers before any handler acts.
        self.by_id = {
            a.auth_id: FaultMiddleware(AnswerFaultMiddleware(app, emulator=a), emulator=a)
            for a in accounts
        }
        self.first = next(iter(self.by_id.values()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        parts = path.split("/", 4)
        account_id = parts[3] if len(parts) > 3 and parts[2] == "Account" else ""
        await self.by_id.get(account_id, self.first)(scope, receive, send)
