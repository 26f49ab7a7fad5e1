"""Configuration resources: shapes, status codes, validation and the quirks of §15.5."""

from __future__ import annotations

from typing import Any

import pytest

from zentrunk_async.emulator import Emulator, EmulatorConfig

from .conftest import Api, client_for
from .test_routing import assert_error

pytestmark = pytest.mark.anyio


async def _uri(api: Api, **extra: Any) -> str:
    return await api.create("URI", {"name": "pbx", "uri": "sip.example.com:5060", **extra})


async def _ipacl(api: Api) -> str:
    return await api.create("IPAccessControlList", {"name": "office", "ip_addresses": ["10.0.0.1"]})


async def _credential(api: Api) -> str:
    return await api.create("Credential", {"username": "pbxuser1", "password": "s3cret!x"})


async def test_trunk_crud_round_trip(any_api: Api) -> None:
    """Create 201 (no domain), wrapped GET with timestamps, POST update 202, DELETE 204."""
    api = any_api
    uri = await _uri(api)
    created = await api.post(
        "/Trunk/", {"name": "in", "trunk_direction": "inbound", "primary_uri_uuid": uri}
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"api_id", "message", "trunk_id"}
    assert body["message"] == "Trunk created successfully."
    trunk_id = body["trunk_id"]
    assert len(trunk_id) == 17
    assert trunk_id.isdigit()

    got = await api.get(f"/Trunk/{trunk_id}/")
    assert got.status_code == 200
    assert set(got.json()) == {"api_id", "object"}
    trunk = got.json()["object"]
    assert trunk["trunk_domain"] == f"{trunk_id}.zt.plivo.com"
    assert trunk["created_at"].endswith("Z")
    assert trunk["updated_at"] == trunk["created_at"]
    assert trunk["trunk_status"] == "enabled"
    assert trunk["secure"] is False
    assert trunk["ipacl_uuid"] is None

    updated = await api.post(
        f"/Trunk/{trunk_id}/", {"name": "renamed", "trunk_direction": "inbound"}
    )
    assert updated.status_code == 202
    assert updated.json()["message"] == "Trunk updated successfully."
    assert updated.json()["trunk_id"] == trunk_id
    assert (await api.get(f"/Trunk/{trunk_id}/")).json()["object"]["name"] == "renamed"

    listed = (await api.get("/Trunk/")).json()
    assert [t["trunk_id"] for t in listed["objects"]] == [trunk_id]
    assert "object" not in listed["objects"][0]

    deleted = await api.delete(f"/Trunk/{trunk_id}/")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_error(await api.get(f"/Trunk/{trunk_id}/"), 404)


@pytest.mark.parametrize(
    ("segment", "body", "message", "update", "updated_message"),
    [
        (
            "Credential",
            {"name": "c", "username": "pbxuser1", "password": "s3cret!x"},
            "credential created successfully.",
            {"name": "c2", "username": "pbxuser1", "password": "n3wpass!"},
            "Credential updated successfully.",
        ),
        (
            "IPAccessControlList",
            {"name": "acl", "ip_addresses": ["192.168.1.1", "44.229.228.186/32"]},
            "IP access control list created successfully.",
            {"ip_addresses": ["10.1.1.1"]},
            "IP access control list updated successfully.",
        ),
        (
            "URI",
            {"name": "u", "uri": "sip:pbx@example.com;transport=tls"},
            "Origination URI created successfully.",
            {"name": "u2"},
            "origination uri updated successfully.",
        ),
    ],
)
async def test_resource_crud_round_trip(
    any_api: Api,
    segment: str,
    body: dict[str, Any],
    message: str,
    update: dict[str, Any],
    updated_message: str,
) -> None:
    """Each resource: documented messages, flat GET without secrets, list envelope, 204, 404."""
    api = any_api
    created = await api.post(f"/{segment}/", body)
    assert created.status_code == 201
    assert created.json()["message"] == message
    id_field = next(k for k in created.json() if k not in ("api_id", "message"))
    item_id = created.json()[id_field]
    got = await api.get(f"/{segment}/{item_id}/")
    assert got.status_code == 200
    assert got.json()[id_field] == item_id
    assert "password" not in got.json()
    assert "object" not in got.json()
    response = await api.post(f"/{segment}/{item_id}/", update)
    assert response.status_code == 202
    assert response.json() == {
        "api_id": response.json()["api_id"],
        "message": updated_message,
        id_field: item_id,
    }
    listed = (await api.get(f"/{segment}/")).json()
    assert listed["meta"]["total_count"] == 1
    assert listed["objects"][0][id_field] == item_id
    assert (await api.delete(f"/{segment}/{item_id}/")).status_code == 204
    assert_error(await api.get(f"/{segment}/{item_id}/"), 404)
    assert_error(await api.post(f"/{segment}/{item_id}/", update), 404)
    assert_error(await api.delete(f"/{segment}/{item_id}/"), 404)


async def test_trunk_update_needs_direction_except_status_and_secure(api: Api) -> None:
    """§3.6: every update but trunk_status/secure-only bodies must carry trunk_direction."""
    trunk_id = await api.create(
        "Trunk", {"trunk_direction": "outbound", "ipacl_uuid": await _ipacl(api)}
    )
    assert_error(await api.post(f"/Trunk/{trunk_id}/", {"name": "x"}), 400)
    ok = await api.post(f"/Trunk/{trunk_id}/", {"trunk_status": "disabled", "secure": True})
    assert ok.status_code == 202
    trunk = (await api.get(f"/Trunk/{trunk_id}/")).json()["object"]
    assert trunk["trunk_status"] == "disabled"
    assert trunk["secure"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"trunk_direction": "sideways", "ipacl_uuid": None},
        {"trunk_direction": "inbound", "primary_uri_uuid": "00000000-0000-4000-8000-000000000000"},
        {"trunk_direction": "outbound", "credential_uuid": "00000000-0000-4000-8000-000000000000"},
        {"trunk_direction": "outbound", "ipacl_uuid": 5},
        {"trunk_direction": "outbound", "ipacl_uuid": "x", "secure": "yes"},
        {"trunk_direction": "outbound", "trunk_status": "paused"},
    ],
    ids=[
        "direction",
        "unknown-uri",
        "unknown-credential",
        "not-a-string",
        "secure-string",
        "status",
    ],
)
async def test_trunk_create_invalid_is_400(api: Api, body: dict[str, Any]) -> None:
    """Invalid values and references to resources that do not exist are 400."""
    assert_error(await api.post("/Trunk/", body), 400)


@pytest.mark.parametrize("status", [400, 422])
@pytest.mark.parametrize(
    ("segment", "body"),
    [
        ("Trunk", {"name": "no direction"}),
        ("Trunk", {"trunk_direction": "inbound"}),
        ("Trunk", {"trunk_direction": "outbound"}),
        ("Credential", {"username": "pbxuser1"}),
        ("IPAccessControlList", {"name": "empty"}),
        ("URI", {"name": "no uri"}),
        ("URI", {"uri": "sip.example.com", "authentication_needed": True, "username": "u"}),
    ],
)
async def test_create_missing_required_status_is_configurable(
    segment: str, body: dict[str, Any], status: int
) -> None:
    """§15.6: missing required parameters are 400 (observed) or 422 (docs), by configuration."""
    emulator = Emulator(EmulatorConfig(calls=0, missing_param_status=status))
    async with client_for(emulator) as client:
        api = Api(client, emulator)
        assert_error(await api.post(f"/{segment}/", body), status)


@pytest.mark.parametrize(
    ("segment", "body"),
    [
        ("Credential", {"username": "abc", "password": "s3cret!x"}),
        ("Credential", {"username": "bad user", "password": "s3cret!x"}),
        ("Credential", {"username": "pbxuser1", "password": "nospecial1"}),
        ("Credential", {"username": "pbxuser1", "password": "a!"}),
        ("Credential", {"username": "pbxuser1", "password": "waytoolongpassword!!!!"}),
        ("IPAccessControlList", {"ip_addresses": []}),
        ("IPAccessControlList", {"ip_addresses": ["300.1.1.1"]}),
        ("IPAccessControlList", {"ip_addresses": "10.0.0.1"}),
        ("IPAccessControlList", {"ip_addresses": ["10.0.0.1/33"]}),
        ("URI", {"uri": "https://sip.example.com"}),
        ("URI", {"uri": "sip.example.com:70000"}),
        ("URI", {"uri": "sip.example.com;transport=sctp"}),
        ("URI", {"uri": "bad_host!"}),
    ],
)
async def test_create_invalid_values_are_400(api: Api, segment: str, body: dict[str, Any]) -> None:
    """Usernames, passwords, IPs and URIs are validated as §4.2, §5.2 and §6.2 describe."""
    assert_error(await api.post(f"/{segment}/", body), 400)


@pytest.mark.parametrize(
    "uri",
    [
        "192.168.1.100",
        "192.168.1.100:5060",
        "sip.example.com",
        "sip:pbx@example.com",
        "sip.vapi.ai;transport=udp",
        "sip.rtc.elevenlabs.io:5061;transport=tls",
        "test@plivo.com",
        "[2001:db8::1]:5060",
    ],
)
async def test_uri_documented_shapes_are_accepted(api: Api, uri: str) -> None:
    response = await api.post("/URI/", {"uri": uri})
    assert response.status_code == 201, response.text


async def test_credential_update_without_password_blanks_it(api: Api) -> None:
    """§4.5: the API rewrites the password on every update; none given blanks it."""
    credential = await _credential(api)
    assert (await api.post(f"/Credential/{credential}/", {"name": "renamed"})).status_code == 202
    stored = api.emulator.store.credentials[credential]
    assert stored["_password"] == ""
    await api.post(f"/Credential/{credential}/", {"username": "pbxuser1", "password": "an0ther!"})
    assert stored["_password"] == "an0ther!"


async def test_uri_update_with_password_needs_auth_flag_and_username(api: Api) -> None:
    """§6.5: a password must travel with authentication_needed and username."""
    uri = await _uri(api)
    assert_error(await api.post(f"/URI/{uri}/", {"password": "p4ss!"}), 400)
    assert_error(await api.post(f"/URI/{uri}/", {"password": "p4ss!", "username": "u"}), 400)
    ok = await api.post(
        f"/URI/{uri}/", {"password": "p4ss!", "username": "u", "authentication_needed": True}
    )
    assert ok.status_code == 202
    got = (await api.get(f"/URI/{uri}/")).json()
    assert got["authentication_needed"] is True
    assert got["username"] == "u"


async def test_uri_delete_cascades_to_trunks(api: Api) -> None:
    """§6.6: deleting a URI deletes every trunk using it as primary or fallback."""
    primary, fallback, other = await _uri(api), await _uri(api), await _uri(api)
    t1 = await api.create("Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": primary})
    t2 = await api.create(
        "Trunk",
        {"trunk_direction": "inbound", "primary_uri_uuid": other, "fallback_uri_uuid": fallback},
    )
    t3 = await api.create("Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": other})
    await api.delete(f"/URI/{primary}/")
    await api.delete(f"/URI/{fallback}/")
    assert_error(await api.get(f"/Trunk/{t1}/"), 404)
    assert_error(await api.get(f"/Trunk/{t2}/"), 404)
    assert (await api.get(f"/Trunk/{t3}/")).status_code == 200


async def test_ipacl_update_replaces_the_list(api: Api) -> None:
    acl = await _ipacl(api)
    await api.post(f"/IPAccessControlList/{acl}/", {"ip_addresses": ["10.9.9.9", "10.8.8.8"]})
    got = (await api.get(f"/IPAccessControlList/{acl}/")).json()
    assert got["ip_addresses"] == ["10.9.9.9", "10.8.8.8"]


async def test_trunk_list_filters_and_pagination(api: Api) -> None:
    """§3.5 filters; §10 meta with relative next/previous links without a leading slash."""
    acl = await _ipacl(api)
    uri = await _uri(api)
    out_ids = [
        await api.create("Trunk", {"trunk_direction": "outbound", "ipacl_uuid": acl})
        for _ in range(5)
    ]
    await api.create("Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": uri})
    page = (
        await api.get("/Trunk/", params={"trunk_direction": "outbound", "limit": 2, "offset": 2})
    ).json()
    assert [t["trunk_id"] for t in page["objects"]] == out_ids[2:4]
    meta = page["meta"]
    assert meta["total_count"] == 5
    assert meta["limit"] == 2
    assert meta["offset"] == 2
    prefix = f"v1/Account/{api.emulator.config.auth_id}/Zentrunk/Trunk/?limit=2"
    assert meta["next"] == f"{prefix}&offset=4&trunk_direction=outbound"
    assert meta["previous"] == f"{prefix}&offset=0&trunk_direction=outbound"
    last = (
        await api.get("/Trunk/", params={"trunk_direction": "outbound", "limit": 2, "offset": 4})
    ).json()
    assert last["meta"]["next"] is None
    assert (await api.get("/Trunk/", params={"secure": "false"})).json()["meta"]["total_count"] == 6
    assert (await api.get("/Trunk/", params={"ipacl_uuid": acl})).json()["meta"]["total_count"] == 5


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "21"},
        {"limit": "x"},
        {"offset": "-1"},
        {"limit": ""},
        {"trunk_direction": ""},
        {"trunk_direction": "up"},
    ],
)
async def test_list_bad_paging_or_filters_are_400(api: Api, params: dict[str, str]) -> None:
    assert_error(await api.get("/Trunk/", params=params), 400)


async def test_number_routing_to_trunk(any_api: Api) -> None:
    """§12: POST Number with app_id = trunk id → 202 "changed"; GET shows the application path."""
    api = any_api
    trunk_id = await api.create(
        "Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": await _uri(api)}
    )
    response = await api.client.post(
        f"{api.account}/Number/14155550100/", json={"app_id": trunk_id}
    )
    assert response.status_code == 202
    assert set(response.json()) == {"api_id", "message"}
    assert response.json()["message"] == "changed"
    number = (await api.client.get(f"{api.account}/Number/14155550100/")).json()
    assert number["application"] == f"/{api.account.lstrip('/')}/Zentrunk/Trunk/{trunk_id}/"
    # §3.7: deleting the trunk detaches the number.
    await api.delete(f"/Trunk/{trunk_id}/")
    number = (await api.client.get(f"{api.account}/Number/14155550100/")).json()
    assert number["application"] is None


async def test_number_routing_to_unknown_trunk_is_400(api: Api) -> None:
    response = await api.client.post(f"{api.account}/Number/14155550100/", json={"app_id": "123"})
    assert_error(response, 400)


async def test_credential_delete_detaches_trunks(api: Api) -> None:
    """The docs only warn (§4.6); the emulator keeps the trunk and clears the reference."""
    acl, credential = await _ipacl(api), await _credential(api)
    trunk_id = await api.create(
        "Trunk", {"trunk_direction": "outbound", "ipacl_uuid": acl, "credential_uuid": credential}
    )
    await api.delete(f"/Credential/{credential}/")
    assert (await api.get(f"/Trunk/{trunk_id}/")).json()["object"]["credential_uuid"] is None


async def test_ids_are_deterministic_per_seed() -> None:
    """Same seed, same sequence of creates → same ids (reproducible test failures)."""
    ids = []
    for _ in range(2):
        emulator = Emulator(EmulatorConfig(calls=0, seed=42))
        async with client_for(emulator) as client:
            api = Api(client, emulator)
            ids.append([await _ipacl(api), await _credential(api)])
    assert ids[0] == ids[1]
