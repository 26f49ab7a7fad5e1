"""FastAPI + zentrunk_async: one shared client, a trunk list, and a streamed CDR export.

Run it against the local emulator (no Plivo account needed)::

    python -m zentrunk_async.emulator --port 8080 &
    export PLIVO_AUTH_ID=MAEMULATOR0000000001
    export PLIVO_AUTH_TOKEN=ZW11bGF0b3Itbm90LWEtcmVhbC10b2tlbi0wMDAx
    export ZENTRUNK_BASE_URL=http://127.0.0.1:8080
    uvicorn examples.fastapi_app:app --port 8000
    curl localhost:8000/trunks
    curl 'localhost:8000/calls/export?since=2024-01-01T00:00:00Z' > calls.ndjson

Why one client for the whole app: a `ZentrunkClient` holds the connection
pool and the rate limiter that keeps the *account* under Plivo's 300
requests per 5 s. A client per request would open new connections every
time and, worse, give every request its own idea of the account's budget.
So the client is opened once in the lifespan (``async with`` closes it on
shutdown) and every request borrows it from ``app.state``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from zentrunk_async import (
    CallRecord,
    InvalidArgumentError,
    NotFoundError,
    ZentrunkClient,
    ZentrunkError,
    to_wire,
)


def create_app(client_factory: Callable[[], ZentrunkClient] = ZentrunkClient) -> FastAPI:
    """The app; `client_factory` builds the shared client (default: from the environment).

    Tests pass a factory pointing at the emulator; production keeps the
    default, which reads PLIVO_AUTH_ID, PLIVO_AUTH_TOKEN and ZENTRUNK_BASE_URL.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with client_factory() as zentrunk:
            app.state.zentrunk = zentrunk
            yield

    app = FastAPI(title="Zentrunk example", lifespan=lifespan)

    @app.get("/trunks")
    async def list_trunks(
        zt: Annotated[ZentrunkClient, Depends(client)],
        trunk_direction: Annotated[str | None, Query(pattern="^(inbound|outbound)$")] = None,
    ) -> list[dict[str, Any]]:
        """Every trunk of the account (a few dozen at most: collecting them is fine)."""
        trunks = await zt.trunks.list(trunk_direction=trunk_direction).collect()
        return [to_wire(trunk) for trunk in trunks]

    @app.get("/trunks/{trunk_id}")
    async def get_trunk(
        trunk_id: str, zt: Annotated[ZentrunkClient, Depends(client)]
    ) -> dict[str, Any]:
        try:
            return to_wire(await zt.trunks.get(trunk_id))
        except InvalidArgumentError as exc:
            raise HTTPException(422, str(exc)) from None
        except NotFoundError:
            raise HTTPException(404, f"no trunk {trunk_id}") from None

    @app.get("/calls/export")
    async def export_calls(
        zt: Annotated[ZentrunkClient, Depends(client)],
        since: datetime,
        until: datetime | None = None,
    ) -> StreamingResponse:
        """Every call that ended in [since, until) as NDJSON, streamed as it is fetched.

        Memory stays bounded whatever the span: records go out as they
        arrive. Errors after the first byte cannot change the status any
        more, so the stream then ends with an ``{"error": ...}`` line.
        """
        since, until = utc(since), utc(until) if until is not None else None
        records = zt.calls.export(since=since, until=until)
        return StreamingResponse(ndjson(records), media_type="application/x-ndjson")

    return app


def client(request: Request) -> ZentrunkClient:
    """The app's shared client (a FastAPI dependency)."""
    zentrunk: ZentrunkClient = request.app.state.zentrunk
    return zentrunk


async def ndjson(records: AsyncIterable[CallRecord]) -> AsyncIterator[bytes]:
    """One JSON line per record, as the API writes it (``to_wire``: exact money, API times)."""
    try:
        async for record in records:
            yield (json.dumps(to_wire(record)) + "\n").encode()
    except ZentrunkError as exc:
        yield (json.dumps({"error": str(exc)}) + "\n").encode()


def utc(moment: datetime) -> datetime:
    """Query-string times without an offset are taken as UTC, the API's own zone."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


app = create_app()
