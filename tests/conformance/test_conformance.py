"""Conformance: every operation the SDK offers, run against the emulator, must agree.

Each case runs one public operation through the SDK's whole stack (in-process
and over a real socket, on asyncio and trio) and checks its typed result;
every body the emulator answered is also decoded with the strict converter,
which refuses unknown keys and enum values, so a field one side has and the
other lacks fails here instead of in production. `test_every_operation_has_a_case`
keeps the table complete: a new public method without a case fails the suite.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from zentrunk_async import (
    CallInsights,
    CallRecord,
    Credential,
    CredentialCreated,
    CredentialUpdated,
    IPAccessControlList,
    IPAccessControlListCreated,
    IPAccessControlListUpdated,
    NumberUpdated,
    OriginationURI,
    OriginationURICreated,
    OriginationURIUpdated,
    Page,
    RateLimit,
    RetryPolicy,
    Trunk,
    TrunkCreated,
    TrunkUpdated,
    ZentrunkClient,
)
from zentrunk_async._convert import make_converter
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

from .cases import CASES, World

pytestmark = pytest.mark.anyio

STRICT = make_converter(strict=True)


# -- the decoders that strict checking uses, by path ----------------------------------------


def _record_type(method: str, path: str) -> Any:
    """The record a response to (method, path) decodes into, as the SDK's resources say."""
    parts = path.split("/Account/", 1)[1].split("/")[1:-1]  # after the auth id, no trailing ""
    writes = {
        "Trunk": (TrunkCreated, TrunkUpdated),
        "Credential": (CredentialCreated, CredentialUpdated),
        "IPAccessControlList": (IPAccessControlListCreated, IPAccessControlListUpdated),
        "URI": (OriginationURICreated, OriginationURIUpdated),
    }
    records = {
        "Trunk": Trunk,
        "Credential": Credential,
        "IPAccessControlList": IPAccessControlList,
        "URI": OriginationURI,
    }
    if parts[0] == "Number":
        if method == "POST":
            return NumberUpdated
        return None  # a number object is Plivo's whole record: the rest is `extra` by design
    resource = parts[1]
    if resource == "Call":
        if len(parts) == 2:
            return Page[CallRecord]
        return CallInsights if parts[-1] == "Insights" else CallRecord
    if method == "POST":
        return writes[resource][0 if len(parts) == 2 else 1]
    return Page[records[resource]] if len(parts) == 2 else records[resource]  # type: ignore[valid-type]


# -- the harness ----------------------------------------------------------------------------


@pytest.fixture(params=["in-process", "socket"])
def emulator_url(request: pytest.FixtureRequest) -> Iterator[tuple[Emulator, str | None]]:
    emulator = Emulator(EmulatorConfig(calls=300, seed=5))
    if request.param == "in-process":
        yield emulator, None
    else:
        with serve_in_thread(emulator) as base_url:
            yield emulator, base_url


@pytest.fixture
async def world(emulator_url: tuple[Emulator, str | None]) -> AsyncIterator[World]:
    emulator, base_url = emulator_url
    bodies: list[tuple[str, str, Any]] = []

    async def keep(response: httpx.Response) -> None:
        await response.aread()
        if response.is_success:
            body = json.loads(response.content) if response.content else None
            bodies.append((response.request.method, response.url.path, body))

    transport = httpx.ASGITransport(app=emulator.app) if base_url is None else None
    http = httpx.AsyncClient(transport=transport, event_hooks={"response": [keep]})
    async with (
        http,
        ZentrunkClient(
            emulator.auth_id,
            emulator.auth_token,
            base_url=base_url or "http://127.0.0.1",
            http_client=http,
            rate_limit=RateLimit(),
            retry=RetryPolicy(max_retries=0),
        ) as zt,
    ):
        yield await World(zt, emulator, bodies).build()


@pytest.mark.parametrize("name", sorted(CASES))
async def test_operation_agrees_with_the_emulator(world: World, name: str) -> None:
    """The operation works through the SDK, and every body decodes strictly."""
    await CASES[name](world)
    assert world.bodies, "the operation sent no request"
    for method, path, body in world.bodies:
        record_type = None if body is None else _record_type(method, path)
        if record_type is not None:
            STRICT.structure(body, record_type)


def _public_operations() -> set[str]:
    zt = ZentrunkClient("MAXXXXXXXXXXXXXXXXXX", "token")
    names = set()
    for attribute in ("trunks", "credentials", "ip_acls", "origination_uris", "calls", "numbers"):
        resource = getattr(zt, attribute)
        for method, _ in inspect.getmembers(type(resource), inspect.isfunction):
            if not method.startswith("_"):
                names.add(f"{attribute}.{method}")
    return names


def test_every_operation_has_a_case() -> None:
    """A public operation without a conformance case fails here."""
    assert _public_operations() == set(CASES)
