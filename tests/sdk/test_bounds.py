"""Bounded by us: body-size cap, per-attempt deadline, self-healing reads (issues 11, 12)."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
import respx

from zentrunk_async import (
    APITimeoutError,
    InvalidArgumentError,
    ResponseDecodeError,
    RetryPolicy,
    WriteOutcome,
    ZentrunkClient,
)
from zentrunk_async._config import DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES
from zentrunk_async.testing import use_fake_time

from .wire import AUTH_ID, HOST, TOKEN, TRUNK_LIVE_GET, ZT

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
TRUNK_URL = ZT + f"Trunk/{TRUNK_ID}/"
UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"


def client(**options: object) -> ZentrunkClient:
    settings: dict[str, object] = {"rate_limit": None, "retry": RetryPolicy(max_retries=3)}
    settings.update(options)
    zt = ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST, **settings)  # type: ignore[arg-type]
    use_fake_time(zt)
    return zt


BROKEN_BODIES = [
    b'{"api_id": "a", "object": {"trunk_id": "4274',  # truncated
    b"<html><body>maintenance</body></html>",  # a proxy's page, served 200
    b'{"api_id": "a", "object": []}',  # wrong shape
    b"[" * 5000,  # nesting past the recursion limit
]


@pytest.mark.parametrize("broken", BROKEN_BODIES, ids=lambda b: repr(b[:20]))
async def test_a_read_with_a_broken_body_is_retried_then_succeeds(
    router: respx.MockRouter, broken: bytes
) -> None:
    route = router.get(TRUNK_URL).mock(
        side_effect=[httpx.Response(200, content=broken), httpx.Response(200, json=TRUNK_LIVE_GET)]
    )
    async with client() as zt:
        trunk = await zt.trunks.get(TRUNK_ID)
    assert trunk.trunk_id == TRUNK_ID
    assert route.call_count == 2


async def test_a_read_whose_body_stays_broken_raises_after_the_retry_budget(
    router: respx.MockRouter,
) -> None:
    route = router.get(TRUNK_URL).respond(200, text="<html>still down</html>")
    async with client() as zt:
        with pytest.raises(ResponseDecodeError, match="after 4 attempts") as info:
            await zt.trunks.get(TRUNK_ID)
    assert info.value.attempts == 4
    assert info.value.outcome is None
    assert route.call_count == 4


async def test_a_write_is_never_retried_for_its_body(router: respx.MockRouter) -> None:
    route = router.post(ZT + "Trunk/").respond(201, text="<html>created?</html>")
    async with client() as zt:
        with pytest.raises(ResponseDecodeError) as info:
            await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert info.value.outcome is WriteOutcome.ACTED
    assert route.call_count == 1


async def test_declared_oversize_body_is_refused_unread_and_not_retried(
    router: respx.MockRouter,
) -> None:
    route = router.get(TRUNK_URL).respond(
        200, content=b" " * 2000, headers={"content-type": "application/json"}
    )
    async with client(max_response_bytes=1000) as zt:
        with pytest.raises(ResponseDecodeError, match="max_response_bytes=1000"):
            await zt.trunks.get(TRUNK_ID)
    assert route.call_count == 1  # the same flood again would cost as much


async def test_endless_streamed_body_is_cut_at_the_cap(router: respx.MockRouter) -> None:
    """No Content-Length, chunks forever: reading stops just past the cap."""
    served = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal served
        yield b'{"api_id": "a", "objects": ['
        while True:
            served += 1
            yield b'{"call_uuid": "x"},' * 100

    route = router.get(ZT + "Call/").mock(
        side_effect=lambda _: httpx.Response(200, content=endless())
    )
    async with client(max_response_bytes=64 * 1024, retry=RetryPolicy(max_retries=0)) as zt:
        with pytest.raises(ResponseDecodeError, match="still coming"):
            await zt.calls.list().collect()
    assert route.call_count == 1
    assert served < 64 * 1024 // 1900 + 2


class _Raw(httpx.AsyncByteStream):
    # Not httpx.ByteStream: respx pre-reads (and so decodes) those itself.
    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.raw


def encoded(raw: bytes, encoding: str) -> httpx.Response:
    """A response whose raw bytes are decoded only when the client reads them."""
    return httpx.Response(200, stream=_Raw(raw), headers={"content-encoding": encoding})


async def test_compressed_bomb_is_counted_decompressed(router: respx.MockRouter) -> None:
    bomb = gzip.compress(b" " * 5_000_000)
    assert len(bomb) < 10_000
    router.get(TRUNK_URL).mock(side_effect=lambda _: encoded(bomb, "gzip"))
    async with client(max_response_bytes=1_000_000, retry=RetryPolicy(max_retries=0)) as zt:
        with pytest.raises(ResponseDecodeError, match="max_response_bytes"):
            await zt.trunks.get(TRUNK_ID)


async def test_an_honest_gzip_body_decodes(router: respx.MockRouter) -> None:
    raw = gzip.compress(httpx.Response(200, json=TRUNK_LIVE_GET).content)
    router.get(TRUNK_URL).mock(side_effect=lambda _: encoded(raw, "gzip"))
    async with client(max_response_bytes=1_000) as zt:
        assert (await zt.trunks.get(TRUNK_ID)).trunk_id == TRUNK_ID


async def test_bad_content_encoding_is_a_decode_error(router: respx.MockRouter) -> None:
    router.get(TRUNK_URL).mock(side_effect=lambda _: encoded(b"not gzip", "gzip"))
    async with client(retry=RetryPolicy(max_retries=0)) as zt:
        with pytest.raises(ResponseDecodeError, match="Content-Encoding 'gzip'"):
            await zt.trunks.get(TRUNK_ID)


async def trickle(data: bytes, pause: float) -> AsyncIterator[bytes]:
    for byte in data:
        await anyio.sleep(pause)
        yield bytes([byte])


async def test_a_trickled_body_is_cut_at_the_attempt_deadline(router: respx.MockRouter) -> None:
    """One byte every 0.2 s would take minutes; the attempt ends at attempt_timeout.

    (No timing is asserted: the trickle is 200 times longer than the deadline,
    so reaching the assertion at all shows the deadline held.)
    """
    body = httpx.Response(200, json=TRUNK_LIVE_GET).content
    router.get(TRUNK_URL).mock(
        side_effect=lambda _: httpx.Response(200, content=trickle(body, 0.2))
    )
    async with client(attempt_timeout=0.5, retry=RetryPolicy(max_retries=0)) as zt:
        with (
            anyio.fail_after(30),
            pytest.raises(ResponseDecodeError, match=r"attempt_timeout=0\.5"),
        ):
            await zt.trunks.get(TRUNK_ID)


async def test_a_trickled_create_did_act(router: respx.MockRouter) -> None:
    """The 201 arrived before the trickle: the write happened, whatever the body does."""
    body = b'{"api_id": "a", "message": "created", "trunk_id": "1"}'
    route = router.post(ZT + "Trunk/").mock(
        side_effect=lambda _: httpx.Response(201, content=trickle(body, 0.2))
    )
    async with client(attempt_timeout=0.5) as zt:
        with anyio.fail_after(30), pytest.raises(ResponseDecodeError) as info:
            await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert info.value.outcome is WriteOutcome.ACTED
    assert route.call_count == 1


async def test_no_answer_within_the_attempt_deadline_is_a_timeout(router: respx.MockRouter) -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await anyio.sleep(100)
        return httpx.Response(200)

    router.post(ZT + "Trunk/").mock(side_effect=hang)
    async with client(attempt_timeout=0.3) as zt:
        with anyio.fail_after(30), pytest.raises(APITimeoutError, match="attempt_timeout") as info:
            await zt.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert info.value.outcome is WriteOutcome.MAY_HAVE_ACTED


def test_defaults_bound_every_request() -> None:
    zt = ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST)
    assert zt._transport.attempt_timeout == DEFAULT_ATTEMPT_TIMEOUT == 60.0
    assert zt._transport.max_response_bytes == DEFAULT_MAX_RESPONSE_BYTES == 4 * 1024 * 1024


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("max_response_bytes", 0),
        ("max_response_bytes", 1.5),
        ("max_response_bytes", True),
        ("attempt_timeout", 0),
        ("attempt_timeout", float("nan")),
        ("attempt_timeout", float("inf")),
        ("attempt_timeout", "10"),
    ],
)
def test_bounds_are_validated(option: str, value: object) -> None:
    with pytest.raises(InvalidArgumentError, match=option):
        ZentrunkClient(AUTH_ID, TOKEN, base_url=HOST, **{option: value})  # type: ignore[arg-type]
