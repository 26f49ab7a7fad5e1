"""Writes under the emulator's answer faults, over real sockets: is the reported outcome true?

Each case sets one fault, runs one write through the SDK against the emulator
served by uvicorn, then (faults off) reads back whether the server applied it.
The report is wrong when it says "did not act" and the server acted, or
"did act" (or returns success) and it did not; "may have acted" is never wrong
but is pinned per fault too, so a regression to vaguer answers shows.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from zentrunk_async import (
    NotFoundError,
    RetryPolicy,
    WriteOutcome,
    ZentrunkClient,
    ZentrunkError,
)
from zentrunk_async.emulator import Emulator, EmulatorConfig, serve_in_thread

pytestmark = pytest.mark.anyio

NOT, MAYBE, ACTED = WriteOutcome.NOT_ACTED, WriteOutcome.MAY_HAVE_ACTED, WriteOutcome.ACTED
DONE = "returned"  # the call succeeded

#: fault settings, and what a create/update must report under them.
FAULTS: dict[str, tuple[dict[str, Any], object]] = {
    "acted, then dropped": ({"acted_drop_next": 1}, MAYBE),
    "acted, then timed out": ({"acted_hang_next": 1}, MAYBE),
    "acted, then 5xx": ({"acted_error_next": 1, "error_status": 500}, MAYBE),
    "acted, body cut mid-way": ({"drop_next": 1}, ACTED),
    "acted, body truncated": ({"truncate_next": 1}, ACTED),
    "acted, HTML 200 body": ({"html_next": 1}, ACTED),
    "acted, oversize body": ({"oversize_next": 1, "oversize_bytes": 1_000_000}, ACTED),
    "acted, trickled body": ({"trickle_next": 1, "trickle_interval": 0.5}, ACTED),
    "5xx before acting": ({"error_next": 1}, MAYBE),
    "429 until out of retries": ({"rate_limit_burst": 3}, NOT),
}

#: What a delete must report: it is retried, and a 404 after a lost answer is "deleted".
DELETE_EXPECTED: dict[str, object] = dict.fromkeys(FAULTS, DONE) | {
    "429 until out of retries": NOT,
}

_names = itertools.count()


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Emulator, str]]:
    emulator = Emulator(EmulatorConfig(calls=0, rate_limit_requests=None))
    with serve_in_thread(emulator) as base_url:
        yield emulator, base_url


def client(emulator: Emulator, base_url: str) -> ZentrunkClient:
    return ZentrunkClient(
        emulator.auth_id,
        emulator.auth_token,
        base_url=base_url,
        rate_limit=None,
        retry=RetryPolicy(max_retries=2, backoff_base=0.01, backoff_cap=0.05),
        attempt_timeout=1.5,
        max_response_bytes=64 * 1024,
    )


Op = Callable[[ZentrunkClient, str], Awaitable[object]]
Probe = Callable[[ZentrunkClient, str, str], Awaitable[bool]]


async def _exists(get: Callable[[], Awaitable[object]]) -> bool:
    try:
        await get()
    except NotFoundError:
        return False
    return True


async def _acl(zt: ZentrunkClient) -> str:
    return (
        await zt.ip_acls.create(name=f"acl{next(_names)}", ip_addresses=["10.0.0.1"])
    ).ipacl_uuid


async def _trunk(zt: ZentrunkClient) -> str:
    created = await zt.trunks.create(
        name=f"t{next(_names)}", trunk_direction="outbound", ipacl_uuid=await _acl(zt)
    )
    return created.trunk_id


async def _credential(zt: ZentrunkClient) -> str:
    created = await zt.credentials.create(username=f"user{next(_names):06d}", password="Pa$$w0rd1")
    return created.credential_uuid


async def _uri(zt: ZentrunkClient) -> str:
    created = await zt.origination_uris.create(name=f"u{next(_names)}", uri="pbx.example.com")
    return created.uri_uuid


async def _named(pager: Any, name: str) -> bool:
    return name in [getattr(record, "name", None) async for record in pager]


#: op name → (prepare: returns the id the op works on, op(zt, id, name), probe(zt, id, name)).
OPS: dict[str, tuple[Any, Any, Probe]] = {
    "trunks.create": (
        _acl,
        lambda zt, acl, name: zt.trunks.create(
            name=name, trunk_direction="outbound", ipacl_uuid=acl
        ),
        lambda zt, _, name: _named(zt.trunks.list(), name),
    ),
    "trunks.update": (
        _trunk,
        lambda zt, tid, name: zt.trunks.update(tid, name=name, trunk_direction="outbound"),
        lambda zt, tid, name: _named(zt.trunks.list(), name),
    ),
    "trunks.delete": (
        _trunk,
        lambda zt, tid, _: zt.trunks.delete(tid),
        lambda zt, tid, _: _gone(zt.trunks.get, tid),
    ),
    "credentials.create": (
        _acl,
        lambda zt, _, name: zt.credentials.create(
            username=f"cred{name}", password="Pa$$w0rd1", name=name
        ),
        lambda zt, _, name: _named(zt.credentials.list(), name),
    ),
    "credentials.update": (
        _credential,
        # With its username, as a rotation that reads first would meet the fault on the read.
        lambda zt, cid, name: zt.credentials.update(
            cid, username=f"rot{name}", password="N3w!pass", name=name
        ),
        lambda zt, _, name: _named(zt.credentials.list(), name),
    ),
    "credentials.delete": (
        _credential,
        lambda zt, cid, _: zt.credentials.delete(cid),
        lambda zt, cid, _: _gone(zt.credentials.get, cid),
    ),
    "ip_acls.create": (
        _acl,
        lambda zt, _, name: zt.ip_acls.create(name=name, ip_addresses=["10.1.1.1"]),
        lambda zt, _, name: _named(zt.ip_acls.list(), name),
    ),
    "ip_acls.update": (
        _acl,
        lambda zt, aid, name: zt.ip_acls.update(aid, name=name),
        lambda zt, _, name: _named(zt.ip_acls.list(), name),
    ),
    "ip_acls.delete": (
        _acl,
        lambda zt, aid, _: zt.ip_acls.delete(aid),
        lambda zt, aid, _: _gone(zt.ip_acls.get, aid),
    ),
    "origination_uris.create": (
        _acl,
        lambda zt, _, name: zt.origination_uris.create(name=name, uri="sbc.example.com"),
        lambda zt, _, name: _named(zt.origination_uris.list(), name),
    ),
    "origination_uris.update": (
        _uri,
        lambda zt, uid, name: zt.origination_uris.update(uid, name=name),
        lambda zt, _, name: _named(zt.origination_uris.list(), name),
    ),
    "origination_uris.delete": (
        _uri,
        lambda zt, uid, _: zt.origination_uris.delete(uid),
        lambda zt, uid, _: _gone(zt.origination_uris.get, uid),
    ),
}


async def _gone(get: Callable[[str], Awaitable[object]], item: str) -> bool:
    return not await _exists(lambda: get(item))


async def run_case(emulator: Emulator, base_url: str, op_name: str, fault: str) -> tuple[Any, bool]:
    """(what the SDK reported, whether the server applied the write)."""
    prepare, op, probe = OPS[op_name]
    settings, _ = FAULTS[fault]
    name = f"n{next(_names)}"
    async with client(emulator, base_url) as zt:
        item = await prepare(zt)
        emulator.set_faults(**settings)
        try:
            await op(zt, item, name)
            reported: object = DONE
        except ZentrunkError as exc:
            reported = exc.outcome
        finally:
            emulator.clear_faults()
        return reported, await probe(zt, item, name)


def is_wrong(reported: object, acted: bool) -> bool:
    return (reported is NOT and acted) or (reported in (ACTED, DONE) and not acted)


#: Every write under every fault that loses or spoils the answer cheaply; the
#: slow ones (a timeout, a trickle, a megabyte) on trunks and one delete each.
_SLOW = {"acted, then timed out", "acted, trickled body", "acted, oversize body"}
_EVERY_FAULT = {"trunks.create", "trunks.update", "trunks.delete", "credentials.delete"}
CASES = [(op, fault) for op in OPS for fault in FAULTS if fault not in _SLOW or op in _EVERY_FAULT]


@pytest.mark.parametrize(("op_name", "fault"), CASES, ids=[f"{o}-{f}" for o, f in CASES])
async def test_write_outcome_under_fault_is_true(
    server: tuple[Emulator, str], op_name: str, fault: str
) -> None:
    emulator, base_url = server
    reported, acted = await run_case(emulator, base_url, op_name, fault)
    print(f"ROW | {op_name} | {fault} | {reported} | {'acted' if acted else 'did not act'}")
    assert not is_wrong(reported, acted)
    expected = DELETE_EXPECTED[fault] if op_name.endswith(".delete") else FAULTS[fault][1]
    assert reported == expected
    if fault.startswith("acted"):
        assert acted
    if fault == "429 until out of retries":
        assert not acted


@pytest.mark.zentrunk_emulator(calls=0, rate_limit_requests=None)
async def test_acted_drop_in_process_is_a_lost_answer_too(
    zentrunk_emulator: Emulator, zentrunk_client_factory: Callable[..., ZentrunkClient]
) -> None:
    """Through httpx.ASGITransport the drop is the same "server disconnected" failure."""
    async with zentrunk_client_factory(rate_limit=None) as zt:
        acl = await _acl(zt)
        zentrunk_emulator.set_faults(acted_drop_next=1)
        with pytest.raises(ZentrunkError) as info:
            await zt.trunks.create(name="dropped", trunk_direction="outbound", ipacl_uuid=acl)
        assert info.value.outcome is MAYBE
        assert await _named(zt.trunks.list(), "dropped")
        assert zentrunk_emulator.stats_dict()["faults"] == {"acted_drop": 1}


@pytest.mark.zentrunk_emulator(calls=0, rate_limit_requests=None)
async def test_acted_faults_skip_reads(
    zentrunk_emulator: Emulator, zentrunk_client_factory: Callable[..., ZentrunkClient]
) -> None:
    """A read passes through without spending an acted_* counter."""
    async with zentrunk_client_factory(rate_limit=None) as zt:
        zentrunk_emulator.set_faults(acted_drop_next=1, acted_error_next=1)
        assert await zt.trunks.list().collect() == []
        assert zentrunk_emulator.faults.acted_drop_next == 1
        assert zentrunk_emulator.faults.acted_error_next == 1
