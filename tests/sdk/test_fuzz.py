"""Fuzz: whatever the server answers, only ZentrunkError subclasses escape (issue 12).

Every public operation meets answers drawn by hypothesis: random bytes,
valid bodies cut anywhere or with any field replaced by any JSON value (huge
integers, NaN, deep nesting included), HTML, bogus Content-Encodings, any
status. The budget is bounded (examples per backend below).
"""

from __future__ import annotations

import json
import ssl
import zlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import httpx
import pytest
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference_bodies import LIVE_TRUNK_GET, PROD_CDR

from zentrunk_async import RetryPolicy, ZentrunkClient, ZentrunkError
from zentrunk_async.testing import use_fake_time

from .wire import AUTH_ID, HOST, TOKEN, list_body

UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"
TRUNK_ID = "42741122632602585"
SINCE = datetime(2026, 9, 1, tzinfo=timezone.utc)

#: Every public operation of the client, with valid arguments.
OPERATIONS: dict[str, Callable[[ZentrunkClient], Awaitable[object]]] = {
    "trunks.create": lambda zt: zt.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID),
    "trunks.get": lambda zt: zt.trunks.get(TRUNK_ID),
    "trunks.list": lambda zt: zt.trunks.list(max_items=45).collect(),
    "trunks.update": lambda zt: zt.trunks.update(TRUNK_ID, name="x"),  # reads first
    "trunks.update(direction)": lambda zt: zt.trunks.update(
        TRUNK_ID, name="x", trunk_direction="inbound"
    ),
    "trunks.delete": lambda zt: zt.trunks.delete(TRUNK_ID),
    "trunks.route_number": lambda zt: zt.trunks.route_number("14155551234", TRUNK_ID),
    "credentials.create": lambda zt: zt.credentials.create(username="user01", password="Pa$$w0rd"),
    "credentials.get": lambda zt: zt.credentials.get(UUID),
    "credentials.list": lambda zt: zt.credentials.list(max_items=45).collect(),
    "credentials.update": lambda zt: zt.credentials.update(UUID, password="Pa$$w0rd"),
    "credentials.delete": lambda zt: zt.credentials.delete(UUID),
    "ip_acls.create": lambda zt: zt.ip_acls.create(ip_addresses=["10.0.0.1"]),
    "ip_acls.get": lambda zt: zt.ip_acls.get(UUID),
    "ip_acls.list": lambda zt: zt.ip_acls.list(max_items=45).collect(),
    "ip_acls.update": lambda zt: zt.ip_acls.update(UUID, name="x"),
    "ip_acls.delete": lambda zt: zt.ip_acls.delete(UUID),
    "origination_uris.create": lambda zt: zt.origination_uris.create(uri="pbx.example.com"),
    "origination_uris.get": lambda zt: zt.origination_uris.get(UUID),
    "origination_uris.list": lambda zt: zt.origination_uris.list(max_items=45).collect(),
    "origination_uris.update": lambda zt: zt.origination_uris.update(UUID, name="x"),
    "origination_uris.delete": lambda zt: zt.origination_uris.delete(UUID),
    "calls.get": lambda zt: zt.calls.get(UUID),
    "calls.insights": lambda zt: zt.calls.insights(UUID),
    "calls.list": lambda zt: zt.calls.list(end_time__gte=SINCE, max_items=45).collect(),
    "calls.export": lambda zt: _drain(zt.calls.export(SINCE, SINCE + timedelta(days=2))),
}


async def _drain(export: Any) -> None:
    async for _ in export:
        pass


VALID_BODIES: list[dict[str, Any]] = [
    LIVE_TRUNK_GET,
    LIVE_TRUNK_GET["object"],
    PROD_CDR,
    list_body([PROD_CDR] * 3, offset=0, total=3),
    list_body([LIVE_TRUNK_GET["object"]] * 2, offset=0, total=50),
    {"api_id": "a", "message": "created", "trunk_id": TRUNK_ID, "credential_uuid": UUID},
    {"api_id": "a", "error": "not found"},
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.sampled_from([10**400, -(10**19), 2**64, 10**18])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["nan", "inf", "9999-12-31T23:59:59-23:59", "", "0", "-1"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated_body(draw: st.DrawFn) -> bytes:
    body = json.loads(json.dumps(draw(st.sampled_from(VALID_BODIES))))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(body)))
        replacement = draw(json_values)
        if not path:
            body = replacement
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        parent[path[-1]] = replacement
    return json.dumps(body).encode()


@st.composite
def cut_body(draw: st.DrawFn) -> bytes:
    raw = json.dumps(draw(st.sampled_from(VALID_BODIES))).encode()
    return raw[: draw(st.integers(0, len(raw)))]


deep = st.sampled_from([b"[" * 900 + b"]" * 900, b"[" * 1100, b'{"a":' * 5000, b"[" * 200_000])
bodies = st.one_of(
    mutated_body(),
    cut_body(),
    st.binary(max_size=64),
    deep,
    st.just(b"<html><body>502 Bad Gateway</body></html>"),
)


class _Raw(httpx.AsyncByteStream):
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    async def __aiter__(self) -> Any:
        yield self.raw


@st.composite
def answers(draw: st.DrawFn) -> httpx.Response:
    status = draw(st.sampled_from([200, 200, 200, 201, 202, 204, 400, 404, 429, 500, 503]))
    raw = draw(bodies)
    headers = {"content-type": draw(st.sampled_from(["application/json", "text/html"]))}
    encoding = draw(st.sampled_from([None, None, "gzip", "deflate", "br", "bogus", "identity"]))
    if encoding is not None:
        headers["content-encoding"] = encoding
        if encoding == "deflate" and draw(st.booleans()):
            raw = zlib.compress(raw)  # sometimes honest, sometimes not
    return httpx.Response(status, headers=headers, stream=_Raw(raw))


# Built once: a fresh SSL context per client would be most of each example's time.
_SSL = ssl.create_default_context()


async def _run(operation: str, answer: httpx.Response) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(answer.status_code, headers=answer.headers, stream=answer.stream)

    with respx.mock(base_url=HOST, assert_all_called=False) as router:
        router.route().mock(side_effect=respond)
        async with ZentrunkClient(
            AUTH_ID,
            TOKEN,
            base_url=HOST,
            rate_limit=None,
            retry=RetryPolicy(max_retries=1),
            http_client=httpx.AsyncClient(verify=_SSL),
        ) as zt:
            use_fake_time(zt)
            try:
                with anyio.fail_after(30):
                    await OPERATIONS[operation](zt)
            except ZentrunkError:
                pass


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operation=st.sampled_from(sorted(OPERATIONS)), answer=answers())
def test_only_zentrunk_errors_escape_any_operation(
    backend: str, operation: str, answer: httpx.Response
) -> None:
    anyio.run(_run, operation, answer, backend=backend)
