"""Admin routes under ``/__emulator__/``: list accounts, change faults and limits, read statistics.

They exist so a test or benchmark can steer an emulator in another process
(``python -m zentrunk_async.emulator``) the way the Python handle steers an
in-process one. They need no auth and are never faulted or rate-limited:
steering must work precisely when the API is being made to misbehave. Being
unauthenticated (``accounts`` even shows the tokens), they answer loopback
clients only: a server bound to another interface serves them to nobody else.

Each route acts on the first account unless ``?auth_id=...`` names another.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._account import Account

PREFIX = "/__emulator__"

Endpoint = Callable[[Request], Awaitable[Response]]


class _NoSuchAccount(LookupError):
    pass


def _emulator(request: Request) -> Account:
    """The account ``?auth_id=`` names, else the first one."""
    accounts: dict[str, Account] = request.app.state.accounts
    auth_id = request.query_params.get("auth_id")
    if auth_id is None:
        return next(iter(accounts.values()))
    if auth_id not in accounts:
        raise _NoSuchAccount(auth_id)
    return accounts[auth_id]


def _is_loopback(request: Request) -> bool:
    host = request.client.host if request.client is not None else ""
    if host in ("localhost", "testclient"):  # Starlette's TestClient names itself so
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(endpoint: Endpoint) -> Endpoint:
    async def guarded(request: Request) -> Response:
        if not _is_loopback(request):
            return JSONResponse({"error": "admin routes answer loopback clients only"}, 403)
        try:
            return await endpoint(request)
        except _NoSuchAccount as exc:
            return JSONResponse({"error": f"no account {exc.args[0]!r}"}, status_code=404)

    return guarded


async def accounts(request: Request) -> Response:
    """GET every served account as ``[{"auth_id": ..., "auth_token": ...}, ...]``."""
    served: dict[str, Account] = request.app.state.accounts
    return JSONResponse(
        [{"auth_id": a.auth_id, "auth_token": a.auth_token} for a in served.values()]
    )


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    return body


async def faults(request: Request) -> Response:
    """GET the current faults; POST a partial object to change some of them."""
    emulator = _emulator(request)
    if request.method == "POST":
        try:
            emulator.set_faults(**await _json_object(request))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse(emulator.faults.as_dict())


async def rate_limit(request: Request) -> Response:
    """POST ``{"requests": int | null, "period": float}``; ``requests: null`` switches it off."""
    emulator = _emulator(request)
    if request.method == "POST":
        try:
            body = await _json_object(request)
            requests = body.get("requests", emulator.limiter.requests)
            emulator.set_rate_limit(
                None if requests is None else int(requests),
                float(body.get("period", emulator.limiter.period)),
            )
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"requests": emulator.limiter.requests, "period": emulator.limiter.period})


async def stats(request: Request) -> Response:
    """GET counters; DELETE resets them (between benchmark phases)."""
    emulator = _emulator(request)
    if request.method == "DELETE":
        emulator.stats.reset()
    return JSONResponse(emulator.stats_dict())


async def calls(request: Request) -> Response:
    """POST ``{"count": n}``: n calls end now and appear at the head of the CDR list."""
    emulator = _emulator(request)
    try:
        count = int((await _json_object(request)).get("count", 1))
        if count < 0:
            raise ValueError("count must be >= 0")
    except (ValueError, TypeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    emulator.add_calls(count)
    return JSONResponse(emulator.stats_dict())


async def reset(request: Request) -> Response:
    """POST: clear faults (keeping their seed) and statistics."""
    emulator = _emulator(request)
    emulator.clear_faults()
    emulator.stats.reset()
    return JSONResponse({"faults": emulator.faults.as_dict(), "stats": emulator.stats_dict()})


async def health(request: Request) -> Response:
    emulator = _emulator(request)
    return JSONResponse({"status": "ok", "auth_id": emulator.config.auth_id})


def admin_routes() -> list[Route]:
    table: list[tuple[str, Endpoint, list[str]]] = [
        ("accounts", accounts, ["GET"]),
        ("faults", faults, ["GET", "POST"]),
        ("rate_limit", rate_limit, ["GET", "POST"]),
        ("stats", stats, ["GET", "DELETE"]),
        ("calls", calls, ["POST"]),
        ("reset", reset, ["POST"]),
        ("health", health, ["GET"]),
    ]
    return [
        Route(f"{PREFIX}/{name}", _guarded(endpoint), methods=methods)
        for name, endpoint, methods in table
    ]
