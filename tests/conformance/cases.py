"""The conformance cases: one per public SDK operation, each run on a small built account.

Each case performs its operation through the SDK and checks what it returned
and what the emulator now holds; `test_conformance` runs them all and decodes
every response strictly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
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
    Number,
    NumberUpdated,
    OriginationURI,
    OriginationURICreated,
    OriginationURIUpdated,
    Trunk,
    TrunkCreated,
    TrunkInUseError,
    TrunkUpdated,
    ZentrunkClient,
)
from zentrunk_async.emulator import Emulator

NUMBER = "+14155550100"


@attrs.define
class World:
    """A small account built through the SDK: what the cases operate on."""

    zt: ZentrunkClient
    emulator: Emulator
    bodies: list[tuple[str, str, Any]]
    acl: str = ""
    credential: str = ""
    uri: str = ""
    inbound: str = ""
    outbound: str = ""
    call: str = ""

    async def build(self) -> World:
        zt = self.zt
        self.acl = (await zt.ip_acls.create(ip_addresses=["203.0.113.7"], name="office")).ipacl_uuid
        self.credential = (
            await zt.credentials.create(username="pbxuser1", password="Pa55word!", name="pbx")
        ).credential_uuid
        self.uri = (await zt.origination_uris.create(uri="sip.example.com", name="pbx")).uri_uuid
        self.inbound = (
            await zt.trunks.create(name="in", trunk_direction="inbound", primary_uri_uuid=self.uri)
        ).trunk_id
        self.outbound = (
            await zt.trunks.create(
                name="out", trunk_direction="outbound", ipacl_uuid=self.acl,
                credential_uuid=self.credential,
            )
        ).trunk_id  # fmt: skip
        self.call = next(iter(await zt.calls.list(max_items=1).collect())).call_uuid
        self.bodies.clear()
        return self


Case = Callable[[World], Awaitable[None]]
CASES: dict[str, Case] = {}


def case(name: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[name] = fn
        return fn

    return register


# -- trunks ---------------------------------------------------------------------------------


@case("trunks.create")
async def _trunks_create(w: World) -> None:
    res = await w.zt.trunks.create(trunk_direction="outbound", ipacl_uuid=w.acl, name="new")
    assert isinstance(res, TrunkCreated)
    assert res.trunk_id in w.emulator.store.trunks


@case("trunks.get")
async def _trunks_get(w: World) -> None:
    trunk = await w.zt.trunks.get(w.inbound)
    assert isinstance(trunk, Trunk)
    assert trunk.trunk_domain == f"{w.inbound}.zt.plivo.com"
    assert trunk.created_at is not None


@case("trunks.list")
async def _trunks_list(w: World) -> None:
    trunks = await w.zt.trunks.list(trunk_direction="inbound").collect()
    assert [t.trunk_id for t in trunks] == [w.inbound]
    assert all(isinstance(t, Trunk) and t.created_at is not None for t in trunks)


@case("trunks.update")
async def _trunks_update(w: World) -> None:
    res = await w.zt.trunks.update(w.outbound, name="renamed")
    assert isinstance(res, TrunkUpdated)
    assert (await w.zt.trunks.get(w.outbound)).name == "renamed"


@case("trunks.delete")
async def _trunks_delete(w: World) -> None:
    await w.zt.trunks.route_number(NUMBER, w.inbound)
    with pytest.raises(TrunkInUseError):
        await w.zt.trunks.delete(w.inbound, if_unrouted=True)
    assert w.inbound in w.emulator.store.trunks
    await w.zt.trunks.delete(w.inbound)
    assert w.inbound not in w.emulator.store.trunks
    assert (await w.zt.numbers.get(NUMBER)).trunk_id is None  # detached (§3.7)
    await w.zt.trunks.delete(w.outbound, if_unrouted=True)
    assert w.outbound not in w.emulator.store.trunks


@case("trunks.route_number")
async def _trunks_route_number(w: World) -> None:
    res = await w.zt.trunks.route_number(NUMBER, w.inbound)
    assert isinstance(res, NumberUpdated)
    number = await w.zt.numbers.get(NUMBER)
    assert (number.app_id, number.trunk_id) == (w.inbound, w.inbound)


@case("trunks.unroute_number")
async def _trunks_unroute_number(w: World) -> None:
    await w.zt.trunks.route_number(NUMBER, w.inbound)
    res = await w.zt.trunks.unroute_number(NUMBER)
    assert isinstance(res, NumberUpdated)
    assert (await w.zt.numbers.get(NUMBER)).trunk_id is None


@case("trunks.numbers")
async def _trunks_numbers(w: World) -> None:
    await w.zt.trunks.route_number(NUMBER, w.inbound)
    await w.zt.trunks.route_number("+14155550107", w.inbound)
    routed = [n.number async for n in w.zt.trunks.numbers(w.inbound)]
    assert routed == ["14155550100", "14155550107"]
    assert await w.zt.trunks.numbers(w.outbound).collect() == []


# -- credentials, IP ACLs, origination URIs -------------------------------------------------


@case("credentials.create")
async def _credentials_create(w: World) -> None:
    res = await w.zt.credentials.create(username="another1", password="Pa55word!")
    assert isinstance(res, CredentialCreated)


@case("credentials.get")
async def _credentials_get(w: World) -> None:
    credential = await w.zt.credentials.get(w.credential)
    assert isinstance(credential, Credential)
    assert credential.username == "pbxuser1"


@case("credentials.list")
async def _credentials_list(w: World) -> None:
    assert [c.credential_uuid async for c in w.zt.credentials.list()] == [w.credential]


@case("credentials.update")
async def _credentials_update(w: World) -> None:
    # The README's rotation: password only; the stored username travels along (§15a L1).
    res = await w.zt.credentials.update(w.credential, password="N3wpass!")
    assert isinstance(res, CredentialUpdated)
    stored = w.emulator.store.credentials[w.credential]
    assert (stored["username"], stored["_password"]) == ("pbxuser1", "N3wpass!")


@case("credentials.delete")
async def _credentials_delete(w: World) -> None:
    await w.zt.credentials.delete(w.credential)
    assert w.credential not in w.emulator.store.credentials


@case("ip_acls.create")
async def _ip_acls_create(w: World) -> None:
    res = await w.zt.ip_acls.create(ip_addresses=["2001:db8::1", "198.51.100.0/24"])
    assert isinstance(res, IPAccessControlListCreated)


@case("ip_acls.get")
async def _ip_acls_get(w: World) -> None:
    acl = await w.zt.ip_acls.get(w.acl)
    assert isinstance(acl, IPAccessControlList)
    assert acl.ip_addresses == ["203.0.113.7"]


@case("ip_acls.list")
async def _ip_acls_list(w: World) -> None:
    assert [a.ipacl_uuid async for a in w.zt.ip_acls.list()] == [w.acl]


@case("ip_acls.update")
async def _ip_acls_update(w: World) -> None:
    res = await w.zt.ip_acls.update(w.acl, ip_addresses=["192.0.2.1", "2001:db8::/32"])
    assert isinstance(res, IPAccessControlListUpdated)
    assert (await w.zt.ip_acls.get(w.acl)).ip_addresses == ["192.0.2.1", "2001:db8::/32"]


@case("ip_acls.delete")
async def _ip_acls_delete(w: World) -> None:
    await w.zt.ip_acls.delete(w.acl)
    assert w.acl not in w.emulator.store.ipacls


@case("origination_uris.create")
async def _uris_create(w: World) -> None:
    for uri in ("sips:pbx.example.com", "[2001:db8::1]:5061;transport=tls"):
        res = await w.zt.origination_uris.create(uri=uri)
        assert isinstance(res, OriginationURICreated)


@case("origination_uris.get")
async def _uris_get(w: World) -> None:
    uri = await w.zt.origination_uris.get(w.uri)
    assert isinstance(uri, OriginationURI)
    assert uri.uri == "sip.example.com"


@case("origination_uris.list")
async def _uris_list(w: World) -> None:
    assert [u.uri_uuid async for u in w.zt.origination_uris.list()] == [w.uri]


@case("origination_uris.update")
async def _uris_update(w: World) -> None:
    res = await w.zt.origination_uris.update(
        w.uri, authentication_needed=True, username="plivo1", password="S3cret#1"
    )
    assert isinstance(res, OriginationURIUpdated)
    # The stored username travels with a later password change (§15a L2).
    await w.zt.origination_uris.update(w.uri, authentication_needed=True, password="S3cret#2")
    assert w.emulator.store.uris[w.uri]["_password"] == "S3cret#2"


@case("origination_uris.delete")
async def _uris_delete(w: World) -> None:
    await w.zt.origination_uris.delete(w.uri)
    assert w.inbound not in w.emulator.store.trunks  # the cascade of §6.6


# -- numbers and calls ----------------------------------------------------------------------


@case("numbers.get")
async def _numbers_get(w: World) -> None:
    number = await w.zt.numbers.get(NUMBER)
    assert isinstance(number, Number)
    assert (number.number, number.active, number.voice_enabled) == ("14155550100", True, True)


@case("numbers.list")
async def _numbers_list(w: World) -> None:
    numbers = await w.zt.numbers.list(limit=3).collect()
    assert len(numbers) == w.emulator.config.numbers
    assert len({n.number for n in numbers}) == len(numbers)
    assert (
        await w.zt.numbers.list(number_startswith="1415555010", max_items=2).collect()
        == numbers[:2]
    )


@case("calls.get")
async def _calls_get(w: World) -> None:
    record = await w.zt.calls.get(w.call)
    assert isinstance(record, CallRecord)
    assert record.call_uuid == w.call


@case("calls.list")
async def _calls_list(w: World) -> None:
    records = await w.zt.calls.list(call_direction="inbound", max_items=45).collect()
    assert 0 < len(records) <= 45
    assert all(isinstance(r, CallRecord) and r.call_direction == "inbound" for r in records)


@case("calls.insights")
async def _calls_insights(w: World) -> None:
    insights = await w.zt.calls.insights(w.call)
    assert isinstance(insights, CallInsights)
    assert insights.call_uuid == w.call


@case("calls.export")
async def _calls_export(w: World) -> None:
    now = datetime.now(timezone.utc)
    exported = [c.call_uuid async for c in w.zt.calls.export(since=now - timedelta(days=30))]
    listed = await w.zt.calls.list(end_time__gte=now - timedelta(days=30)).collect()
    assert len(exported) == len(set(exported)) > 0
    assert set(exported) == {c.call_uuid for c in listed}
