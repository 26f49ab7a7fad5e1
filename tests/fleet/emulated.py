"""Several emulated accounts behind one base URL, and the truth about each one's calls.

The multi-account emulator serves them (each with its own data, limit and
faults); a `Gate` can hold one account's requests so that a test knows the
account is mid-pull while it kills a worker or drops a connection.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import anyio
import attrs
import httpx
import pytest

from zentrunk_async import RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread
from zentrunk_async.emulator._account import Account as EmulatedAccount
from zentrunk_async.fleet import Account

#: Quick retries: the fleet must ride out faults, the waits need not be realistic.
FAST_RETRY = RetryPolicy(max_retries=6, backoff_base=0.005, backoff_cap=0.02)


class Gate:
    """Holds one account's requests after its first `after`, until `release` is set.

    `reached` tells the test (in another thread) that the account is mid-pull.
    """

    def __init__(self, auth_id: str, after: int) -> None:
        self.auth_id = auth_id
        self.after = after
        self.seen = 0
        self.reached = threading.Event()
        self.release = threading.Event()

    async def pass_(self) -> None:
        self.seen += 1
        if self.seen <= self.after:
            return
        self.reached.set()
        # Waited for in a thread: the server's loop stays free for the other accounts.
        await anyio.to_thread.run_sync(self.release.wait)


class Gated:
    """The emulator's app, with one account's requests passed through a `Gate` first."""

    def __init__(self, emulator: Emulator, gate: Gate | None) -> None:
        self.inner = emulator.app
        self.gate = gate
        # serve_in_thread serves `.app`: this object stands in for the emulator.
        self.app = self

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.gate is not None and scope["type"] == "http":
            parts = scope["path"].split("/")
            if len(parts) > 3 and parts[3] == self.gate.auth_id:
                await self.gate.pass_()
        await self.inner(scope, receive, send)


@attrs.define
class EmulatedFleet:
    """One multi-account emulator (``EmulatorConfig(accounts=N)``) served on loopback."""

    emulator: Emulator
    base_url: str
    until: datetime

    @property
    def emulators(self) -> list[EmulatedAccount]:
        """Each account's own state: data, faults, limit and counters."""
        return self.emulator.accounts

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

    def admin_calls(self, index: int) -> int:
        """How many calls the account holds, from the emulator's admin route."""
        url = f"{self.base_url}/__emulator__/stats"
        response = httpx.get(url, params={"auth_id": self.auth_id(index)})
        response.raise_for_status()
        return int(response.json()["calls"])

    async def every_call(self, index: int) -> list[str]:
        """The truth: one plain sequential listing of the window, faults off."""
        account = self.emulators[index]
        account.clear_faults()
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.emulator.app))
        async with ZentrunkClient(
            account.auth_id,
            account.auth_token,
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


@contextlib.contextmanager
def serve_fleet(
    count: int, calls: int = 240, gate_after: int | None = None
) -> Iterator[tuple[EmulatedFleet, Gate | None]]:
    """`count` accounts served on one loopback port; optionally the first one gated."""
    emulator = Emulator(
        EmulatorConfig(
            auth_id="MAFLEET0000000000001",
            auth_token="fleet-secret-token-first-x9q",
            accounts=count,
            calls=calls,
            seed=100,
            rate_limit_requests=None,
        )
    )
    gate = None if gate_after is None else Gate(emulator.auth_id, gate_after)
    with serve_in_thread(Gated(emulator, gate)) as base_url:  # type: ignore[arg-type]
        until = datetime.now(timezone.utc).replace(microsecond=0)
        try:
            yield EmulatedFleet(emulator, base_url, until), gate
        finally:
            if gate is not None:
                gate.release.set()


def jsonl_uuids(path: Path) -> list[str]:
    return [json.loads(line)["call_uuid"] for line in path.read_text().splitlines() if line]
