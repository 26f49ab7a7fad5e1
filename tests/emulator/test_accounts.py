"""Many accounts from one emulator (issue 17, public-api.md §6): own data, limit and faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from zentrunk_async import NotFoundError, RateLimit, RetryPolicy, ZentrunkClient
from zentrunk_async.emulator import (
    DEFAULT_AUTH_ID,
    DEFAULT_AUTH_TOKEN,
    Emulator,
    EmulatorConfig,
    serve_in_thread,
)

from .conftest import Api, FakeClock, client_for
from .test_routing import assert_error

pytestmark = pytest.mark.anyio


def test_one_account_keeps_the_default_credentials() -> None:
    emulator = Emulator(EmulatorConfig(calls=10))
    assert [(a.auth_id, a.auth_token) for a in emulator.accounts] == [
        (DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN)
    ]
    assert emulator.accounts[0] is emulator


def test_accounts_get_distinct_realistic_credentials() -> None:
    """The first keeps the configured pair; the others are derived, 20-char ids, 40-char tokens."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=4))
    pairs = [(a.auth_id, a.auth_token) for a in emulator.accounts]
    assert pairs[0] == (DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN)
    assert pairs[1][0] == "MAEMULATOR0000000002"
    assert len({auth_id for auth_id, _ in pairs}) == len({token for _, token in pairs}) == 4
    assert all(len(auth_id) == 20 and len(token) == 40 for auth_id, token in pairs)
    assert emulator.account("MAEMULATOR0000000003") is emulator.accounts[2]
    with pytest.raises(KeyError):
        emulator.account("MANOSUCH")


@pytest.mark.parametrize("accounts", [0, -1])
def test_accounts_must_be_positive(accounts: int) -> None:
    with pytest.raises(ValueError, match="accounts"):
        EmulatorConfig(accounts=accounts)


async def test_admin_lists_every_account() -> None:
    """GET /__emulator__/accounts -> [{"auth_id", "auth_token"}, ...] in order."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=3))
    async with client_for(emulator) as client:
        listed = (await client.get("/__emulator__/accounts")).json()
    assert listed == [{"auth_id": a.auth_id, "auth_token": a.auth_token} for a in emulator.accounts]


async def test_admin_routes_answer_loopback_clients_only() -> None:
    """The admin routes show tokens and need no auth: another host gets 403."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=2))
    transport = httpx.ASGITransport(app=emulator.app, client=("192.0.2.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        for path in ("/__emulator__/accounts", "/__emulator__/faults", "/__emulator__/stats"):
            response = await client.get(path)
            assert response.status_code == 403
            assert "loopback" in response.json()["error"]


async def test_each_account_has_its_own_data() -> None:
    """A trunk of one account is invisible to another; CDRs differ; credentials don't cross."""
    emulator = Emulator(EmulatorConfig(calls=50, accounts=2))
    first, second = emulator.accounts
    async with client_for(emulator, account=first) as a, client_for(emulator, account=second) as b:
        api_a, api_b = Api(a, emulator, first), Api(b, emulator, second)
        uri = await api_a.create("URI", {"uri": "sip.example.com"})
        trunk = await api_a.create("Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": uri})
        assert (await api_b.get("/Trunk/")).json()["objects"] == []
        assert_error(await api_b.get(f"/Trunk/{trunk}/"), 404)
        calls_a = [c["call_uuid"] for c in (await api_a.get("/Call/")).json()["objects"]]
        calls_b = [c["call_uuid"] for c in (await api_b.get("/Call/")).json()["objects"]]
        assert calls_a
        assert set(calls_a).isdisjoint(calls_b)
        assert_error(await api_b.get(f"/Call/{calls_a[0]}/"), 404)
        # First account's credentials on the second account's path: refused.
        assert_error(await a.get(f"{api_b.zt}/Trunk/"), 401)


async def test_each_account_has_its_own_rate_limit_window(clock: FakeClock) -> None:
    """Exhausting one account's window leaves the other's untouched."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=2, rate_limit_requests=3), clock=clock)
    first, second = emulator.accounts
    async with client_for(emulator, account=first) as a, client_for(emulator, account=second) as b:
        api_a, api_b = Api(a, emulator, first), Api(b, emulator, second)
        assert [(await api_a.get("/Trunk/")).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert [(await api_b.get("/Trunk/")).status_code for _ in range(3)] == [200, 200, 200]
        assert first.stats.rate_limited == 1
        assert second.stats.rate_limited == 0
        clock.advance(5.0)
        assert (await api_a.get("/Trunk/")).status_code == 200


async def test_each_account_has_its_own_faults() -> None:
    """A fault set on one account (Python handle or admin ?auth_id=) hits only that account."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=2))
    first, second = emulator.accounts
    second.set_faults(error_next=1)
    async with client_for(emulator, account=first) as a, client_for(emulator, account=second) as b:
        api_a, api_b = Api(a, emulator, first), Api(b, emulator, second)
        assert (await api_a.get("/Trunk/")).status_code == 200
        assert (await api_b.get("/Trunk/")).status_code == 503
        assert (await api_b.get("/Trunk/")).status_code == 200
        steer = await a.post(
            f"/__emulator__/faults?auth_id={second.auth_id}", json={"error_next": 2}
        )
        assert steer.json()["error_next"] == 2
        assert first.faults.error_next == 0
        assert (await api_a.get("/Trunk/")).status_code == 200
        assert (await api_b.get("/Trunk/")).status_code == 503
        stats_b = (await a.get(f"/__emulator__/stats?auth_id={second.auth_id}")).json()
        assert stats_b["statuses"] == {"200": 1, "503": 2}
        assert (await a.get("/__emulator__/stats?auth_id=MANOSUCH")).status_code == 404


async def test_sdk_clients_of_several_accounts_share_one_server() -> None:
    """One socket, three accounts, three SDK clients: each sees only its own account."""
    emulator = Emulator(EmulatorConfig(calls=30, accounts=3))
    with serve_in_thread(emulator) as base_url:
        for account in emulator.accounts:
            async with ZentrunkClient(
                account.auth_id,
                account.auth_token,
                base_url=base_url,
                rate_limit=RateLimit(),
                retry=RetryPolicy(max_retries=0),
            ) as zt:
                await zt.ip_acls.create(ip_addresses=["203.0.113.7"], name=account.auth_id)
                names = [acl.name async for acl in zt.ip_acls.list()]
                assert names == [account.auth_id]
                assert len(await zt.numbers.list().collect()) == account.config.numbers
                with pytest.raises(NotFoundError):
                    await zt.trunks.get("12345678901234567")
    assert [a.stats.requests for a in emulator.accounts] == [4, 4, 4]


def test_cli_serves_n_accounts_and_lists_them() -> None:
    """`python -m zentrunk_async.emulator --accounts 3` prints and serves three accounts."""
    command = [
        sys.executable, "-m", "zentrunk_async.emulator", "--port", "0", "--calls", "20",
        "--accounts", "3",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ})
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split()[-1]
        assert "3 account(s)" in process.stdout.readline()
        banner = [process.stdout.readline().split() for _ in range(3)]
        listed = httpx.get(f"{base_url}/__emulator__/accounts").json()
        assert [[a["auth_id"], a["auth_token"]] for a in listed] == [
            [line[2], line[5]] for line in banner
        ]
        last = listed[-1]
        response = httpx.get(
            f"{base_url}/v1/Account/{last['auth_id']}/Zentrunk/Trunk/",
            auth=(last["auth_id"], last["auth_token"]),
        )
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
