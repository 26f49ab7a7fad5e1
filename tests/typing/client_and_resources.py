"""The client and every resource operation return what public-api.md promises."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from typing_extensions import assert_type

from zentrunk_async import (
    CallInsights,
    CallRecord,
    Credential,
    CredentialCreated,
    CredentialUpdated,
    IPAccessControlList,
    IPAccessControlListCreated,
    IPAccessControlListUpdated,
    NumberUpdated,
    OriginationURI,
    OriginationURICreated,
    OriginationURIUpdated,
    Pager,
    RateLimit,
    Trunk,
    TrunkCreated,
    TrunkDirection,
    TrunkUpdated,
    ZentrunkClient,
)

SINCE = datetime(2026, 1, 1, tzinfo=timezone.utc)


async def client() -> None:
    zt = ZentrunkClient("MAXXXXXXXXXXXXXXXXXX", "token", rate_limit=RateLimit(), max_retries=2)
    assert_type(zt, ZentrunkClient)
    async with ZentrunkClient() as opened:
        assert_type(opened, ZentrunkClient)
    assert_type(await zt.aclose(), None)


async def trunks(zt: ZentrunkClient) -> None:
    created = await zt.trunks.create(trunk_direction="outbound", ipacl_uuid="acl")
    assert_type(created, TrunkCreated)
    assert_type(created.trunk_id, str)
    assert_type(created.api_id, str | None)
    assert_type(await zt.trunks.create(trunk_direction=TrunkDirection.INBOUND), TrunkCreated)
    trunk = await zt.trunks.get(created.trunk_id)
    assert_type(trunk, Trunk)
    assert_type(trunk.trunk_direction, TrunkDirection)  # the enum, not plain str
    assert_type(trunk.trunk_direction.known, bool)
    assert_type(trunk.created_at, datetime | None)
    assert_type(zt.trunks.list(trunk_direction="inbound"), Pager[Trunk])
    assert_type(await zt.trunks.update(trunk.trunk_id, name="renamed"), TrunkUpdated)
    assert_type(await zt.trunks.delete(trunk.trunk_id), None)
    assert_type(await zt.trunks.route_number("+14155551234", trunk.trunk_id), NumberUpdated)


async def credentials(zt: ZentrunkClient) -> None:
    created = await zt.credentials.create(username="pbx", password="s3cret-Passw0rd")
    assert_type(created, CredentialCreated)
    assert_type(await zt.credentials.get(created.credential_uuid), Credential)
    assert_type(zt.credentials.list(), Pager[Credential])
    updated = await zt.credentials.update(created.credential_uuid, password="n3w-Passw0rd")
    assert_type(updated, CredentialUpdated)
    assert_type(await zt.credentials.delete(created.credential_uuid), None)


async def ip_acls(zt: ZentrunkClient) -> None:
    created = await zt.ip_acls.create(ip_addresses=["203.0.113.7"])
    assert_type(created, IPAccessControlListCreated)
    assert_type(await zt.ip_acls.get(created.ipacl_uuid), IPAccessControlList)
    assert_type(zt.ip_acls.list(), Pager[IPAccessControlList])
    updated = await zt.ip_acls.update(created.ipacl_uuid, name="office")
    assert_type(updated, IPAccessControlListUpdated)
    assert_type(await zt.ip_acls.delete(created.ipacl_uuid), None)


async def origination_uris(zt: ZentrunkClient) -> None:
    created = await zt.origination_uris.create(uri="sip:pbx.example.com")
    assert_type(created, OriginationURICreated)
    assert_type(await zt.origination_uris.get(created.uri_uuid), OriginationURI)
    assert_type(zt.origination_uris.list(), Pager[OriginationURI])
    updated = await zt.origination_uris.update(created.uri_uuid, name="pbx")
    assert_type(updated, OriginationURIUpdated)
    assert_type(await zt.origination_uris.delete(created.uri_uuid), None)


async def calls(zt: ZentrunkClient) -> None:
    cdr = await zt.calls.get("call-uuid")
    assert_type(cdr, CallRecord)
    assert_type(cdr.total_amount, Decimal | None)  # money is Decimal
    assert_type(cdr.end_time, datetime | None)
    assert_type(cdr.call_duration, int)
    assert_type(await zt.calls.insights("call-uuid"), CallInsights)
    assert_type(zt.calls.list(end_time__gte=SINCE, call_direction="inbound"), Pager[CallRecord])
    async for exported in zt.calls.export(SINCE):
        assert_type(exported, CallRecord)


async def refused(zt: ZentrunkClient, trunk: Trunk) -> None:
    """Calls the type checkers must refuse (each ignore is checked to be needed)."""
    await zt.trunks.get(42)  # type: ignore[arg-type]
    zt.calls.list(call_direktion="inbound")  # type: ignore[call-arg]
    await zt.trunks.create(name="no direction")  # type: ignore[call-arg]
    await zt.ip_acls.create(ip_addresses=["203.0.113.7"], nmae="x")  # type: ignore[call-arg]
    trunk.name = "renamed"  # type: ignore[misc]  # records are frozen
    wrong: int = trunk.trunk_direction  # type: ignore[assignment]  # not Any
    del wrong
