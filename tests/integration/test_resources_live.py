"""Every resource operation, end to end against the emulator (in-process and socket)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from zentrunk_async import (
    AuthenticationError,
    BadRequestError,
    CallDirection,
    NotFoundError,
    TrunkDirection,
    ZentrunkClient,
)
from zentrunk_async.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_config_resources_full_lifecycle(zt: ZentrunkClient, emulator: Emulator) -> None:
    """Create, read, list, update and delete every configuration resource."""
    acl = await zt.ip_acls.create(ip_addresses=["203.0.113.7", "198.51.100.0/24"], name="office")
    cred = await zt.credentials.create(username="pbxuser1", password="Pa55word!", name="pbx")
    uri = await zt.origination_uris.create(uri="sip.example.com:5060;transport=tcp", name="pbx")

    outbound = await zt.trunks.create(
        name="out",
        trunk_direction="outbound",
        ipacl_uuid=acl.ipacl_uuid,
        credential_uuid=cred.credential_uuid,
    )
    inbound = await zt.trunks.create(
        name="in", trunk_direction=TrunkDirection.INBOUND, primary_uri_uuid=uri.uri_uuid
    )
    trunk = await zt.trunks.get(outbound.trunk_id)
    assert trunk.trunk_domain == f"{outbound.trunk_id}.zt.plivo.com"
    assert trunk.trunk_direction == TrunkDirection.OUTBOUND
    assert trunk.created_at is not None
    assert trunk.created_at.tzinfo is not None

    inbound_ids = [t.trunk_id async for t in zt.trunks.list(trunk_direction="inbound")]
    assert inbound_ids == [inbound.trunk_id]

    await zt.trunks.update(outbound.trunk_id, name="renamed")  # direction read first
    assert (await zt.trunks.get(outbound.trunk_id)).name == "renamed"
    await zt.ip_acls.update(acl.ipacl_uuid, ip_addresses=["192.0.2.1"])
    assert (await zt.ip_acls.get(acl.ipacl_uuid)).ip_addresses == ["192.0.2.1"]
    # The README's rotation: password only; the stored username is read and sent (L1).
    await zt.credentials.update(cred.credential_uuid, password="N3wpass!", name="pbx2")
    assert (await zt.credentials.get(cred.credential_uuid)).name == "pbx2"
    assert emulator.store.credentials[cred.credential_uuid]["_password"] == "N3wpass!"
    await zt.origination_uris.update(
        uri.uri_uuid, authentication_needed=True, username="plivo1", password="Secret#1"
    )
    fetched_uri = await zt.origination_uris.get(uri.uri_uuid)
    assert fetched_uri.authentication_needed is True
    assert fetched_uri.username == "plivo1"

    assert [c.credential_uuid async for c in zt.credentials.list()] == [cred.credential_uuid]
    assert [u.uri_uuid async for u in zt.origination_uris.list()] == [uri.uri_uuid]
    assert [a.ipacl_uuid async for a in zt.ip_acls.list()] == [acl.ipacl_uuid]

    routed = await zt.trunks.route_number("+14155550100", inbound.trunk_id)
    assert routed.message == "changed"
    assert (await zt.numbers.get("+14155550100")).trunk_id == inbound.trunk_id

    await zt.trunks.delete(outbound.trunk_id)
    with pytest.raises(NotFoundError):
        await zt.trunks.get(outbound.trunk_id)
    # Deleting a URI in use cascades to the trunks that use it (zentrunk-api.md §6.6).
    await zt.origination_uris.delete(uri.uri_uuid)
    with pytest.raises(NotFoundError):
        await zt.trunks.get(inbound.trunk_id)
    await zt.credentials.delete(cred.credential_uuid)
    await zt.ip_acls.delete(acl.ipacl_uuid)
    assert [t async for t in zt.trunks.list()] == []


async def test_many_trunks_list_concurrently_in_order(zt: ZentrunkClient) -> None:
    """A few pages of trunks come back complete, in the server's order, with fan-out."""
    acl = await zt.ip_acls.create(ip_addresses=["203.0.113.9"])
    created = []
    for n in range(45):
        res = await zt.trunks.create(
            name=f"t{n}", trunk_direction="outbound", ipacl_uuid=acl.ipacl_uuid
        )
        created.append(res.trunk_id)
    sequential = [t.trunk_id async for t in zt.trunks.list(concurrency=1)]
    concurrent = [t.trunk_id async for t in zt.trunks.list(concurrency=4)]
    assert sorted(sequential) == sorted(created)
    assert concurrent == sequential


async def test_calls_get_list_insights(zt: ZentrunkClient, emulator: Emulator) -> None:
    """CDRs list newest first within a window; get and insights decode every field."""
    now = datetime.now(timezone.utc)
    records = [
        c
        async for c in zt.calls.list(
            end_time__gte=now - timedelta(days=30), end_time__lt=now, call_direction="inbound"
        )
    ]
    assert records
    assert all(r.call_direction == CallDirection.INBOUND for r in records)
    ends = [r.end_time for r in records]
    assert ends == sorted(ends, reverse=True)
    assert len({r.call_uuid for r in records}) == len(records)
    one = await zt.calls.get(records[0].call_uuid)
    assert one == records[0]
    insights = await zt.calls.insights(one.call_uuid)
    assert insights.call_uuid == one.call_uuid
    assert isinstance(insights.rtt, float)

    digits = records[0].from_number.lstrip("+")[:4]
    matched = [c async for c in zt.calls.list(from_number="+" + digits, max_items=50)]
    assert matched
    assert all(c.from_number.lstrip("+").startswith(digits) for c in matched)


async def test_emulator_rejections_surface_as_typed_errors(zt: ZentrunkClient) -> None:
    """Server-side validation the SDK does not pre-empt arrives as BadRequestError/NotFoundError."""
    with pytest.raises(NotFoundError) as info:
        await zt.calls.get("00000000-0000-4000-8000-000000000000")
    assert info.value.api_id
    # A reference to a URI that does not exist is only known to the server.
    with pytest.raises((BadRequestError, NotFoundError)):
        await zt.trunks.create(
            trunk_direction="inbound", primary_uri_uuid="00000000-0000-4000-8000-000000000001"
        )


async def test_wrong_token_is_an_authentication_error(
    emulator: Emulator, base_url_and_transport: tuple[str, object]
) -> None:
    """Bad Basic credentials → 401 → AuthenticationError, without the token in the message."""
    import httpx

    base_url, transport = base_url_and_transport
    http = httpx.AsyncClient(transport=transport) if transport is not None else None  # type: ignore[arg-type]
    async with ZentrunkClient(
        emulator.auth_id, "wrong-token-123", base_url=base_url, http_client=http
    ) as client:
        with pytest.raises(AuthenticationError) as info:
            await client.trunks.list().collect()
    assert "wrong-token-123" not in str(info.value)
    if http is not None:
        await http.aclose()


async def test_wrong_token_on_the_number_routes_is_an_authentication_error(
    emulator: Emulator, base_url_and_transport: tuple[str, object]
) -> None:
    """§15a L6: clients check credentials with the number list: 401 → AuthenticationError."""
    import httpx

    base_url, transport = base_url_and_transport
    http = httpx.AsyncClient(transport=transport) if transport is not None else None  # type: ignore[arg-type]
    async with ZentrunkClient(
        emulator.auth_id, "wrong-token-123", base_url=base_url, http_client=http
    ) as client:
        with pytest.raises(AuthenticationError):
            await client.numbers.list().collect()
        with pytest.raises(AuthenticationError):
            await client.numbers.get("+14155550100")
    if http is not None:
        await http.aclose()
