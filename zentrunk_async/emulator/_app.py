"""Starlette routes of the emulated API (paths, shapes and status codes of zentrunk-api.md).

Handlers are thin: authenticate, rate-limit, parse, call the store, shape
the envelope. Everything they answer is JSON with an ``api_id``; errors are
``{"api_id", "error"}`` (§9.1), including the router's own 404/405.
Unslashed paths are not redirected: the live API documents only slashed
ones (§15.1), and a client that forgets the slash should find out here.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._answer_faults import AnswerFaultMiddleware
from ._callquery import page_args, parse_call_query
from ._emulator import Emulator
from ._faults import FaultMiddleware
from ._ratelimit import retry_after_header
from ._store import DIRECTIONS, STATUSES, TRUNK_REFS
from ._validate import ApiError, bad


class Ctx(NamedTuple):
    request: Request
    emulator: Emulator
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


def _json(emulator: Emulator, content: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"api_id": emulator.new_api_id(), **content}, status_code=status)


def _error(emulator: Emulator, error: ApiError) -> JSONResponse:
    response = _json(emulator, {"error": error.message}, error.status)
    response.headers.update(error.headers)
    return response


def _authenticate(request: Request, emulator: Emulator) -> None:
    """HTTP Basic with the account's id and token; the path's account must be the caller's."""
    config = emulator.config
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
    if not valid or request.path_params.get("auth_id") != config.auth_id:
        raise ApiError(401, "authentication failed")


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
        emulator: Emulator = request.app.state.emulator
        emulator.stats.count_request()
        now = emulator.tick()
        try:
            _authenticate(request, emulator)
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

    def link(at: int) -> str:
        return f"{path}?{urlencode([('limit', limit), ('offset', at), *extra])}"

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
    return _listing(ctx, total, objects, query.limit, query.offset)


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
    number = ctx.request.path_params["number"]
    store = ctx.emulator.store
    if ctx.request.method == "POST":
        store.route_number(number, ctx.body)
        return _json(ctx.emulator, {"message": "changed"}, 202)
    return _json(ctx.emulator, store.get_number(number, ctx.emulator.config.auth_id))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    emulator: Emulator = request.app.state.emulator
    message = "not found" if exc.status_code == 404 else "method not allowed"
    if exc.status_code not in (404, 405):
        message = str(exc.detail)
    response = _error(emulator, ApiError(exc.status_code, message))
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def _routes() -> list[Route]:
    from ._admin import admin_routes

    base = "/v1/Account/{auth_id}"
    routes: list[Route] = []
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
        Route(f"{base}/Number/{{number}}/", api(_number), methods=["GET", "POST"]),
    ]
    return routes + admin_routes()


def build_app(emulator: Emulator) -> Starlette:
    app = Starlette(
        routes=_routes(),
        middleware=[
            Middleware(FaultMiddleware, emulator=emulator),
            # Inside FaultMiddleware: its 429s and 5xx answer before any handler acts.
            Middleware(AnswerFaultMiddleware, emulator=emulator),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.router.redirect_slashes = False
    app.state.emulator = emulator
    return app
