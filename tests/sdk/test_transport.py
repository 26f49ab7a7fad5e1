"""The transport seam: status → error class, decode failures, secrets kept out of errors."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest
import respx

from zentrunk_async import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    MethodNotAllowedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
    ZentrunkClient,
)

from .wire import AUTH_ID, TOKEN, TRUNK_LIVE_GET, ZT

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
TRUNK_URL = ZT + f"Trunk/{TRUNK_ID}/"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (422, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (405, MethodNotAllowedError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (409, APIStatusError),
    ],
)
async def test_status_maps_to_error_class_with_details(
    router: respx.MockRouter, zt: ZentrunkClient, status: int, cls: type[APIStatusError]
) -> None:
    """Each status raises its class carrying status, api_id, the API's text, method and URL."""
    router.get(TRUNK_URL).respond(status, json={"api_id": "97ce", "error": "not found"})
    with pytest.raises(cls) as info:
        await zt.trunks.get(TRUNK_ID)
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.api_id, error.message) == (status, "97ce", "not found")
    assert error.method == "GET"
    assert error.url == TRUNK_URL
    assert "97ce" in str(error)
    assert "not found" in str(error)


async def test_rate_limit_error_reads_retry_after(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A 429 carries Retry-After in seconds when the server sends one, else None."""
    router.get(TRUNK_URL).respond(
        429, json={"api_id": "x", "error": "too many"}, headers={"Retry-After": "7"}
    )
    with pytest.raises(RateLimitError) as info:
        await zt.trunks.get(TRUNK_ID)
    assert info.value.retry_after == 7


async def test_error_body_that_is_html_still_gives_status_error(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A proxy's HTML 502 page is a ServerError with the page's start as message."""
    router.get(TRUNK_URL).respond(502, text="<html>Bad Gateway</html>")
    with pytest.raises(ServerError, match="Bad Gateway"):
        await zt.trunks.get(TRUNK_ID)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"<html><body>Service maintenance</body></html>", "not JSON"),
        (b'{"api_id": "abc-123", "object": {"trunk_id": "1"', "not JSON"),
        (b'{"api_id": "abc-123", "objects": "surprise"}', "unexpected shape"),
        (b"[1, 2, 3]", "unexpected shape"),
    ],
)
async def test_malformed_success_body_raises_decode_error(
    router: respx.MockRouter, zt: ZentrunkClient, content: bytes, reason: str
) -> None:
    """HTML, truncated JSON or a wrong shape raise ResponseDecodeError naming the endpoint."""
    router.get(TRUNK_URL).respond(
        200, content=content, headers={"content-type": "application/json"}
    )
    with pytest.raises(ResponseDecodeError, match=reason) as info:
        await zt.trunks.get(TRUNK_ID)
    assert info.value.endpoint == "trunks.get"
    assert "trunks.get" in str(info.value)
    assert info.value.status_code == 200


async def test_decode_error_names_api_id_when_the_body_has_one(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A parsable body of the wrong shape still names its api_id, for Plivo support."""
    router.get(ZT + "Call/").respond(200, json={"api_id": "abc-123", "meta": {}, "objects": [1]})
    with pytest.raises(ResponseDecodeError) as info:
        await zt.calls.list().collect()
    assert info.value.api_id == "abc-123"
    assert "calls.list" in str(info.value)
    assert "api_id=abc-123" in str(info.value)


async def test_connection_failure_becomes_api_connection_error(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """httpx's exceptions never escape: a network failure is an APIConnectionError."""
    router.get(TRUNK_URL).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as info:
        await zt.trunks.get(TRUNK_ID)
    assert not isinstance(info.value, APITimeoutError)
    router.get(TRUNK_URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        await zt.trunks.get(TRUNK_ID)


async def test_requests_carry_basic_auth_and_user_agent(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """HTTP Basic with Auth ID/Token, and a User-Agent naming the package and versions."""
    route = router.get(TRUNK_URL).respond(200, json=TRUNK_LIVE_GET)
    await zt.trunks.get(TRUNK_ID)
    request = route.calls.last.request
    assert request.headers["authorization"] == httpx.BasicAuth(AUTH_ID, TOKEN)._auth_header
    agent = request.headers["user-agent"]
    assert agent.startswith("zentrunk-async/")
    assert "httpx/" in agent
    assert "Python/" in agent


async def test_token_never_appears_in_errors_reprs_or_logs(
    router: respx.MockRouter, zt: ZentrunkClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The auth token shows in no repr, str, exception message, pickled error or log record."""
    caplog.set_level(logging.DEBUG, logger="zentrunk_async")
    router.get(TRUNK_URL).respond(401, json={"api_id": "a", "error": "Authentication failed"})
    with pytest.raises(AuthenticationError) as info:
        await zt.trunks.get(TRUNK_ID)
    logging.getLogger("zentrunk_async").info("token is %s", TOKEN)
    import base64

    encoded = base64.b64encode(f"{AUTH_ID}:{TOKEN}".encode()).decode()
    surfaces = [
        repr(zt),
        str(zt),
        repr(zt._transport),
        repr(vars(zt)),
        str(info.value),
        repr(info.value),
        repr(vars(info.value)),
        caplog.text,
        repr(pickle.dumps(info.value)),
    ]
    for surface in surfaces:
        assert TOKEN not in surface
        assert encoded not in surface


async def test_an_injected_client_whose_transport_answers_read_responses() -> None:
    """httpx.MockTransport hands back responses built from bytes, already read: they decode too."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return httpx.Response(200, json=TRUNK_LIVE_GET)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with http, ZentrunkClient(AUTH_ID, TOKEN, http_client=http, rate_limit=None) as zt:
        trunk = await zt.trunks.get(TRUNK_ID)
    assert trunk.trunk_id == TRUNK_ID
    assert seen == [f"/v1/Account/{AUTH_ID}/Zentrunk/Trunk/{TRUNK_ID}/"]


async def test_cookies_a_server_sets_are_sent_back(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A load balancer's sticky cookie is kept and sent back; answers without one keep it."""
    route = router.get(TRUNK_URL)
    route.side_effect = [
        httpx.Response(200, json=TRUNK_LIVE_GET, headers={"Set-Cookie": "AWSALB=abc; Path=/"}),
        httpx.Response(200, json=TRUNK_LIVE_GET),
        httpx.Response(200, json=TRUNK_LIVE_GET),
    ]
    for _ in range(3):
        await zt.trunks.get(TRUNK_ID)
    sent = [call.request.headers.get("cookie") for call in route.calls]
    assert sent == [None, "AWSALB=abc", "AWSALB=abc"]
