"""``ZentrunkClient(http=...)``: stock httpx or aiohttp's I/O, and what each refuses.

aiohttp runs on asyncio only, so the tests that pull over it pin the asyncio
backend; the trio side of the same switch is the clear error, tested on trio.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from zentrunk_async import (
    APIConnectionError,
    InvalidArgumentError,
    RetryPolicy,
    ZentrunkClient,
)
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

AUTH_ID = "MA0000000000000000HTTP"
TOKEN = "http-backend-token"

asyncio_only = pytest.mark.parametrize("anyio_backend", ["asyncio"])


@pytest.fixture
def emulator() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(
        EmulatorConfig(auth_id=AUTH_ID, auth_token=TOKEN, calls=45, rate_limit_requests=None)
    )
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url


def client(base_url: str, **kwargs: object) -> ZentrunkClient:
    retry = RetryPolicy(max_retries=2, backoff_base=0.0, backoff_cap=0.0)
    return ZentrunkClient(AUTH_ID, TOKEN, base_url=base_url, rate_limit=None, retry=retry, **kwargs)  # type: ignore[arg-type]


@asyncio_only
@pytest.mark.anyio
async def test_aiohttp_pulls_the_same_records_as_httpx(emulator: tuple[Emulator, str]) -> None:
    _, base_url = emulator
    async with client(base_url, http="aiohttp") as fast, client(base_url, http="httpx") as stock:
        over_aiohttp = [c.call_uuid async for c in fast.calls.list()]
        over_httpx = [c.call_uuid async for c in stock.calls.list()]
    assert over_aiohttp  # the last 30 days of the emulator's 90 hold some of its 45
    assert over_aiohttp == over_httpx


@asyncio_only
@pytest.mark.anyio
async def test_aiohttp_body_cut_mid_read_is_retried_for_a_get(
    emulator: tuple[Emulator, str],
) -> None:
    emu, base_url = emulator
    async with client(base_url, http="aiohttp") as zt:
        expected = [c.call_uuid async for c in zt.calls.list()]
        emu.faults.update(drop_next=1)
        got = [c.call_uuid async for c in zt.calls.list()]
    assert emu.faults.drop_next == 0
    assert emu.stats.faults["drop"] == 1
    assert got == expected


@pytest.mark.parametrize("anyio_backend", ["trio"])
@pytest.mark.anyio
async def test_aiohttp_under_trio_fails_clearly_before_any_request(
    emulator: tuple[Emulator, str],
) -> None:
    emu, base_url = emulator
    before = emu.stats.requests
    async with client(base_url, http="aiohttp") as zt:
        with pytest.raises(InvalidArgumentError, match=r"asyncio only.*trio.*http='httpx'"):
            await zt.trunks.list().collect()
    assert emu.stats.requests == before


def test_unknown_http_value_is_refused_at_construction() -> None:
    with pytest.raises(InvalidArgumentError, match="http must be one of httpx, aiohttp"):
        ZentrunkClient(AUTH_ID, TOKEN, http="requests")  # type: ignore[arg-type]


def test_http_and_http_client_together_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="not both"):
        ZentrunkClient(AUTH_ID, TOKEN, http="httpx", http_client=httpx.AsyncClient())


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx_aiohttp", None)
    with pytest.raises(InvalidArgumentError, match=r"zentrunk-async\[aiohttp\]"):
        ZentrunkClient(AUTH_ID, TOKEN, http="aiohttp")


class HangUpAfterRequest:
    """A server that reads each request in full, then closes without answering.

    The server may have acted on such a request, so a write must not be resent.
    """

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.requests = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(body) < length:
                    body += conn.recv(65536)
                self.requests += 1

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def hang_up() -> Iterator[HangUpAfterRequest]:
    server = HangUpAfterRequest()
    try:
        yield server
    finally:
        server.close()


@asyncio_only
@pytest.mark.anyio
async def test_aiohttp_hang_up_after_a_create_is_not_resent(hang_up: HangUpAfterRequest) -> None:
    # httpx-aiohttp alone calls this a ConnectTimeout, which would resend the create.
    async with client(hang_up.base_url, http="aiohttp") as zt:
        with pytest.raises(APIConnectionError) as caught:
            await zt.ip_acls.create(name="office", ip_addresses=["203.0.113.7"])
    assert hang_up.requests == 1
    assert caught.value.attempts == 1


@asyncio_only
@pytest.mark.anyio
async def test_aiohttp_hang_up_on_a_get_is_retried(hang_up: HangUpAfterRequest) -> None:
    async with client(hang_up.base_url, http="aiohttp") as zt:
        with pytest.raises(APIConnectionError) as caught:
            await zt.trunks.list().collect()
    assert caught.value.attempts == 3
    # aiohttp itself tries an idempotent request once more on a fresh connection.
    assert hang_up.requests >= 3


@asyncio_only
@pytest.mark.anyio
async def test_aiohttp_connection_refused_is_a_connect_failure_a_create_may_retry() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now: every connect is refused
    async with client(f"http://127.0.0.1:{port}", http="aiohttp") as zt:
        with pytest.raises(APIConnectionError) as caught:
            await zt.ip_acls.create(name="office", ip_addresses=["203.0.113.7"])
    assert caught.value.attempts == 3
