"""Credentials stay home: no proxy over plain http, trust_env, nothing in vars(), SIP passwords."""

from __future__ import annotations

import base64
import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx

from zentrunk_async import APIConnectionError, InvalidArgumentError, ZentrunkClient
from zentrunk_async._redact import Secret
from zentrunk_async._validate import sip_password
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

from .wire import AUTH_ID, TOKEN, ZT

pytestmark = pytest.mark.anyio

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


class Proxy:
    """A listener standing in for a proxy: it only counts who connects to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone does not
        self.sock.close()
        self._thread.join(5)


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    listener = Proxy()
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in PROXY_VARIABLES:
        monkeypatch.setenv(name, listener.url)
    yield listener
    listener.close()


async def test_plain_http_base_url_never_goes_through_an_environment_proxy(
    proxy: Proxy,
) -> None:
    """The emulator on loopback is reached directly: the proxy would read the Basic header."""
    emulator = Emulator(EmulatorConfig(calls=0, rate_limit_requests=None))
    with serve_in_thread(emulator) as base_url:
        async with ZentrunkClient(
            emulator.auth_id, emulator.auth_token, base_url=base_url, rate_limit=None
        ) as zt:
            assert [t async for t in zt.trunks.list()] == []
    assert proxy.connections == 0


async def test_https_uses_the_environment_proxy_unless_trust_env_is_off(proxy: Proxy) -> None:
    """Over https the proxy sees only a tunnel; trust_env=False ignores it all the same."""
    closed_port = "https://127.0.0.1:9"  # discard port: nothing listens, nothing is sent
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=closed_port, rate_limit=None, max_retries=0
    ) as zt:
        with pytest.raises(APIConnectionError):
            await zt.trunks.get("1")
    assert proxy.connections == 1
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=closed_port, rate_limit=None, max_retries=0, trust_env=False
    ) as zt:
        with pytest.raises(APIConnectionError):
            await zt.trunks.get("1")
    assert proxy.connections == 1


def test_trust_env_with_an_injected_client_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="trust_env"):
        ZentrunkClient(AUTH_ID, TOKEN, http_client=httpx.AsyncClient(), trust_env=False)


def _reachable_strings(root: object, depth: int = 6) -> Iterator[str]:
    """Every string reachable from `root` through vars(), dicts, lists and tuples."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(root, 0)]
    while stack:
        obj, level = stack.pop()
        if id(obj) in seen or level > depth:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            yield obj
        elif isinstance(obj, bytes):
            yield obj.decode("latin-1")
        elif isinstance(obj, dict):
            stack.extend((item, level + 1) for pair in obj.items() for item in pair)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend((item, level + 1) for item in obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack.append((vars(obj), level + 1))


async def test_the_basic_header_is_not_reachable_through_vars(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    router.get(ZT + "Trunk/").respond(
        200,
        json={
            "api_id": "l",
            "meta": {"limit": 20, "offset": 0, "total_count": 0, "next": None, "previous": None},
            "objects": [],
        },
    )
    await zt.trunks.list().collect()  # after a request, not only at rest
    encoded = base64.b64encode(f"{AUTH_ID}:{TOKEN}".encode()).decode()
    for text in _reachable_strings(zt):
        assert TOKEN not in text
        assert encoded not in text


def test_sip_passwords_stay_wrapped_until_the_body_is_built() -> None:
    wrapped = sip_password("Pa$$w0rd1")
    assert isinstance(wrapped, Secret)
    assert "Pa$$w0rd1" not in repr(wrapped)
    assert "Pa$$w0rd1" not in repr({"password": wrapped})
    assert sip_password(wrapped) is wrapped  # a Secret is accepted as it is
    with pytest.raises(InvalidArgumentError) as info:
        sip_password(Secret("short"))
    assert "short" not in str(info.value)


async def test_the_password_reaches_the_wire_and_no_log(
    router: respx.MockRouter, zt: ZentrunkClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="zentrunk_async")
    route = router.post(ZT + "Credential/").respond(
        201, json={"api_id": "c", "message": "created", "credential_uuid": "a1b2c3"}
    )
    await zt.credentials.create(username="pbxuser1", password="Pa$$w0rd1")
    sent: dict[str, Any] = __import__("json").loads(route.calls.last.request.content)
    assert sent["password"] == "Pa$$w0rd1"
    assert "Pa$$w0rd1" not in caplog.text


async def test_uri_passwords_are_wrapped_too(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    from zentrunk_async._validate import secret

    assert isinstance(secret("hunter22", field="password"), Secret)
    with pytest.raises(InvalidArgumentError, match="password"):
        secret("", field="password")
    route = router.post(ZT + "URI/").respond(
        201, json={"api_id": "u", "message": "created", "uri_uuid": "a1b2c3"}
    )
    await zt.origination_uris.create(
        uri="pbx.example.com", authentication_needed=True, username="pbx", password="hunter22"
    )
    assert b'"password":"hunter22"' in route.calls.last.request.content.replace(b" ", b"")
