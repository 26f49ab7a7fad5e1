"""Admin routes under ``/__emulator__/``: change faults and limits, read statistics.

They exist so a test or benchmark can steer an emulator in another process
(``python -m zentrunk_async.emulator``) the way the Python handle steers an
in-process one. They need no auth and are never faulted or rate-limited:
steering must work precisely when the API is being made to misbehave.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._emulator import Emulator

PREFIX = "/__emulator__"


def _emulator(request: Request) -> Emulator:
    emulator: Emulator = request.app.state.emulator
    return emulator


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
    return [
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST"]),
        Route(f"{PREFIX}/rate_limit", rate_limit, methods=["GET", "POST"]),
        Route(f"{PREFIX}/stats", stats, methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/calls", calls, methods=["POST"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/health", health, methods=["GET"]),
    ]
