"""Several emulated accounts behind one base URL, and the truth about each one's calls.

Each account is its own `Emulator` (own data, own limit, own faults); one
uvicorn server dispatches ``/v1/Account/<auth_id>/...`` to the matching one,
as Plivo's single host does. Admin routes go to the first account's emulator.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread
from zentrunk_async.fleet import Account

#: Quick retries: the fleet must ride out faults, the waits need not be realistic.
FAST_RETRY = RetryPolicy(max_retries=6, backoff_base=0.005, backoff_cap=0.02)


class Dispatch:
    """An ASGI app routing each request to the emulator of the account in its path."""

    def __init__(self, emulators: list[Emulator]) -> None:
        self.by_id = {e.config.auth_id: e.app for e in emulators}
        self.first = emulators[0].app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        app = self.first
        if scope["type"] == "http":
            parts = scope["path"].split("/")
            if len(parts) > 3 and parts[3] in self.by_id:
                app = self.by_id[parts[3]]
        await app(scope, receive, send)


@attrs.define
class EmulatedFleet:
    emulators: list[Emulator]
    base_url: str
    until: datetime

    @property
    def since(self) -> datetime:
        return self.until - timedelta(days=89, hours=23)

    def auth_id(self, index: int) -> str:
        return self.emulators[index].config.auth_id

    def token(self, index: int) -> str:
        return self.emulators[index].config.auth_token

    def env_name(self, index: int) -> str:
        return f"ZT_FLEET_TEST_TOKEN_{index}"

    def account(self, index: int) -> Account:
        return Account(self.auth_id(index), self.env_name(index))

    def accounts(self) -> list[Account]:
        return [self.account(i) for i in range(len(self.emulators))]

    def set_tokens(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for index in range(len(self.emulators)):
            monkeypatch.setenv(self.env_name(index), self.token(index))

    async def every_call(self, index: int) -> list[str]:
        """The truth: one plain sequential listing of the window, faults off."""
        emulator = self.emulators[index]
        emulator.clear_faults()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=emulator.app))
        async with ZentrunkClient(
            emulator.config.auth_id,
            emulator.config.auth_token,
            base_url="http://127.0.0.1",
            http_client=http,
            rate_limit=None,
        ) as zt:
            uuids = [
                c.call_uuid
                async for c in zt.calls.list(
                    end_time__gte=self.since, end_time__lt=self.until, concurrency=1
                )
            ]
        await http.aclose()
        return uuids


def make_emulators(count: int, calls: int = 240) -> list[Emulator]:
    return [
        Emulator(
            EmulatorConfig(
                auth_id=f"MAFLEET{index:013d}",
                auth_token=f"fleet-secret-token-{index}-x9q",
                calls=calls,
                seed=100 + index,
                rate_limit_requests=None,
            )
        )
        for index in range(count)
    ]


@pytest.fixture
def emulated_fleet() -> Iterator[EmulatedFleet]:
    emulators = make_emulators(5)
    holder = attrs.make_class("Holder", {"app": attrs.field()})(Dispatch(emulators))
    with serve_in_thread(holder) as base_url:  # type: ignore[arg-type]
        until = datetime.now(timezone.utc).replace(microsecond=0)
        yield EmulatedFleet(emulators, base_url, until)


def jsonl_uuids(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines() if line]
