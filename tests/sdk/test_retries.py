"""The transport's retry rules, one wire exchange at a time (issue 4).

Sleeps are recorded instead of slept (`zentrunk_async.testing.FakeTime`), so
each rule is checked exactly and fast.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
import respx

from zentrunk_async import (
    APIConnectionError,
    APITimeoutError,
    RateLimit,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ZentrunkClient,
)
from zentrunk_async.testing import FakeTime, use_fake_time

from .wire import AUTH_ID, HOST, TOKEN, TRUNK_LIVE_GET, ZT

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
TRUNK_URL = ZT + f"Trunk/{TRUNK_ID}/"
CREATED = {"api_id": "a", "message": "Trunk created successfully.", "trunk_id": TRUNK_ID}
UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"


Sleeps = list[float]


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sleeps(fake: FakeTime) -> Sleeps:
    return fake.sleeps


@pytest.fixture
async def retrying(fake: FakeTime) -> AsyncIterator[ZentrunkClient]:
    """Three retries, no pacing, recorded sleeps."""
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=RetryPolicy(max_retries=3)
    ) as client:
        use_fake_time(client, fake)
        yield client


def fail_then(first: httpx.Response | Exception, then: httpx.Response) -> list[object]:
    return [first, then]


RETRIED_FOR_READS = [
    httpx.Response(408),
    httpx.Response(429, json={"api_id": "x", "error": "rate"}),
    httpx.Response(500),
    httpx.Response(502, text="<html>bad gateway</html>"),
    httpx.Response(503),
    httpx.Response(504),
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("connect"),
    httpx.ReadTimeout("read"),
    httpx.ReadError("reset"),
    httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
]


@pytest.mark.parametrize("first", RETRIED_FOR_READS, ids=repr)
async def test_get_is_retried_on_transient_failures(
    router: respx.MockRouter, retrying: ZentrunkClient, sleeps: Sleeps, first: object
) -> None:
    """GET is retried on 408, 429, 5xx, connection errors and timeouts."""
    route = router.get(TRUNK_URL).mock(
        side_effect=[first, httpx.Response(200, json=TRUNK_LIVE_GET)]
    )
    trunk = await retrying.trunks.get(TRUNK_ID)
    assert trunk.trunk_id == TRUNK_ID
    assert route.call_count == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize("first", RETRIED_FOR_READS, ids=repr)
async def test_delete_is_retried_on_transient_failures(
    router: respx.MockRouter, retrying: ZentrunkClient, first: object
) -> None:
    """DELETE is idempotent, so it is retried like GET."""
    route = router.delete(TRUNK_URL).mock(side_effect=[first, httpx.Response(204)])
    await retrying.trunks.delete(TRUNK_ID)
    assert route.call_count == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 422])
async def test_client_errors_are_never_retried(
    router: respx.MockRouter, retrying: ZentrunkClient, status: int
) -> None:
    """A 4xx other than 408/429 is the caller's problem: one attempt only."""
    route = router.get(TRUNK_URL).respond(status, json={"api_id": "x", "error": "no"})
    with pytest.raises(Exception) as info:  # noqa: PT011 - class checked elsewhere
        await retrying.trunks.get(TRUNK_ID)
    assert route.call_count == 1
    assert getattr(info.value, "status_code", None) == status


POST_RETRIED = [
    httpx.Response(429, json={"api_id": "x", "error": "rate"}),
    httpx.ConnectError("refused"),
    httpx.ConnectTimeout("connect"),
    httpx.PoolTimeout("pool"),
]
POST_NOT_RETRIED = [
    httpx.Response(500),
    httpx.Response(502),
    httpx.Response(503),
    httpx.Response(408),
    httpx.ReadTimeout("read"),
    httpx.WriteTimeout("write"),
    httpx.ReadError("reset"),
    httpx.RemoteProtocolError("dropped"),
]


@pytest.mark.parametrize("first", POST_RETRIED, ids=repr)
async def test_post_is_retried_only_when_the_server_provably_did_not_act(
    router: respx.MockRouter, retrying: ZentrunkClient, first: object
) -> None:
    """A create is resent after a 429 or a connection that never carried the request."""
    route = router.post(ZT + "Trunk/").mock(side_effect=[first, httpx.Response(201, json=CREATED)])
    res = await retrying.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert res.trunk_id == TRUNK_ID
    assert route.call_count == 2


@pytest.mark.parametrize("first", POST_NOT_RETRIED, ids=repr)
async def test_post_is_never_resent_after_the_server_may_have_acted(
    router: respx.MockRouter, retrying: ZentrunkClient, first: object
) -> None:
    """After a 5xx, a timeout or a dropped connection a create may have happened: no resend."""
    route = router.post(ZT + "Trunk/").mock(side_effect=[first, httpx.Response(201, json=CREATED)])
    with pytest.raises((ServerError, APIConnectionError, Exception)) as info:
        await retrying.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert route.call_count == 1
    assert "Trunk" not in type(info.value).__name__


async def test_post_timeout_error_says_the_request_may_have_been_applied(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """The error tells the caller why a write was not retried."""
    router.post(ZT + "Trunk/").mock(side_effect=httpx.ReadTimeout("read"))
    with pytest.raises(APITimeoutError, match="may have reached the server"):
        await retrying.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)


async def test_final_error_counts_the_attempts(
    router: respx.MockRouter, retrying: ZentrunkClient, sleeps: Sleeps
) -> None:
    """After max_retries the last error is raised, saying how many attempts were made."""
    route = router.get(TRUNK_URL).respond(503, json={"api_id": "x", "error": "down"})
    with pytest.raises(ServerError, match="after 4 attempts") as info:
        await retrying.trunks.get(TRUNK_ID)
    assert info.value.attempts == 4
    assert route.call_count == 4
    assert len(sleeps) == 3


async def test_backoff_is_full_jitter_within_exponential_caps(
    router: respx.MockRouter, fake: FakeTime, sleeps: Sleeps
) -> None:
    """Each wait lies in [0, min(cap, base * 2**(n-1))]."""
    policy = RetryPolicy(max_retries=6, backoff_base=0.5, backoff_cap=8.0)
    async with ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=policy) as zt:
        use_fake_time(zt, fake)
        router.get(TRUNK_URL).respond(500)
        with pytest.raises(ServerError):
            await zt.trunks.get(TRUNK_ID)
    assert len(sleeps) == 6
    for n, wait in enumerate(sleeps, start=1):
        assert 0 <= wait <= min(8.0, 0.5 * 2 ** (n - 1))


async def test_retry_after_is_honoured_and_capped(
    router: respx.MockRouter, fake: FakeTime, sleeps: Sleeps
) -> None:
    """A 429's Retry-After is a floor on the wait, capped by RateLimit.max_retry_after."""
    async with ZentrunkClient(
        AUTH_ID,
        TOKEN,
        base_url=HOST,
        rate_limit=RateLimit(max_retry_after=5.0),
        retry=RetryPolicy(max_retries=2),
    ) as zt:
        use_fake_time(zt, fake)  # the backoff and the limiter's pause pass at once
        router.get(TRUNK_URL).mock(
            side_effect=[
                httpx.Response(
                    429, headers={"Retry-After": "3"}, json={"api_id": "a", "error": "r"}
                ),
                httpx.Response(
                    429, headers={"Retry-After": "3600"}, json={"api_id": "b", "error": "r"}
                ),
                httpx.Response(200, json=TRUNK_LIVE_GET),
            ]
        )
        await zt.trunks.get(TRUNK_ID)
        snapshot = zt.limiter_snapshot()
    assert sleeps[0] >= 3
    assert 5.0 <= sleeps[1] < 8.0
    assert snapshot.throttled_count == 2


async def test_rate_limit_error_after_retries_carries_retry_after(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """When 429s outlast the retries, RateLimitError says when to come back."""
    router.get(TRUNK_URL).respond(
        429, headers={"Retry-After": "2"}, json={"api_id": "a", "error": "r"}
    )
    with pytest.raises(RateLimitError) as info:
        await retrying.trunks.get(TRUNK_ID)
    assert info.value.retry_after == 2
    assert info.value.attempts == 4


async def test_deadline_spans_attempts_and_is_never_slept_past(router: respx.MockRouter) -> None:
    """With a deadline, no wait ends past it, whatever max_retries allows."""
    policy = RetryPolicy(max_retries=50, backoff_base=0.05, backoff_cap=0.2, deadline=0.5)
    async with ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=policy) as zt:
        route = router.get(TRUNK_URL).respond(503)
        started = anyio.current_time()
        with pytest.raises(ServerError):
            await zt.trunks.get(TRUNK_ID)
        took = anyio.current_time() - started
    assert took < 0.5 + 0.1
    assert 1 < route.call_count < 50


async def test_deadline_bounds_a_hanging_attempt(router: respx.MockRouter) -> None:
    """An attempt that hangs is cut at the deadline and reported as a timeout."""

    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(10)
        return httpx.Response(200)

    policy = RetryPolicy(max_retries=0, deadline=0.2)
    async with ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=policy) as zt:
        router.get(TRUNK_URL).mock(side_effect=hang)
        with anyio.fail_after(2), pytest.raises(APITimeoutError, match="deadline"):
            await zt.trunks.get(TRUNK_ID)


class LongWait(RetryPolicy):
    """Always retry after 30 s: no jitter can shorten the wait under the test's deadline."""

    def delay(self, **kwargs: object) -> float | None:  # type: ignore[override]
        return 30.0


async def test_cancellation_during_backoff_sends_nothing_more(router: respx.MockRouter) -> None:
    """Cancelling a task while it sleeps before a retry stops it there: no further request."""
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=LongWait()
    ) as zt:
        route = router.get(TRUNK_URL).respond(503)
        with anyio.move_on_after(0.3) as scope:
            await zt.trunks.get(TRUNK_ID)
        assert scope.cancelled_caught
        await anyio.sleep(0.05)
    assert route.call_count == 1
