"""Fault injection as pure ASGI middleware in front of the API routes.

It sits at the ASGI layer, not in the handlers, because the interesting
faults are about the transport: a response cut off after its headers, a
body that is not the JSON the headers promise. Buffering the handler's
response first lets it cut or replace exactly what a real proxy or a
dying server would. Admin routes (``/__emulator__/``) are never faulted.
"""

from __future__ import annotations

import json
from typing import Any, Literal, NamedTuple, Protocol

import anyio
import attrs
import httpx
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ._ratelimit import retry_after_header


class Emulator(Protocol):
    """What the middleware needs of an account (`_account.Account`), without importing it."""

    stats: Any
    faults: Any

    def plan_faults(self) -> Plan: ...

    def new_api_id(self) -> str: ...


BodyFault = Literal["drop", "truncate", "html"]

HTML_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body>"
    b"<center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised after a partial body to make the server close the connection.

    Over a socket, uvicorn closes the connection and the client sees a body
    shorter than its Content-Length. In-process, ``httpx.ASGITransport``
    passes the exception through, and since it *is* the error httpx raises
    for a peer that hangs up mid-body, clients see the same failure both ways.
    """

    def __init__(self) -> None:
        super().__init__("peer closed connection without sending complete message body")


class Plan(NamedTuple):
    """What the dice decided for one request."""

    delay: float
    early_status: int | None  # answer with this status before routing (429 burst, 5xx)
    retry_after: float | None
    body_fault: BodyFault | None


class FaultMiddleware:
    """Applies the emulator's current `Faults` to every API request."""

    def __init__(self, app: ASGIApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        emulator = self.emulator
        plan = emulator.plan_faults()
        if plan.delay > 0:
            await anyio.sleep(plan.delay)
        if plan.early_status is not None:
            await self._early(plan, send)
            return
        if plan.body_fault is None:
            await self.app(scope, receive, self._counting(send))
            return
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        await self._faulty(plan.body_fault, start, b"".join(chunks), send)

    def _counting(self, send: Send) -> Send:
        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.emulator.stats.count_status(message["status"])
            await send(message)

        return counted

    async def _early(self, plan: Plan, send: Send) -> None:
        status = plan.early_status or 503
        error = "too many requests" if status == 429 else "internal server error"
        body = json.dumps({"api_id": self.emulator.new_api_id(), "error": error}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        if plan.retry_after is not None:
            headers.append((b"retry-after", retry_after_header(plan.retry_after).encode()))
        self.emulator.stats.count_status(status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _faulty(self, fault: BodyFault, start: Message, body: bytes, send: Send) -> None:
        stats = self.emulator.stats
        stats.count_fault(fault)
        status: int = start.get("status", 500)
        headers: list[tuple[bytes, bytes]] = [
            (k, val) for k, val in start.get("headers", []) if k.lower() != b"content-length"
        ]
        if fault == "drop":
            stats.count_status(status)
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send(
                {"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True}
            )
            raise ConnectionDropped()
        if fault == "truncate":
            body = body[: len(body) // 2]
        else:
            status = self.emulator.faults.html_status
            headers = [(b"content-type", b"text/html; charset=utf-8")]
            body = HTML_PAGE
        headers.append((b"content-length", str(len(body)).encode()))
        stats.count_status(status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def decide(faults: Any, rng: Any) -> Plan:
    """Roll the dice for one request; mutates the ``*_next`` counters it spends.

    Order matters and is fixed: latency, then answers that replace the
    response (429 burst, 5xx), then faults that damage a real response.
    """
    delay = faults.latency_ms / 1000.0
    if faults.latency_jitter_ms:
        delay += rng.uniform(0.0, faults.latency_jitter_ms) / 1000.0
    if faults.rate_limit_burst > 0:
        faults.rate_limit_burst -= 1
        return Plan(delay, 429, faults.retry_after, None)
    if faults.error_next > 0:
        faults.error_next -= 1
        return Plan(delay, faults.error_status, None, None)
    if faults.error_rate and rng.random() < faults.error_rate:
        return Plan(delay, faults.error_status, None, None)
    names: tuple[BodyFault, ...] = ("drop", "truncate", "html")
    for name in names:
        if getattr(faults, f"{name}_next") > 0:
            setattr(faults, f"{name}_next", getattr(faults, f"{name}_next") - 1)
            return Plan(delay, None, None, name)
        rate = getattr(faults, f"{name}_rate")
        if rate and rng.random() < rate:
            return Plan(delay, None, None, name)
    return Plan(delay, None, None, None)


# -- CDR data faults (issue 11): the list's count and its pages disagreeing -----------------


def _share(_: Any, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name} must be between 0 and 1, got {value!r}")


def _count(_: Any, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an integer >= 0, got {value!r}")


@attrs.define
class DataFaults:
    """Ways a CDR list can be inconsistent, as a live service behind a flaky cache can be.

    Set through ``Emulator.set_faults(...)`` (and so the admin route) like the
    transport faults; they apply to ``GET Zentrunk/Call/`` only.

    * `phantom_calls`: that many calls, spread evenly over the initial span,
      are counted in every `total_count` whose window holds them but never
      listed (``CallStore.phantoms`` gives their end times).
    * `short_page_rate` / `short_page_next`: a page of the list comes back
      without its last record while `total_count` stays as it was.
    * `late_call_rate` / `late_call_next`: before answering, one call lands
      *inside* the requested window, in the past (a CDR that became visible
      late), shifting every later offset of that window by one.
    """

    phantom_calls: int = attrs.field(default=0, validator=_count)
    short_page_rate: float = attrs.field(default=0.0, validator=_share)
    short_page_next: int = attrs.field(default=0, validator=_count)
    late_call_rate: float = attrs.field(default=0.0, validator=_share)
    late_call_next: int = attrs.field(default=0, validator=_count)

    @classmethod
    def names(cls) -> frozenset[str]:
        return frozenset(a.name for a in attrs.fields(cls))

    def update(self, **changes: Any) -> None:
        """Change several at once, validating each before anything changes."""
        merged = attrs.evolve(self, **changes)
        for name in changes:
            setattr(self, name, getattr(merged, name))

    def as_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    def spend(self, kind: Literal["short_page", "late_call"], rng: Any) -> bool:
        """Whether this request gets the `kind` fault (spending a ``*_next`` first)."""
        pending = getattr(self, f"{kind}_next")
        if pending > 0:
            setattr(self, f"{kind}_next", pending - 1)
            return True
        rate = getattr(self, f"{kind}_rate")
        return bool(rate) and rng.random() < rate
