"""The emulator behaves as third-party clients show the live API does (zentrunk-api.md §15a)."""

from __future__ import annotations

from typing import Any

import pytest

from zentrunk_async.emulator import DEFAULT_AUTH_ID, DEFAULT_AUTH_TOKEN, Emulator, EmulatorConfig

from .conftest import Api, client_for
from .test_routing import assert_error

pytestmark = pytest.mark.anyio

NUMBER = "14155550100"


async def _uri(api: Api, uri: str = "sip.example.com:5060") -> str:
    return await api.create("URI", {"name": "pbx", "uri": uri})


async def _inbound(api: Api, name: str = "in") -> str:
    return await api.create(
        "Trunk", {"name": name, "trunk_direction": "inbound", "primary_uri_uuid": await _uri(api)}
    )


async def _number(api: Api, number: str = NUMBER) -> Any:
    return await api.client.get(f"{api.account}/Number/{number}/")


# -- L1, L2 ---------------------------------------------------------------------------------


async def test_credential_update_with_password_and_no_username_is_400(any_api: Api) -> None:
    """L1: the API refuses a password that comes without its username; nothing changes."""
    credential = await any_api.create(
        "Credential", {"username": "pbxuser1", "password": "s3cret!x"}
    )
    assert_error(await any_api.post(f"/Credential/{credential}/", {"password": "n3wpass!"}), 400)
    assert any_api.emulator.store.credentials[credential]["_password"] == "s3cret!x"
    ok = await any_api.post(
        f"/Credential/{credential}/", {"username": "pbxuser1", "password": "n3wpass!"}
    )
    assert ok.status_code == 202
    assert any_api.emulator.store.credentials[credential]["_password"] == "n3wpass!"


async def test_uri_update_turning_authentication_on_without_username_is_400(api: Api) -> None:
    """L2: authentication_needed: true without a username in the body is refused."""
    uri = await _uri(api)
    body = {"authentication_needed": True, "password": "p4ss!"}
    assert_error(await api.post(f"/URI/{uri}/", {"authentication_needed": True}), 400)
    ok = await api.post(f"/URI/{uri}/", {**body, "username": "plivo1"})
    assert ok.status_code == 202


# -- L3 -------------------------------------------------------------------------------------


async def test_trunk_names_are_unique_per_account(api: Api) -> None:
    """L3: a second trunk with an existing name gets 400 with the live error's wording."""
    await _inbound(api, "pbx")
    second = await api.post(
        "/Trunk/",
        {"name": "pbx", "trunk_direction": "inbound", "primary_uri_uuid": await _uri(api)},
    )
    assert_error(second, 400)
    assert "A trunk with the same name" in second.json()["error"]
    assert "already exists" in second.json()["error"]
    other = await _inbound(api, "other")
    renamed = await api.post(f"/Trunk/{other}/", {"name": "pbx", "trunk_direction": "inbound"})
    assert_error(renamed, 400)
    # Its own name again is no clash; unnamed trunks never clash.
    same = await api.post(f"/Trunk/{other}/", {"name": "other", "trunk_direction": "inbound"})
    assert same.status_code == 202
    for _ in range(2):
        await api.create(
            "Trunk", {"trunk_direction": "inbound", "primary_uri_uuid": await _uri(api)}
        )


async def test_trunk_names_are_free_again_after_delete(api: Api) -> None:
    trunk_id = await _inbound(api, "pbx")
    assert (await api.delete(f"/Trunk/{trunk_id}/")).status_code == 204
    await _inbound(api, "pbx")


async def test_trunk_names_are_per_account() -> None:
    """Another account may use the same name."""
    emulator = Emulator(EmulatorConfig(calls=10, accounts=2))
    for account in emulator.accounts:
        async with client_for(emulator, account=account) as client:
            await _inbound(Api(client, emulator, account), "pbx")
    assert [len(a.store.trunks) for a in emulator.accounts] == [1, 1]


# -- L4 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/CredentialsList/", "/IpAccessControlList/", "/Trunks/", "/Nope/1/", "/credential/"]
)
async def test_unknown_zentrunk_collections_answer_503(any_api: Api, path: str) -> None:
    """L4: misspelled collections are 503 (not 404), paths being case-sensitive."""
    response = await any_api.get(path)
    assert_error(response, 503)
    assert response.json()["error"] == "service unavailable"


async def test_unknown_collection_with_a_wrong_token_is_401(api: Api) -> None:
    response = await api.client.get(api.zt + "/CredentialsList/", auth=(DEFAULT_AUTH_ID, "x"))
    assert_error(response, 401)


@pytest.mark.parametrize("path", ["/Trunk/", "/Credential/", "/IPAccessControlList/", "/URI/"])
async def test_known_zentrunk_collections_answer_200(api: Api, path: str) -> None:
    assert (await api.get(path)).status_code == 200


@pytest.mark.parametrize("path", ["/Trunk/", "/Credential/", "/Nope/"])
async def test_unknown_top_level_paths_are_404(api: Api, path: str) -> None:
    """L4: a top-level /v1/Account/{id}/Trunk/ is 404."""
    assert_error(await api.client.get(api.account + path), 404)


# -- L5 -------------------------------------------------------------------------------------


async def test_trunk_list_items_carry_timestamps(api: Api) -> None:
    """L5: list items have created_at/updated_at like the GET's object."""
    trunk_id = await _inbound(api)
    item = (await api.get("/Trunk/")).json()["objects"][0]
    got = (await api.get(f"/Trunk/{trunk_id}/")).json()["object"]
    assert item["created_at"] == got["created_at"]
    assert item["updated_at"] == got["updated_at"]


# -- L6, L7, L8 -----------------------------------------------------------------------------


async def test_number_list_is_a_paged_envelope(any_api: Api) -> None:
    """L6: GET Number/?limit&offset answers the standard list envelope."""
    api = any_api
    first = await api.client.get(f"{api.account}/Number/", params={"limit": 3, "offset": 0})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"api_id", "meta", "objects"}
    assert body["meta"]["total_count"] == api.emulator.config.numbers == 10
    assert body["meta"]["next"].endswith("Number/?limit=3&offset=3")
    assert body["meta"]["previous"] is None
    assert [n["number"] for n in body["objects"]] == ["14155550100", "14155550101", "14155550102"]
    every = []
    for offset in range(0, 10, 3):
        page = await api.client.get(f"{api.account}/Number/", params={"limit": 3, "offset": offset})
        every += [n["number"] for n in page.json()["objects"]]
    assert len(set(every)) == 10


async def test_number_list_filters(api: Api) -> None:
    page = await api.client.get(
        f"{api.account}/Number/", params={"number_startswith": "1415555010", "services": "voice"}
    )
    assert [n["number"] for n in page.json()["objects"]] == [f"141555501{i:02d}" for i in range(10)]
    none = await api.client.get(f"{api.account}/Number/", params={"services": "mms"})
    assert none.json()["objects"] == []
    assert_error(await api.client.get(f"{api.account}/Number/", params={"type": "x"}), 400)
    assert_error(await api.client.get(f"{api.account}/Number/", params={"limit": 21}), 400)


async def test_routed_number_shows_the_trunk_in_app_id_and_application(any_api: Api) -> None:
    """L7: app_id == trunk id and application is the trunk's path; active and voice_enabled."""
    api = any_api
    trunk_id = await _inbound(api)
    unrouted = (await _number(api)).json()
    assert unrouted["app_id"] is None
    assert unrouted["application"] is None
    assert unrouted["active"] is True
    assert unrouted["voice_enabled"] is True
    routed = await api.client.post(f"{api.account}/Number/{NUMBER}/", json={"app_id": trunk_id})
    assert routed.status_code == 202
    number = (await _number(api)).json()
    assert number["app_id"] == trunk_id
    assert number["application"] == f"{api.account}/Zentrunk/Trunk/{trunk_id}/"
    listed = (await api.client.get(f"{api.account}/Number/")).json()["objects"]
    assert [n["number"] for n in listed if n["app_id"] == trunk_id] == [NUMBER]


async def test_empty_app_id_unroutes_the_number(any_api: Api) -> None:
    """L8: POST Number/{n}/ {"app_id": ""} unroutes it."""
    api = any_api
    trunk_id = await _inbound(api)
    await api.client.post(f"{api.account}/Number/{NUMBER}/", json={"app_id": trunk_id})
    response = await api.client.post(f"{api.account}/Number/{NUMBER}/", json={"app_id": ""})
    assert response.status_code == 202
    assert response.json()["message"] == "changed"
    number = (await _number(api)).json()
    assert (number["app_id"], number["application"]) == (None, None)


async def test_plus_in_the_number_path_is_404(any_api: Api) -> None:
    """L8 (choice): only the documented digits form exists; Number/%2B1.../ is not found."""
    api = any_api
    trunk_id = await _inbound(api)
    encoded = f"{api.account}/Number/%2B{NUMBER}/"
    assert_error(await api.client.get(encoded), 404)
    assert_error(await api.client.post(encoded, json={"app_id": trunk_id}), 404)
    assert (await _number(api)).json()["app_id"] is None


async def test_numbers_the_account_does_not_rent_are_404(api: Api) -> None:
    assert_error(await _number(api, "14155551234"), 404)
    response = await api.client.post(f"{api.account}/Number/14155551234/", json={"app_id": ""})
    assert_error(response, 404)


# -- L9, L10 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "sips:pbx.example.com",
        "sips:pbx@example.com:5061",
        "sip.vapi.ai;transport=udp",
        "sip.rtc.elevenlabs.io:5061;transport=tls",
        "abc123.sip.livekit.cloud:5061;transport=tls",
        "pbx.example.com;transport=tcp",
        "pbx.example.com",
        "sip:user@pbx.example.com",
        "[2001:db8::1]:5061;transport=tls",
        "203.0.113.4:5060",
    ],
)
async def test_uri_shapes_seen_in_production_are_accepted(api: Api, uri: str) -> None:
    """L9/L10: every URI shape of the production integrations, sips: included."""
    response = await api.post("/URI/", {"uri": uri})
    assert response.status_code == 201, response.text


async def test_ipv6_acl_entries_are_accepted_verbatim(api: Api) -> None:
    """L9 (choice): IPv6 addresses and blocks are accepted and stored as sent, like IPv4."""
    addresses = ["2001:db8::1", "2001:db8:1::/48", "203.0.113.4/32"]
    acl = await api.create("IPAccessControlList", {"ip_addresses": addresses})
    assert (await api.get(f"/IPAccessControlList/{acl}/")).json()["ip_addresses"] == addresses
    assert_error(await api.post("/IPAccessControlList/", {"ip_addresses": ["2001:db8::zz"]}), 400)


# -- L11 ------------------------------------------------------------------------------------


def test_default_credentials_are_shaped_like_real_ones() -> None:
    """L11: a 20-character MA... auth id and a 40-character token."""
    assert len(DEFAULT_AUTH_ID) == 20
    assert DEFAULT_AUTH_ID.startswith("MA")
    assert DEFAULT_AUTH_ID.isalnum()
    assert len(DEFAULT_AUTH_TOKEN) == 40
    assert DEFAULT_AUTH_TOKEN.isalnum()


async def test_account_object_answers_with_a_name(any_api: Api) -> None:
    """L11: GET /v1/Account/{auth_id}/ is 200 with a name; a wrong token is 401."""
    api = any_api
    response = await api.client.get(f"{api.account}/")
    assert response.status_code == 200
    body = response.json()
    assert body["auth_id"] == api.emulator.auth_id
    assert isinstance(body["name"], str)
    assert body["name"]
    assert body["resource_uri"] == f"{api.account}/"
    assert_error(await api.client.get(f"{api.account}/", auth=(DEFAULT_AUTH_ID, "bad")), 401)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/Number/"),
        ("GET", f"/Number/{NUMBER}/"),
        ("POST", f"/Number/{NUMBER}/"),
        ("GET", "/Zentrunk/Trunk/"),
        ("POST", "/Zentrunk/Credential/"),
        ("GET", "/Zentrunk/IPAccessControlList/"),
        ("DELETE", "/Zentrunk/URI/x/"),
        ("GET", "/Zentrunk/Call/"),
        ("GET", "/Zentrunk/Call/x/Insights/"),
        ("GET", "/Zentrunk/CredentialsList/"),
    ],
)
async def test_wrong_token_is_401_on_every_route(api: Api, method: str, path: str) -> None:
    """L6, L11: clients check credentials on the number routes too: 401 for a bad token."""
    response = await api.client.request(
        method,
        api.account + path,
        json={} if method == "POST" else None,
        auth=(DEFAULT_AUTH_ID, "x"),
    )
    assert_error(response, 401)


# -- L12 ------------------------------------------------------------------------------------


async def test_creates_and_deletes_use_statuses_defensive_clients_accept(api: Api) -> None:
    """L12: creates answer one of 200/201/202, deletes 204 and then 404."""
    trunk = await api.post(
        "/Trunk/", {"trunk_direction": "inbound", "primary_uri_uuid": await _uri(api)}
    )
    assert trunk.status_code in (200, 201, 202)
    path = f"/Trunk/{trunk.json()['trunk_id']}/"
    assert (await api.delete(path)).status_code in (200, 202, 204)
    assert (await api.delete(path)).status_code == 404
