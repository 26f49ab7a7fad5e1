"""The FastAPI recipe: one shared client from the lifespan, a trunk list, a streamed export."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from zentrunk_async import CallRecord, Trunk, from_wire

pytest.importorskip("fastapi")
pytestmark = pytest.mark.anyio

EXAMPLE = Path(__file__).parents[2] / "examples" / "fastapi_app.py"


def load_example() -> ModuleType:
    """Import examples/fastapi_app.py by path: examples/ is not a package."""
    spec = importlib.util.spec_from_file_location("fastapi_app_example", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
async def http(zentrunk_client_factory: Callable[..., Any]) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, its Zentrunk client wired to the emulator."""
    example = load_example()
    clients: list[Any] = []

    def factory() -> Any:
        clients.append(zentrunk_client_factory())
        return clients[-1]

    app = example.create_app(client_factory=factory)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            yield client
    assert len(clients) == 1  # one Zentrunk client for the app's whole life


async def test_module_app_needs_no_credentials_to_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """`uvicorn examples.fastapi_app:app` works: the client is only made at startup."""
    monkeypatch.delenv("PLIVO_AUTH_ID", raising=False)
    assert load_example().app.title == "Zentrunk example"


async def test_trunks_endpoint_lists_trunks(
    http: httpx.AsyncClient, zentrunk_client_factory: Callable[..., Any]
) -> None:
    async with zentrunk_client_factory() as zt:
        acl = await zt.ip_acls.create(ip_addresses=["203.0.113.7"])
        created = await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=acl.ipacl_uuid)
    response = await http.get("/trunks")
    assert response.status_code == 200
    (trunk,) = response.json()
    assert trunk["trunk_id"] == created.trunk_id
    assert trunk["trunk_direction"] == "outbound"
    assert (await http.get("/trunks", params={"trunk_direction": "inbound"})).json() == []
    one = await http.get(f"/trunks/{created.trunk_id}")
    assert one.json()["created_at"].endswith("Z")  # the API's own format (to_wire)
    assert from_wire(Trunk, one.json()).trunk_id == created.trunk_id
    assert (await http.get("/trunks/999999")).status_code == 404


async def test_concurrent_requests_share_one_client(http: httpx.AsyncClient) -> None:
    """Many requests at once all borrow the lifespan's client (the fixture counts clients)."""
    import anyio

    statuses: list[int] = []

    async def get() -> None:
        statuses.append((await http.get("/trunks")).status_code)

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(get)
    assert statuses == [200] * 20


@pytest.mark.zentrunk_emulator(calls=300, rate_limit_requests=None)
async def test_export_endpoint_streams_ndjson(http: httpx.AsyncClient) -> None:
    """/calls/export streams one JSON object per line, every call of the span exactly once."""
    response = await http.get("/calls/export", params={"since": "2000-01-01T00:00:00"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    records = [json.loads(line) for line in response.text.splitlines()]
    assert len(records) == 300
    assert len({record["call_uuid"] for record in records}) == 300
    assert "error" not in records[-1]
    # The API's CDR format, money as exact strings: what to_wire writes.
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", records[0]["end_time"])
    assert all(from_wire(CallRecord, record).call_uuid for record in records)
