"""Wire facts of the live API that third-party clients show (zentrunk-api.md §15a), via respx."""

from __future__ import annotations

import json

import pytest
import respx

from zentrunk_async import (
    InvalidArgumentError,
    Number,
    ServerError,
    TrunkInUseError,
    ZentrunkClient,
)

from .wire import BASE, TRUNK_LIVE_GET, ZT, list_body

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
OTHER_TRUNK = "98765432109876543"
UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"
NUMBER = BASE + "Number/"


def sent_json(route: respx.Route) -> object:
    return json.loads(route.calls.last.request.content)


def number_body(digits: str, trunk_id: str | None, *, fill: str = "both") -> dict[str, object]:
    """A number object; ``fill`` says which of app_id/application the API filled (L7)."""
    application = f"/v1/Account/MAXXXXXXXXXXXXXXXXXX/Zentrunk/Trunk/{trunk_id}/"
    return {
        "number": digits,
        "alias": None,
        "app_id": trunk_id if trunk_id and fill in ("both", "app_id") else None,
        "application": application if trunk_id and fill in ("both", "application") else None,
        "active": True,
        "voice_enabled": True,
        "sms_enabled": True,
        "number_type": "local",
    }


# -- L1: credential rotation carries the stored username ---------------------------------


async def test_credential_password_rotation_reads_and_sends_the_stored_username(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L1: update(uuid, password=...) reads the credential first, then sends its username."""
    read = router.get(ZT + f"Credential/{UUID}/").respond(
        200, json={"credential_uuid": UUID, "name": "pbx", "username": "sipuser1"}
    )
    update = router.post(ZT + f"Credential/{UUID}/").respond(
        202,
        json={
            "api_id": "b",
            "message": "Credential updated successfully.",
            "credential_uuid": UUID,
        },
    )
    await zt.credentials.update(UUID, password="N3wpass!")
    assert read.call_count == 1
    assert sent_json(update) == {"password": "N3wpass!", "username": "sipuser1"}


async def test_credential_rotation_without_a_stored_username_is_refused(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L1: with no username given or stored, nothing is posted (the API would refuse)."""
    router.get(ZT + f"Credential/{UUID}/").respond(200, json={"credential_uuid": UUID})
    update = router.post(ZT + f"Credential/{UUID}/")
    with pytest.raises(InvalidArgumentError, match="username"):
        await zt.credentials.update(UUID, password="N3wpass!")
    assert not update.called


# -- L2: URI authentication needs a username ------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"authentication_needed": True}, {"authentication_needed": True, "password": "S3cret#1"}],
    ids=["flag", "flag+password"],
)
async def test_uri_authentication_without_any_username_is_refused_before_the_write(
    router: respx.MockRouter, zt: ZentrunkClient, kwargs: dict[str, object]
) -> None:
    """L2: authentication_needed=True with no username given or stored: no POST is sent."""
    router.get(ZT + f"URI/{UUID}/").respond(
        200, json={"uri_uuid": UUID, "uri": "sip.example.com", "username": None}
    )
    post = router.post(ZT + f"URI/{UUID}/")
    with pytest.raises(InvalidArgumentError, match="username"):
        await zt.origination_uris.update(UUID, **kwargs)  # type: ignore[arg-type]
    assert not post.called


async def test_uri_authentication_carries_the_stored_username(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L2: a stored username travels with authentication_needed=True."""
    router.get(ZT + f"URI/{UUID}/").respond(
        200,
        json={"uri_uuid": UUID, "uri": "sip.example.com", "username": "plivo1",
              "authentication_needed": True},
    )  # fmt: skip
    post = router.post(ZT + f"URI/{UUID}/").respond(
        202,
        json={"api_id": "c", "message": "origination uri updated successfully.", "uri_uuid": UUID},
    )
    await zt.origination_uris.update(UUID, authentication_needed=True, password="S3cret#1")
    assert sent_json(post) == {
        "authentication_needed": True,
        "password": "S3cret#1",
        "username": "plivo1",
    }


async def test_uri_update_with_username_given_needs_no_read(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    read = router.get(ZT + f"URI/{UUID}/")
    router.post(ZT + f"URI/{UUID}/").respond(
        202,
        json={"api_id": "c", "message": "origination uri updated successfully.", "uri_uuid": UUID},
    )
    await zt.origination_uris.update(UUID, authentication_needed=True, username="u1", password="p")
    assert not read.called


# -- L6, L7: numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fill", "expected"), [("both", TRUNK_ID), ("app_id", TRUNK_ID), ("application", TRUNK_ID)]
)
async def test_number_get_reads_the_trunk_from_app_id_or_application(
    router: respx.MockRouter, zt: ZentrunkClient, fill: str, expected: str
) -> None:
    """L7: the routed trunk is read from app_id or the application path, whichever is filled."""
    route = router.get(NUMBER + "14155550100/").respond(
        200, json={"api_id": "n", **number_body("14155550100", TRUNK_ID, fill=fill)}
    )
    number = await zt.numbers.get("+14155550100")  # '+' stripped: digits in the path (§12)
    assert route.called
    assert isinstance(number, Number)
    assert number.trunk_id == expected
    assert number.active is True
    assert number.voice_enabled is True
    assert number.extra["number_type"] == "local"


def test_number_routed_to_a_voice_application_has_no_trunk() -> None:
    """An application path that is not a trunk's means no trunk, whatever app_id says."""
    number = Number(
        number="14155550100", app_id="2998631", application="/v1/Account/MA1/Application/2998631/"
    )
    assert number.trunk_id is None
    assert Number(number="14155550100").trunk_id is None


async def test_numbers_list_pages_with_the_number_api_filters(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L6: GET Number/?limit&offset with the standard envelope, filters in the query."""
    objects = [number_body(f"1415555010{i}", None) for i in range(3)]
    listing = router.get(NUMBER).respond(
        200, json=list_body(objects, offset=0, total=3, path="Number/")
    )
    got = [
        n
        async for n in zt.numbers.list(number_startswith="+1415", type="local", services=["voice"])
    ]
    assert [n.number for n in got] == ["14155550100", "14155550101", "14155550102"]
    params = listing.calls.last.request.url.params
    assert params["number_startswith"] == "1415"
    assert params["type"] == "local"
    assert params["services"] == "voice"
    assert params["limit"] == "20"
    assert params["offset"] == "0"


@pytest.mark.parametrize(
    "call",
    [
        lambda zt: zt.numbers.list(type="landline"),
        lambda zt: zt.numbers.list(services=["fax"]),
        lambda zt: zt.numbers.get("call-me"),
        lambda zt: zt.trunks.unroute_number("+1-800-FLOWERS"),
        lambda zt: zt.trunks.numbers("not-a-trunk"),
    ],
    ids=["type", "services", "get", "unroute", "trunk numbers"],
)
async def test_number_arguments_are_checked_before_any_request(
    router: respx.MockRouter, zt: ZentrunkClient, call: object
) -> None:
    with pytest.raises(InvalidArgumentError):
        await _consume(call(zt))  # type: ignore[operator]
    assert not router.calls


async def _consume(result: object) -> None:
    if hasattr(result, "__aiter__"):
        async for _ in result:  # type: ignore[attr-defined]
            pass
    else:
        await result  # type: ignore[misc]


async def test_trunk_numbers_are_the_numbers_routed_to_it(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """trunks.numbers(id): every number is listed and those routing to the trunk kept."""
    objects = [
        number_body("14155550100", TRUNK_ID, fill="application"),
        number_body("14155550101", OTHER_TRUNK),
        number_body("14155550102", None),
        number_body("14155550103", TRUNK_ID, fill="app_id"),
    ]
    router.get(NUMBER).respond(200, json=list_body(objects, offset=0, total=4, path="Number/"))
    got = [n.number async for n in zt.trunks.numbers(TRUNK_ID)]
    assert got == ["14155550100", "14155550103"]


# -- L8: unrouting --------------------------------------------------------------------------


async def test_unroute_number_posts_an_empty_app_id(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L8: a number is unrouted with POST Number/{digits}/ {"app_id": ""}."""
    post = router.post(NUMBER + "14155550100/").respond(
        202, json={"message": "changed", "api_id": "5a9f"}
    )
    res = await zt.trunks.unroute_number("+14155550100")
    assert res.message == "changed"
    assert sent_json(post) == {"app_id": ""}


# -- the delete check real clients make (L6) ------------------------------------------------


async def test_guarded_trunk_delete_refuses_while_numbers_route_to_it(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """delete(id, if_unrouted=True) lists numbers first; a routed one stops the delete."""
    router.get(NUMBER).respond(
        200,
        json=list_body([number_body("14155550100", TRUNK_ID)], offset=0, total=1, path="Number/"),
    )
    delete = router.delete(ZT + f"Trunk/{TRUNK_ID}/").respond(204)
    with pytest.raises(TrunkInUseError) as info:
        await zt.trunks.delete(TRUNK_ID, if_unrouted=True)
    assert info.value.numbers == ["14155550100"]
    assert info.value.trunk_id == TRUNK_ID
    assert "unroute" in str(info.value)
    assert not delete.called


async def test_guarded_trunk_delete_deletes_when_nothing_routes_to_it(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    router.get(NUMBER).respond(
        200,
        json=list_body(
            [number_body("14155550100", OTHER_TRUNK)], offset=0, total=1, path="Number/"
        ),
    )
    delete = router.delete(ZT + f"Trunk/{TRUNK_ID}/").respond(204)
    await zt.trunks.delete(TRUNK_ID, if_unrouted=True)
    assert delete.called


async def test_plain_trunk_delete_sends_only_the_delete(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """Without the keyword, delete stays one request (the API detaches numbers itself)."""
    delete = router.delete(ZT + f"Trunk/{TRUNK_ID}/").respond(204)
    await zt.trunks.delete(TRUNK_ID)
    assert [call.request.method for call in router.calls] == ["DELETE"]
    assert delete.called


# -- L9: IPv6 in ACLs, sips: URIs -----------------------------------------------------------


async def test_ipv6_acl_entries_and_sips_uris_are_sent_verbatim(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """L9: IPv6 addresses/blocks and sips: URIs pass the SDK's checks and go out unchanged."""
    acl = router.post(ZT + "IPAccessControlList/").respond(
        201, json={"api_id": "a", "message": "IP access control list created successfully.",
                   "ipacl_uuid": UUID},
    )  # fmt: skip
    uri = router.post(ZT + "URI/").respond(
        201, json={"api_id": "a", "message": "Origination URI created successfully.",
                   "uri_uuid": UUID},
    )  # fmt: skip
    await zt.ip_acls.create(ip_addresses=["2001:db8::1", "2001:db8:1::/48", "203.0.113.4/32"])
    assert sent_json(acl) == {"ip_addresses": ["2001:db8::1", "2001:db8:1::/48", "203.0.113.4/32"]}
    await zt.origination_uris.create(uri="sips:pbx.example.com")
    assert sent_json(uri) == {"uri": "sips:pbx.example.com"}


# -- L4: a persistent 503 on an unknown collection -----------------------------------------


def test_persistent_503_on_an_unknown_collection_names_the_likely_cause() -> None:
    """L4: live answers a misspelled collection with 503; the error says so and lists the names."""
    error = ServerError(
        "service unavailable",
        status_code=503,
        method="GET",
        url=ZT + "CredentialsList/",
        attempts=5,
    )
    text = str(error)
    assert (
        "'CredentialsList' is not one of Trunk, Credential, IPAccessControlList, URI, Call" in text
    )
    assert "after 5 attempts" in text
    plain = ServerError("busy", status_code=503, method="GET", url=ZT + "Trunk/")
    assert "check the path" not in str(plain)
    other = ServerError("oops", status_code=500, method="GET", url=ZT + "Nope/")
    assert "check the path" not in str(other)


async def test_trunk_get_used_by_route_number_is_the_live_shape(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """route_number reads the trunk (wrapped live GET) and posts the digits path."""
    router.get(ZT + f"Trunk/{TRUNK_ID}/").respond(200, json=TRUNK_LIVE_GET)
    post = router.post(NUMBER + "14155550100/").respond(
        202, json={"message": "changed", "api_id": "x"}
    )
    await zt.trunks.route_number("+1 415 555 0100", TRUNK_ID)
    assert sent_json(post) == {"app_id": TRUNK_ID}


@pytest.mark.parametrize(
    "uri",
    [
        "sip.vapi.ai;transport=udp",
        "sip.rtc.elevenlabs.io:5061;transport=tls",
        "abc123.sip.livekit.cloud:5061;transport=tls",
        "pbx.example.com;transport=tcp",
        "pbx.example.com",
        "sip:user@pbx.example.com",
        "sips:pbx.example.com",
        "[2001:db8::1]:5061;transport=tls",
        "203.0.113.4:5060",
    ],
)
async def test_production_uri_shapes_pass_the_sdk_checks(
    router: respx.MockRouter, zt: ZentrunkClient, uri: str
) -> None:
    """L10: every URI shape seen in production integrations is sent, unchanged."""
    route = router.post(ZT + "URI/").respond(
        201, json={"api_id": "a", "message": "Origination URI created successfully.",
                   "uri_uuid": UUID},
    )  # fmt: skip
    await zt.origination_uris.create(uri=uri)
    assert sent_json(route) == {"uri": uri}
