"""Starlette routes of the emulated API (paths, shapes and status codes of zentrunk-api.md).

`build_app` is a factory that receives the accounts it serves: this module
never imports the `Emulator` handle, so the emulator's imports flow one way
(_config, _validate → _store, _calls, _faults → _account → _gate, _admin → _app → _emulator).

Handlers are thin: find the path's account, authenticate, rate-limit,
parse, call the store, shape the envelope. Everything they answer is JSON
with an ``api_id``; errors are ``{"api_id", "error"}`` (§9.1), including the
router's own 404/405. Unslashed paths are not redirected: the live API
documents only slashed ones (§15.1), and a client that forgets the slash
should find out here. An unknown collection under ``Zentrunk/`` answers 503,
as the live API does (§15a L4); an unknown top-level path is 404.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._account import Account
from ._admin import admin_routes
from ._callquery import page_args, parse_call_query
from ._gate import AccountFaults, account_of, accounts_of, authenticate
from ._ratelimit import retry_after_header
from ._store import DIRECTIONS, STATUSES, TRUNK_REFS
from ._validate import ApiError, bad

try:  # the aiohttp extra brings it; the emulator is faster with it, never different
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised where the extra is not installed
    _orjson = None  # type: ignore[assignment]


class Ctx(NamedTuple):
    request: Request
    emulator: Account  # the account the path names (historical field name)
    now: float
    body: dict[str, Any]


Handler = Callable[[Ctx], Response]


class _Resource(NamedTuple):
    """A configuration resource: its path segment, store name, id field and messages (§3-§6)."""

    segment: str
    kind: str
    id_field: str
    created: str
    updated: str


RESOURCES = (
    _Resource(
        "Trunk", "trunk", "trunk_id", "Trunk created successfully.", "Trunk updated successfully."
    ),
    _Resource(
        "Credential",
        "credential",
        "credential_uuid",
        "credential created successfully.",
        "Credential updated successfully.",
    ),
    _Resource(
        "IPAccessControlList",
        "ipacl",
        "ipacl_uuid",
        "IP access control list created successfully.",
        "IP access control list updated successfully.",
    ),
    _Resource(
        "URI",
        "uri",
        "uri_uuid",
        "Origination URI created successfully.",
        "origination uri updated successfully.",
    ),
)


def _json(emulator: Account, content: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"api_id": emulator.new_api_id(), **content}, status_code=status)


def _error(emulator: Account, error: ApiError) -> JSONResponse:
    response = _json(emulator, {"error": error.message}, error.status)
    response.headers.update(error.headers)
    return response


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad("request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise bad("request body must be a JSON object")
    return body


def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Wrap a handler with what every API request goes through, in the live API's order."""

    async def endpoint(request: Request) -> Response:
        emulator = account_of(request, request.path_params.get("auth_id"))
        emulator.stats.count_request()
        now = emulator.tick()
        try:
            authenticate(request, emulator)
            wait = emulator.limiter.acquire(emulator.config.auth_id)
            if wait is not None:
                emulator.stats.count_rate_limited()
                headers = (
                    {"Retry-After": retry_after_header(wait)}
                    if emulator.config.rate_limit_retry_after
                    else {}
                )
                raise ApiError(429, "too many requests", headers)
            body = await _body(request) if request.method == "POST" else {}
            return handler(Ctx(request, emulator, now, body))
        except ApiError as error:
            return _error(emulator, error)

    return endpoint


def _meta(request: Request, total: int, limit: int, offset: int) -> dict[str, Any]:
    """§10: ``next``/``previous`` are relative URLs without a leading slash, or null."""
    path = request.url.path.lstrip("/")
    extra = [
        (k, val) for k, val in request.query_params.multi_items() if k not in ("limit", "offset")
    ]
    # urlencode([("limit", ..), ("offset", ..), *extra]), the constant tail encoded once.
    tail = "&" + urlencode(extra) if extra else ""

    def link(at: int) -> str:
        return f"{path}?limit={limit}&offset={at}{tail}"

    return {
        "limit": limit,
        "offset": offset,
        "total_count": total,
        "previous": link(max(0, offset - limit)) if offset > 0 else None,
        "next": link(offset + limit) if offset + limit < total else None,
    }


def _listing(
    ctx: Ctx, total: int, objects: list[dict[str, Any]], limit: int, offset: int
) -> Response:
    meta = _meta(ctx.request, total, limit, offset)
    return _json(ctx.emulator, {"meta": meta, "objects": objects})


def _trunk_filters(ctx: Ctx) -> dict[str, str]:
    filters: dict[str, str] = {}
    allowed = {"trunk_status": STATUSES, "trunk_direction": DIRECTIONS, "secure": ("true", "false")}
    for key, raw in ctx.request.query_params.multi_items():
        if key not in allowed and key not in TRUNK_REFS:
            continue
        if raw == "":
            raise bad(f"{key} must not be empty")
        if key in allowed and raw not in allowed[key]:
            raise bad(f"invalid {key}: must be one of {', '.join(allowed[key])}")
        filters[key] = raw
    return filters


def _collection(res: _Resource) -> Handler:
    def handle(ctx: Ctx) -> Response:
        store = ctx.emulator.store
        if ctx.request.method == "POST":
            new_id = getattr(store, f"create_{res.kind}")(ctx.body)
            return _json(ctx.emulator, {"message": res.created, res.id_field: new_id}, 201)
        limit, offset = page_args(ctx.request.query_params.multi_items())
        if res.kind == "trunk":
            total, objects = store.list_trunks(_trunk_filters(ctx), offset, limit)
        else:
            total, objects = getattr(store, f"list_{res.kind}s")(offset, limit)
        return _listing(ctx, total, objects, limit, offset)

    return handle


def _item(res: _Resource) -> Handler:
    def handle(ctx: Ctx) -> Response:
        store = ctx.emulator.store
        item_id = ctx.request.path_params["item_id"]
        method = ctx.request.method
        if method == "DELETE":
            getattr(store, f"delete_{res.kind}")(item_id)
            return Response(status_code=204)
        if method == "POST":
            getattr(store, f"update_{res.kind}")(item_id, ctx.body)
            return _json(ctx.emulator, {"message": res.updated, res.id_field: item_id}, 202)
        record = getattr(store, f"get_{res.kind}")(item_id)
        if res.kind == "trunk":
            # §3.4: the live trunk detail nests the record under "object".
            return _json(ctx.emulator, {"object": record})
        return JSONResponse(record)

    return handle


def _calls(ctx: Ctx) -> Response:
    query = parse_call_query(ctx.request.query_params.multi_items(), ctx.now)
    calls = ctx.emulator.calls
    total, objects = calls.page(
        query.window, query.filters, query.predicate, query.offset, query.limit
    )
    meta = _meta(ctx.request, total, query.limit, query.offset)
    content = {"api_id": ctx.emulator.new_api_id(), "meta": meta, "objects": objects}
    if _orjson is None:
        return JSONResponse(content)
    # The busiest route, and its content is all ours (str, int, bool, None; no float):
    # orjson writes the same bytes as JSONResponse's compact, non-ASCII-escaping json.dumps.
    return Response(_orjson.dumps(content), media_type="application/json")


def _find_call(ctx: Ctx) -> tuple[int, int]:
    found = ctx.emulator.calls.get(ctx.request.path_params["call_uuid"])
    # Past the 90-day retention a call is gone from the API (§7.3).
    if found is None or found[1] < ctx.now - 90 * 86400:
        raise ApiError(404, "call not found")
    return found


def _call(ctx: Ctx) -> Response:
    g, end = _find_call(ctx)
    return JSONResponse(ctx.emulator.calls.record(g, end))  # §7.2: flat, no api_id


def _insights(ctx: Ctx) -> Response:
    g, _ = _find_call(ctx)
    return JSONResponse(ctx.emulator.calls.generator.insights(g, ctx.emulator.new_api_id()))


def _number(ctx: Ctx) -> Response:
    """§12: the number object; POST ``{"app_id": trunk_id}`` routes, ``""`` unroutes (L8)."""
    number = ctx.request.path_params["number"]
    store = ctx.emulator.store
    if ctx.request.method == "POST":
        store.update_number(number, ctx.body)
        return _json(ctx.emulator, {"message": "changed"}, 202)
    return _json(ctx.emulator, store.get_number(number, ctx.emulator.config.auth_id))


def _numbers(ctx: Ctx) -> Response:
    """§15a L6: the Number API's list, in the usual envelope."""
    params = ctx.request.query_params.multi_items()
    limit, offset = page_args(params)
    total, objects = ctx.emulator.store.list_numbers(
        params, offset, limit, ctx.emulator.config.auth_id
    )
    return _listing(ctx, total, objects, limit, offset)


def _account(ctx: Ctx) -> Response:
    """§15a L11: ``GET /v1/Account/{id}/``, which some clients call first (they read ``name``)."""
    auth_id = ctx.emulator.config.auth_id
    position = list(accounts_of(ctx.request)).index(auth_id) + 1
    return _json(
        ctx.emulator,
        {
            "account_type": "standard",
            "address": "",
            "auth_id": auth_id,
            "auto_recharge": False,
            "billing_mode": "prepaid",
            "cash_credits": "100.00000",
            "city": "",
            "name": f"Zentrunk emulator account {position}",
            "resource_uri": f"/v1/Account/{auth_id}/",
            "state": "",
            "timezone": "UTC",
        },
    )


#: Collection names the live API knows under ``Zentrunk/`` (§1).
ZENTRUNK_COLLECTIONS = frozenset({*(res.segment for res in RESOURCES), "Call"})


def _unknown_collection(request: Request) -> Account | None:
    """The path's account when the path is under ``Zentrunk/`` with a name the API lacks."""
    parts = request.url.path.split("/")
    if len(parts) < 6 or parts[1:3] != ["v1", "Account"] or parts[4] != "Zentrunk":
        return None
    if parts[5] in ZENTRUNK_COLLECTIONS or not parts[5]:
        return None  # a known name in the wrong shape (no slash, extra segments): 404
    return account_of(request, parts[3])


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    emulator = account_of(request, None)
    if exc.status_code == 404 and (account := _unknown_collection(request)) is not None:
        # §15a L4: live answers 503, not 404, to CredentialsList/, IpAccessControlList/, ...
        try:
            authenticate(request, account, request.url.path.split("/")[3])
        except ApiError as error:
            return _error(account, error)
        return _error(account, ApiError(503, "service unavailable"))
    message = "not found" if exc.status_code == 404 else "method not allowed"
    if exc.status_code not in (404, 405):
        message = str(exc.detail)
    response = _error(emulator, ApiError(exc.status_code, message))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _routes() -> list[Route]:
    base = "/v1/Account/{auth_id}"
    routes: list[Route] = [Route(f"{base}/", api(_account), methods=["GET"])]
    for res in RESOURCES:
        path = f"{base}/Zentrunk/{res.segment}/"
        routes.append(Route(path, api(_collection(res)), methods=["GET", "POST"]))
        routes.append(
            Route(path + "{item_id}/", api(_item(res)), methods=["GET", "POST", "DELETE"])
        )
    routes += [
        Route(f"{base}/Zentrunk/Call/", api(_calls), methods=["GET"]),
        Route(f"{base}/Zentrunk/Call/{{call_uuid}}/", api(_call), methods=["GET"]),
        Route(f"{base}/Zentrunk/Call/{{call_uuid}}/Insights/", api(_insights), methods=["GET"]),
        Route(f"{base}/Number/", api(_numbers), methods=["GET"]),
        Route(f"{base}/Number/{{number}}/", api(_number), methods=["GET", "POST"]),
    ]
    return routes + admin_routes()


def build_app(accounts: Sequence[Account], *, handle: object = None) -> Starlette:
    """The ASGI app serving ``accounts``; ``handle`` (the Emulator) is ``app.state.emulator``."""
    if not accounts:
        raise ValueError("an emulator serves at least one account")
    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(AccountFaults, accounts=accounts)],
        exception_handlers={HTTPException: _http_error},
    )
    app.router.redirect_slashes = False
    app.state.accounts = {account.auth_id: account for account in accounts}
    app.state.emulator = handle if handle is not None else accounts[0]
    return app
