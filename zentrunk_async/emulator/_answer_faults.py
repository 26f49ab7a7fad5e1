"""Faults that spoil the answer after the handler has acted (issue 12).

`FaultMiddleware` (``_faults.py``) answers *instead of* the handler (429,
5xx) or damages a body it buffered. These faults let the handler run first,
so a write is applied for real, and then lose or spoil what the client hears:

* ``acted_drop``: the connection is closed without a single byte of answer
  (the client cannot know the write happened), including an empty-bodied 204;
* ``acted_hang``: no answer until the client gives up (a timeout);
* ``acted_error``: the answer is ``error_status`` (a 5xx) although the write was made;
* ``oversize``: the real body, then whitespace up to ``oversize_bytes``, chunked
  without Content-Length (still valid JSON, only too big);
* ``trickle``: the real body, one byte every ``trickle_interval`` seconds.

The ``acted_*`` faults pick writes only (POST, PUT, PATCH, DELETE): a read
passes through without spending a ``*_next`` counter. ``oversize`` and
``trickle`` pick any API request.

Over a real socket, closing without an answer needs the server's transport:
`DroppableProtocol` (uvicorn's HTTP protocol, used by `serve_in_thread`)
puts its ``abort`` into the request scope. In-process (``httpx.ASGITransport``)
`ConnectionDropped` is raised instead, which the client sees as the same
"server disconnected" error.
"""

from __future__ import annotations

import json
import random
import threading
from typing import TYPE_CHECKING, Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._faults import ConnectionDropped

if TYPE_CHECKING:
    from ._account import Account

#: The scope extension under which `DroppableProtocol` offers ``transport.abort``.
DROP_EXTENSION = "zentrunk.drop"

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WRITE_FAULTS = ("acted_drop", "acted_hang", "acted_error")
_ANY_FAULTS = ("oversize", "trickle")
_CHUNK = 64 * 1024


class AnswerFaultMiddleware:
    """Applies the emulator's ``acted_*``, ``oversize`` and ``trickle`` faults."""

    def __init__(self, app: ASGIApp, emulator: Account) -> None:
        self.app = app
        self.emulator = emulator
        self._lock = threading.Lock()  # the server thread and a test steer the same counters
        self._rng = random.Random(emulator.faults.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        fault = self._pick(scope["method"])
        if fault is None:
            await self.app(scope, receive, send)
            return
        self.emulator.stats.count_fault(fault)
        start, body = await _acted(self.app, scope, receive)
        if fault == "acted_drop":
            await _drop(scope, receive)
        elif fault == "acted_hang":
            await _hang(receive, self.emulator.faults.hang_seconds)
            await _answer(send, start, body)
        elif fault == "acted_error":
            await self._error(send)
        elif fault == "oversize":
            await self._oversize(send, start, body)
        else:
            await _trickle(receive, send, start, body, self.emulator.faults.trickle_interval)

    def _pick(self, method: str) -> str | None:
        faults = self.emulator.faults
        names = (_WRITE_FAULTS if method in _WRITES else ()) + _ANY_FAULTS
        with self._lock:
            for name in names:
                left = getattr(faults, f"{name}_next")
                if left > 0:
                    setattr(faults, f"{name}_next", left - 1)
                    return name
                rate = getattr(faults, f"{name}_rate")
                if rate and self._rng.random() < rate:
                    return name
        return None

    async def _error(self, send: Send) -> None:
        status = self.emulator.faults.error_status
        body = json.dumps(
            {"api_id": self.emulator.new_api_id(), "error": "internal server error"}
        ).encode()
        start: Message = {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json")],
        }
        await _answer(send, start, body)

    async def _oversize(self, send: Send, start: Message, body: bytes) -> None:
        total = self.emulator.faults.oversize_bytes
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        self.emulator.stats.count_status(start["status"])
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": True})
        sent = len(body)
        while sent < total:
            chunk = b" " * min(_CHUNK, total - sent)
            sent += len(chunk)
            # After a disconnect uvicorn drops what is sent: the loop stays bounded.
            await send({"type": "http.response.body", "body": chunk, "more_body": sent < total})


async def _acted(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    """Run the handler to completion (the write is applied) and keep its answer."""
    start: Message = {"type": "http.response.start", "status": 500, "headers": []}
    chunks: list[bytes] = []

    async def capture(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, capture)
    return start, b"".join(chunks)


async def _answer(send: Send, start: Message, body: bytes) -> None:
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": start["status"], "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(scope: Scope, receive: Receive) -> None:
    abort = scope.get("extensions", {}).get(DROP_EXTENSION)
    if abort is None:
        raise ConnectionDropped()
    abort()
    await _hang(receive, 5.0)  # let uvicorn see the disconnect before the app returns


async def _hang(receive: Receive, seconds: float) -> None:
    """Wait until the client hangs up (or `seconds` pass)."""
    with anyio.move_on_after(seconds):
        while (await receive())["type"] != "http.disconnect":
            pass


async def _trickle(
    receive: Receive, send: Send, start: Message, body: bytes, interval: float
) -> None:
    async with anyio.create_task_group() as tg:

        async def until_disconnect() -> None:
            await _hang(receive, float("inf"))
            tg.cancel_scope.cancel()

        tg.start_soon(until_disconnect)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start["status"], "headers": headers})
        for index in range(len(body)):
            await anyio.sleep(interval)
            more = index < len(body) - 1
            await send(
                {"type": "http.response.body", "body": body[index : index + 1], "more_body": more}
            )
        tg.cancel_scope.cancel()


def droppable_protocol() -> type[Any]:
    """uvicorn's HTTP protocol, offering ``transport.abort`` in each request's scope."""
    base: type[Any]
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        base = HttpToolsProtocol
    except ImportError:  # pragma: no cover - httptools is part of uvicorn[standard]
        from uvicorn.protocols.http.h11_impl import H11Protocol

        base = H11Protocol

    class DroppableProtocol(base):  # type: ignore[misc]
        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            cycle = getattr(self, "cycle", None)
            # The request's task is created but has not run yet: it sees this.
            if cycle is not None:
                cycle.scope.setdefault("extensions", {})[DROP_EXTENSION] = self.transport.abort

    return DroppableProtocol
