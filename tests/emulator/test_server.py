"""Serving: the background-thread server, the command line, and the pytest fixtures."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

import httpx
import pytest

from zentrunk_async.emulator import (
    DEFAULT_AUTH_ID,
    DEFAULT_AUTH_TOKEN,
    Emulator,
    EmulatorConfig,
    serve_in_thread,
)
from zentrunk_async.testing import EmulatorServer

pytestmark = pytest.mark.anyio


async def test_serve_in_thread_serves_then_frees_the_port() -> None:
    emulator = Emulator(EmulatorConfig(calls=50, auth_id="MATHREAD", auth_token="tok"))
    with serve_in_thread(emulator) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=base_url, auth=("MATHREAD", "tok")) as client:
            response = await client.get("/v1/Account/MATHREAD/Zentrunk/Call/?limit=1")
        assert response.status_code == 200
        port = int(base_url.rsplit(":", 1)[1])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


async def test_fixture_server_over_a_real_socket(zentrunk_emulator_server: EmulatorServer) -> None:
    server = zentrunk_emulator_server
    assert server.auth_id == DEFAULT_AUTH_ID == "MAEMULATOR0000000001"
    assert server.auth_token == DEFAULT_AUTH_TOKEN
    assert len(server.auth_token) == 40
    assert server.client_kwargs()["base_url"] == server.base_url
    async with httpx.AsyncClient(
        base_url=server.base_url, auth=(server.auth_id, server.auth_token)
    ) as client:
        page = (await client.get(f"/v1/Account/{server.auth_id}/Zentrunk/Call/")).json()
    assert page["meta"]["limit"] == 20
    assert server.emulator.stats.requests == 1


@pytest.mark.zentrunk_emulator(calls=42, seed=7, auth_id="MAMARKER")
def test_fixture_marker_configures_the_emulator(zentrunk_emulator: Emulator) -> None:
    assert zentrunk_emulator.config.calls == 42
    assert zentrunk_emulator.config.seed == 7
    assert zentrunk_emulator.auth_id == "MAMARKER"


async def test_fixture_client_factory_drives_the_sdk(zentrunk_client_factory: Any) -> None:
    """The factory's client reaches the in-process emulator through the SDK's own stack."""
    async with zentrunk_client_factory(max_retries=0) as zt:
        acl = await zt.ip_acls.create(name="office", ip_addresses=["10.0.0.1"])
        created = await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=acl.ipacl_uuid)
        trunk = await zt.trunks.get(created.trunk_id)
        assert trunk.trunk_domain == f"{created.trunk_id}.zt.plivo.com"
        count = 0
        async for _ in zt.calls.list():
            count += 1
        assert count > 0


def test_cli_prints_its_url_once_ready_and_serves() -> None:
    """`python -m zentrunk_async.emulator` prints the base URL after it starts listening."""
    command = [
        sys.executable, "-m", "zentrunk_async.emulator", "--host", "127.0.0.1", "--port", "0",
        "--auth-id", "MACLI", "--auth-token", "secret", "--calls", "100", "--seed", "3",
        "--error-rate", "0", "--rate-limit", "50",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("Zentrunk emulator listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1].strip()
        process.stdout.readline()  # accounts, calls, seed
        # §15a L11 / issue 10: the banner shows the credentials to use.
        assert process.stdout.readline().split() == [
            "auth",
            "id",
            "MACLI",
            "auth",
            "token",
            "secret",
        ]
        response = httpx.get(
            f"{base_url}/v1/Account/MACLI/Zentrunk/Call/", auth=("MACLI", "secret")
        )
        assert response.status_code == 200
        limit = httpx.get(f"{base_url}/__emulator__/rate_limit").json()
        assert limit == {"requests": 50, "period": 5.0}
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def test_cli_rejects_bad_values() -> None:
    from zentrunk_async.emulator.__main__ import main

    assert main(["--error-rate", "3"]) == 2


def test_cli_help_shows_the_default_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    """`--help` names the auth id and token to use, so nobody has to read the source."""
    from zentrunk_async.emulator.__main__ import main

    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert DEFAULT_AUTH_ID in out
    assert DEFAULT_AUTH_TOKEN in out
    assert "--accounts N" in out
