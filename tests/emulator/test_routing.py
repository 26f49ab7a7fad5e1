"""Authentication, routing and error shapes shared by every endpoint."""

from __future__ import annotations

import pytest

from zentrunk_async.emulator import (
    DEFAULT_AUTH_ID,
    DEFAULT_AUTH_TOKEN,
    Emulator,
    EmulatorConfig,
    create_app,
)

from .conftest import Api, client_for

pytestmark = pytest.mark.anyio


def assert_error(response: object, status: int) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"api_id", "error"}
    assert isinstance(body["error"], str)


@pytest.mark.parametrize(
    "auth",
    [None, (DEFAULT_AUTH_ID, "wrong"), ("MAOTHER", DEFAULT_AUTH_TOKEN)],
    ids=["missing", "bad-token", "bad-id"],
)
async def test_auth_bad_credentials_get_401(any_api: Api, auth: tuple[str, str] | None) -> None:
    """Anything but the account's Basic credentials is a 401 with the error body."""
    response = await any_api.client.get(any_api.zt + "/Trunk/", auth=auth)  # type: ignore[arg-type]
    assert_error(response, 401)


async def test_auth_path_account_must_match_the_caller(api: Api) -> None:
    """Valid credentials on another account's path are still refused."""
    response = await api.client.get("/v1/Account/MAOTHER/Zentrunk/Trunk/")
    assert_error(response, 401)


async def test_auth_header_that_is_not_base64_is_401(api: Api) -> None:
    """A garbled Authorization header is an auth failure, never a 500."""
    response = await api.client.get(
        api.zt + "/Trunk/", headers={"Authorization": "Basic %%%"}, auth=None
    )
    assert_error(response, 401)


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
async def test_routing_updates_only_by_post(api: Api, method: str) -> None:
    """§15.2: PUT and PATCH are answered 405 with the error body."""
    trunk_id = "12345678901234567"
    response = await api.client.request(method, f"{api.zt}/Trunk/{trunk_id}/", json={})
    assert_error(response, 405)


async def test_routing_delete_on_collection_is_405(api: Api) -> None:
    response = await api.delete("/Credential/")
    assert_error(response, 405)


@pytest.mark.parametrize("path", ["/Trunk", "/Call", "/Trunk/1/extra/"])
async def test_routing_unslashed_or_misshapen_paths_are_404(api: Api, path: str) -> None:
    """Only the documented, slashed paths exist (§15.1): no redirect that hides a bug."""
    response = await api.get(path)
    assert_error(response, 404)


async def test_routing_api_id_is_time_based(api: Api) -> None:
    """§15.3: api_id is a uuid1-style value, like the live ones."""
    response = await api.get("/Trunk/")
    assert response.json()["api_id"][14] == "1"


async def test_routing_invalid_json_body_is_400(api: Api) -> None:
    response = await api.client.post(
        api.zt + "/Trunk/", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


async def test_create_app_exposes_its_emulator() -> None:
    """create_app is the plain ASGI factory; its handle stays reachable for tests."""
    app = create_app(EmulatorConfig(calls=10, auth_id="MAX", auth_token="tok"))
    emulator = app.state.emulator
    assert isinstance(emulator, Emulator)
    async with client_for(emulator) as client:
        response = await client.get("/v1/Account/MAX/Zentrunk/Call/")
    assert response.status_code == 200
