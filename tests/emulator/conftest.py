from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from zentrunk_async.emulator import Account, Emulator, EmulatorConfig, serve_in_thread


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """A raw httpx client on one emulator, with the account's path prefixes at hand."""

    def __init__(
        self, client: httpx.AsyncClient, emulator: Emulator, account: Account | None = None
    ) -> None:
        self.client = client
        self.emulator = emulator
        self.account = f"/v1/Account/{(account or emulator).config.auth_id}"
        self.zt = f"{self.account}/Zentrunk"

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(self.zt + path, **kwargs)

    async def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        return await self.client.post(self.zt + path, json=body, **kwargs)

    async def delete(self, path: str) -> httpx.Response:
        return await self.client.delete(self.zt + path)

    async def create(self, segment: str, body: dict[str, Any]) -> str:
        response = await self.post(f"/{segment}/", body)
        assert response.status_code == 201, response.text
        id_field = next(k for k in response.json() if k not in ("api_id", "message"))
        return str(response.json()[id_field])


def client_for(
    emulator: Emulator,
    base_url: str | None = None,
    *,
    account: Account | None = None,
    **kwargs: Any,
) -> httpx.AsyncClient:
    """Raw httpx on the emulator with the credentials of ``account`` (default: the first)."""
    who = account or emulator
    auth = (who.config.auth_id, who.config.auth_token)
    if base_url is None:
        transport = httpx.ASGITransport(app=emulator.app)
        return httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1", auth=auth, **kwargs
        )
    return httpx.AsyncClient(base_url=base_url, auth=auth, **kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(zentrunk_emulator: Emulator) -> AsyncIterator[Api]:
    """Raw httpx on the in-process emulator."""
    async with client_for(zentrunk_emulator) as client:
        yield Api(client, zentrunk_emulator)


@pytest.fixture(params=["in-process", "socket"])
async def any_api(
    request: pytest.FixtureRequest, zentrunk_emulator: Emulator
) -> AsyncIterator[Api]:
    """Raw httpx on the emulator, once through ASGITransport and once over a real socket."""
    if request.param == "in-process":
        async with client_for(zentrunk_emulator) as client:
            yield Api(client, zentrunk_emulator)
        return
    with serve_in_thread(zentrunk_emulator) as base_url:
        async with client_for(zentrunk_emulator, base_url) as client:
            yield Api(client, zentrunk_emulator)


@pytest.fixture
def make_api() -> Any:
    """Build an `Api` on a custom emulator (fake clock, tiny limits)."""

    def make(
        config: EmulatorConfig | None = None, **kwargs: Any
    ) -> tuple[Emulator, httpx.AsyncClient]:
        emulator = Emulator(config or EmulatorConfig(calls=200), **kwargs)
        return emulator, client_for(emulator)

    return make
