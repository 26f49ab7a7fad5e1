"""Every resource operation's wire exchange: method, path, body or query, typed result."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import httpx
import pytest
import respx

from zentrunk_async import (
    CallRecord,
    CredentialCreated,
    InvalidArgumentError,
    Trunk,
    TrunkCreated,
    TrunkDirection,
    ZentrunkClient,
)

from .wire import PROD_CDR, TRUNK_LIVE_GET, ZT, cdr, list_body

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"


def sent_json(route: respx.Route) -> object:
    return json.loads(route.calls.last.request.content)


async def test_trunks_create_posts_json_and_returns_typed_response(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """create() POSTs a JSON body to the collection and returns the typed create response."""
    route = router.post(ZT + "Trunk/").respond(
        201,
        json={"api_id": "4e1f", "message": "Trunk created successfully.", "trunk_id": TRUNK_ID},
    )
    res = await zt.trunks.create(
        name="pbx-out", trunk_direction="outbound", ipacl_uuid=UUID, secure=False
    )
    assert isinstance(res, TrunkCreated)
    assert (res.trunk_id, res.api_id, res.message) == (
        TRUNK_ID,
        "4e1f",
        "Trunk created successfully.",
    )
    request = route.calls.last.request
    assert request.headers["content-type"] == "application/json"
    assert sent_json(route) == {
        "name": "pbx-out",
        "trunk_direction": "outbound",
        "ipacl_uuid": UUID,
        "secure": False,
    }


async def test_trunks_get_unwraps_the_live_object_envelope(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """The live trunk GET nests the record under `object`; get() returns the Trunk itself."""
    router.get(ZT + f"Trunk/{TRUNK_ID}/").respond(200, json=TRUNK_LIVE_GET)
    trunk = await zt.trunks.get(TRUNK_ID)
    assert isinstance(trunk, Trunk)
    assert trunk.trunk_direction == TrunkDirection.INBOUND
    assert trunk.created_at == datetime(2026, 8, 23, 19, 57, 52, tzinfo=timezone.utc)
    assert trunk.primary_uri_uuid == UUID


async def test_trunks_update_reads_direction_first_when_not_given(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """The API 400s an update without trunk_direction, so the current one is read and sent."""
    router.get(ZT + f"Trunk/{TRUNK_ID}/").respond(200, json=TRUNK_LIVE_GET)
    update = router.post(ZT + f"Trunk/{TRUNK_ID}/").respond(
        202, json={"api_id": "a", "message": "Trunk updated successfully.", "trunk_id": TRUNK_ID}
    )
    res = await zt.trunks.update(TRUNK_ID, name="renamed")
    assert res.trunk_id == TRUNK_ID
    assert sent_json(update) == {"name": "renamed", "trunk_direction": "inbound"}


async def test_trunks_update_with_direction_sends_one_request(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A caller-given direction is sent as is, with no read first."""
    update = router.post(ZT + f"Trunk/{TRUNK_ID}/").respond(
        202, json={"api_id": "a", "message": "ok", "trunk_id": TRUNK_ID}
    )
    await zt.trunks.update(TRUNK_ID, trunk_direction="inbound", trunk_status="disabled")
    assert len(router.calls) == 1
    assert sent_json(update) == {"trunk_status": "disabled", "trunk_direction": "inbound"}


async def test_delete_sends_delete_and_returns_none(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """delete() on each resource is a DELETE on the item path answered by 204."""
    routes = [
        router.delete(ZT + f"Trunk/{TRUNK_ID}/").respond(204),
        router.delete(ZT + f"Credential/{UUID}/").respond(204),
        router.delete(ZT + f"IPAccessControlList/{UUID}/").respond(204),
        router.delete(ZT + f"URI/{UUID}/").respond(204),
    ]
    assert await zt.trunks.delete(TRUNK_ID) is None
    assert await zt.credentials.delete(UUID) is None
    assert await zt.ip_acls.delete(UUID) is None
    assert await zt.origination_uris.delete(UUID) is None
    assert all(route.call_count == 1 for route in routes)


async def test_trunks_list_sends_filters_and_walks_pages(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """list() sends filters in the query and yields every record of every page."""
    trunk = TRUNK_LIVE_GET["object"]
    assert isinstance(trunk, dict)

    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        count = min(20, 45 - offset)
        objects = [{**trunk, "trunk_id": str(offset + i)} for i in range(count)]
        body = list_body(objects, offset=offset, total=45, path="Zentrunk/Trunk/")
        return httpx.Response(200, json=body)

    route = router.get(ZT + "Trunk/").mock(side_effect=page)
    ids = [t.trunk_id async for t in zt.trunks.list(trunk_direction="inbound", secure=False)]
    assert ids == [str(i) for i in range(45)]
    params = route.calls[0].request.url.params
    assert params["trunk_direction"] == "inbound"
    assert params["secure"] == "false"
    assert params["limit"] == "20"


@pytest.mark.parametrize(
    ("resource", "path", "record"),
    [
        (
            "credentials",
            "Credential",
            {"credential_uuid": UUID, "name": "n", "username": "sipuser1"},
        ),
        (
            "ip_acls",
            "IPAccessControlList",
            {"ipacl_uuid": UUID, "name": "n", "ip_addresses": ["192.168.1.1"]},
        ),
        (
            "origination_uris",
            "URI",
            {
                "uri_uuid": UUID,
                "name": "n",
                "uri": "sip.example.com:5060",
                "authentication_needed": False,
                "username": None,
            },
        ),
    ],
)
async def test_config_resources_get_and_list(
    router: respx.MockRouter,
    zt: ZentrunkClient,
    resource: str,
    path: str,
    record: dict[str, object],
) -> None:
    """get() and list() of credentials, IP ACLs and URIs decode the flat documented objects."""
    router.get(ZT + f"{path}/{UUID}/").respond(200, json=record)
    router.get(ZT + f"{path}/").respond(200, json=list_body([record], offset=0, total=1))
    res = getattr(zt, resource)
    one = await res.get(UUID)
    many = [item async for item in res.list()]
    assert many == [one]
    assert getattr(one, next(iter(record))) == UUID


async def test_credentials_create_and_update(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """Credential writes carry username and password in the JSON body."""
    create = router.post(ZT + "Credential/").respond(
        201,
        json={
            "api_id": "a",
            "message": "credential created successfully.",
            "credential_uuid": UUID,
        },
    )
    update = router.post(ZT + f"Credential/{UUID}/").respond(
        202,
        json={
            "api_id": "b",
            "message": "Credential updated successfully.",
            "credential_uuid": UUID,
        },
    )
    read = router.get(ZT + f"Credential/{UUID}/").respond(
        200, json={"credential_uuid": UUID, "name": "pbx", "username": "sipuser1"}
    )
    created = await zt.credentials.create(username="sipuser1", password="Pa55word!", name="pbx")
    assert isinstance(created, CredentialCreated)
    assert created.credential_uuid == UUID
    await zt.credentials.update(UUID, password="N3wpass!", username="sipuser2")
    assert sent_json(create) == {"name": "pbx", "username": "sipuser1", "password": "Pa55word!"}
    assert sent_json(update) == {"password": "N3wpass!", "username": "sipuser2"}
    assert not read.called  # a given username needs no read


async def test_ip_acls_create_and_update(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """IP ACL writes send the whole address list (the API replaces, never merges)."""
    create = router.post(ZT + "IPAccessControlList/").respond(
        201,
        json={
            "api_id": "a",
            "message": "IP access control list created successfully.",
            "ipacl_uuid": UUID,
        },
    )
    update = router.post(ZT + f"IPAccessControlList/{UUID}/").respond(
        202,
        json={
            "api_id": "b",
            "message": "IP access control list updated successfully.",
            "ipacl_uuid": UUID,
        },
    )
    created = await zt.ip_acls.create(ip_addresses=["192.168.0.1", "44.229.228.186/32"])
    updated = await zt.ip_acls.update(UUID, ip_addresses=["10.0.0.1"], name="office")
    assert created.ipacl_uuid == updated.ipacl_uuid == UUID
    assert sent_json(create) == {"ip_addresses": ["192.168.0.1", "44.229.228.186/32"]}
    assert sent_json(update) == {"name": "office", "ip_addresses": ["10.0.0.1"]}


async def test_origination_uris_create_and_update(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """URI writes carry the uri and, with authentication, username and password."""
    create = router.post(ZT + "URI/").respond(
        201,
        json={"api_id": "a", "message": "Origination URI created successfully.", "uri_uuid": UUID},
    )
    update = router.post(ZT + f"URI/{UUID}/").respond(
        202,
        json={"api_id": "b", "message": "origination uri updated successfully.", "uri_uuid": UUID},
    )
    created = await zt.origination_uris.create(uri="sip.vapi.ai;transport=udp", name="vapi")
    await zt.origination_uris.update(
        UUID, password="pw", authentication_needed=True, username="plivo_inbound"
    )
    assert created.uri_uuid == UUID
    assert sent_json(create) == {"uri": "sip.vapi.ai;transport=udp", "name": "vapi"}
    assert sent_json(update) == {
        "authentication_needed": True,
        "username": "plivo_inbound",
        "password": "pw",
    }


async def test_calls_get_list_and_insights(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """CDRs decode with aware times and Decimal money; Insights' numeric strings become numbers."""
    uuid = PROD_CDR["call_uuid"]
    router.get(ZT + f"Call/{uuid}/").respond(200, json=PROD_CDR)
    router.get(ZT + f"Call/{uuid}/Insights/").respond(
        200,
        json={
            "api_id": "a63d",
            "call_uuid": uuid,
            "from": {"carrier": "Verizon Wireless", "number": "+12025551234", "region": "US"},
            "to": {"carrier": "AT&T", "number": "+13128574907", "region": "US"},
            "hangup_cause": "normal_hangup",
            "hangup_source": "customer",
            "rtt": "24",
            "jitter": "3",
            "packet_loss": "0",
            "post_dial_delay": 1000.0,
            "plivo_quality_score": "4.2",
        },
    )
    listing = router.get(ZT + "Call/").respond(
        200, json=list_body([cdr(1), cdr(2)], offset=0, total=2)
    )
    record = await zt.calls.get(str(uuid))
    assert isinstance(record, CallRecord)
    assert record.total_amount == Decimal("0.00280")
    assert record.end_time == datetime(2026, 9, 18, 8, 52, 26, tzinfo=timezone.utc)
    insights = await zt.calls.insights(str(uuid))
    assert insights.rtt == 24
    assert insights.plivo_quality_score == pytest.approx(4.2)
    since = datetime(2026, 9, 1, 2, 0, tzinfo=timezone.utc)
    calls = [
        c.call_uuid
        async for c in zt.calls.list(
            end_time__gte=since,
            end_time__lt="2026-09-30 00:00:00",
            from_number="+919902443540",
            call_direction="inbound",
        )
    ]
    assert len(calls) == 2
    params = listing.calls.last.request.url.params
    assert params["end_time__gte"] == "2026-09-01 02:00:00"
    assert params["from_number"] == "919902443540"
    assert params["call_direction"] == "inbound"


async def test_route_number_posts_app_id_for_inbound_trunk(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A number is routed to an inbound trunk by POST Number/{digits}/ with app_id."""
    router.get(ZT + f"Trunk/{TRUNK_ID}/").respond(200, json=TRUNK_LIVE_GET)
    number = router.post(ZT.replace("Zentrunk/", "") + "Number/14155551234/").respond(
        202, json={"message": "changed", "api_id": "5a9f"}
    )
    res = await zt.trunks.route_number("+14155551234", TRUNK_ID)
    assert res.message == "changed"
    assert sent_json(number) == {"app_id": TRUNK_ID}


async def test_route_number_refuses_outbound_trunk(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """An outbound trunk would silently stop the number answering: refused, nothing posted."""
    body = {**TRUNK_LIVE_GET, "object": {**TRUNK_LIVE_GET["object"], "trunk_direction": "outbound"}}  # type: ignore[dict-item]
    router.get(ZT + f"Trunk/{TRUNK_ID}/").respond(200, json=body)
    post = router.post(url__regex=r".*/Number/.*")
    with pytest.raises(InvalidArgumentError, match="inbound"):
        await zt.trunks.route_number("14155551234", TRUNK_ID)
    assert not post.called


INVALID_CALLS = [
    ("trunks.create bad direction", lambda zt: zt.trunks.create(trunk_direction="sideways")),
    ("inbound without primary uri", lambda zt: zt.trunks.create(trunk_direction="inbound")),
    ("outbound without auth", lambda zt: zt.trunks.create(trunk_direction="outbound")),
    (
        "outbound with uri",
        lambda zt: zt.trunks.create(
            trunk_direction="outbound", ipacl_uuid=UUID, primary_uri_uuid=UUID
        ),
    ),
    ("trunk id not numeric", lambda zt: zt.trunks.get("../Credential")),
    ("empty trunk update", lambda zt: zt.trunks.update(TRUNK_ID)),
    ("credential update without password", lambda zt: zt.credentials.update(UUID, name="x")),
    ("short sip username", lambda zt: zt.credentials.create(username="ab", password="Pa55word!")),
    (
        "password without special",
        lambda zt: zt.credentials.create(username="abcde", password="abcdef"),
    ),
    ("bad ip", lambda zt: zt.ip_acls.create(ip_addresses=["300.1.1.1"])),
    ("cidr host bits", lambda zt: zt.ip_acls.create(ip_addresses=["10.0.0.1/24"])),
    ("ip string not list", lambda zt: zt.ip_acls.create(ip_addresses="10.0.0.1")),
    ("uri as url", lambda zt: zt.origination_uris.create(uri="https://pbx.example.com")),
    ("uri bad port", lambda zt: zt.origination_uris.create(uri="pbx.example.com:70000")),
    (
        "uri bad transport",
        lambda zt: zt.origination_uris.create(uri="pbx.example.com;transport=ws"),
    ),
    (
        "uri auth without password",
        lambda zt: zt.origination_uris.create(
            uri="pbx.example.com", authentication_needed=True, username="u"
        ),
    ),
    (
        "uri update password alone",
        lambda zt: zt.origination_uris.update(UUID, password="pw"),
    ),
    ("route outbound digits", lambda zt: zt.trunks.route_number("not-a-number", TRUNK_ID)),
    ("call uuid with slash", lambda zt: zt.calls.get("a/b")),
]


@pytest.mark.parametrize(("case", "call"), INVALID_CALLS, ids=[c[0] for c in INVALID_CALLS])
async def test_invalid_arguments_raise_before_any_request(
    router: respx.MockRouter, zt: ZentrunkClient, case: str, call: object
) -> None:
    """Invalid input raises ValueError (InvalidArgumentError) and sends nothing."""
    catch_all = router.route().respond(500)
    with pytest.raises(ValueError):  # noqa: PT011 - the class is the contract here
        await call(zt)  # type: ignore[operator]
    assert not catch_all.called


INVALID_LISTS = [
    ("limit 0", {"limit": 0}),
    ("limit 21", {"limit": 21}),
    ("negative offset", {"offset": -1}),
    ("naive datetime", {"end_time__gte": datetime(2026, 1, 1)}),
    ("upper bound alone", {"end_time__lte": datetime(2026, 1, 1, tzinfo=timezone.utc)}),
    (
        "range over 90 days",
        {
            "end_time__gte": datetime(2026, 1, 1, tzinfo=timezone.utc),
            "end_time__lt": datetime(2026, 4, 2, tzinfo=timezone.utc),
        },
    ),
    ("bad direction", {"call_direction": "sideways"}),
    ("empty number", {"from_number": ""}),
    ("time string format", {"end_time__gte": "01/02/2026"}),
    ("negative duration", {"bill_duration__gt": -1}),
    ("zero concurrency", {"concurrency": 0}),
]


@pytest.mark.parametrize(("case", "kwargs"), INVALID_LISTS, ids=[c[0] for c in INVALID_LISTS])
async def test_invalid_list_arguments_raise_before_any_request(
    router: respx.MockRouter, zt: ZentrunkClient, case: str, kwargs: dict[str, object]
) -> None:
    """calls.list() checks limit, offset, enums, times and the API's window rules up front."""
    catch_all = router.route().respond(500)
    with pytest.raises(ValueError):  # noqa: PT011
        async for _ in zt.calls.list(**kwargs):  # type: ignore[arg-type]
            pass
    assert not catch_all.called
