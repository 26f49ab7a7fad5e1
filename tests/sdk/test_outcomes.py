"""Honest writes: every error of a create, update or delete says what the server did (issue 12)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import respx

from zentrunk_async import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InvalidArgumentError,
    NotFoundError,
    RateLimitError,
    ResponseDecodeError,
    RetryPolicy,
    ServerError,
    WriteOutcome,
    ZentrunkClient,
    ZentrunkError,
)
from zentrunk_async.testing import use_fake_time

from .wire import AUTH_ID, HOST, TOKEN, TRUNK_LIVE_GET, ZT

pytestmark = pytest.mark.anyio

TRUNK_ID = "42741122632602585"
TRUNK_URL = ZT + f"Trunk/{TRUNK_ID}/"
UUID = "8fde2db4-e7e0-43ce-a6ea-5690fe402e38"
CREATED = {"api_id": "a", "message": "Trunk created successfully.", "trunk_id": TRUNK_ID}

NOT_ACTED, MAYBE, ACTED = (
    WriteOutcome.NOT_ACTED,
    WriteOutcome.MAY_HAVE_ACTED,
    WriteOutcome.ACTED,
)
ADVICE = {
    NOT_ACTED: "the server did not act",
    MAYBE: "the server may have acted",
    ACTED: "the server did act",
}


@pytest.fixture
async def retrying() -> AsyncIterator[ZentrunkClient]:
    async with ZentrunkClient(
        AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=RetryPolicy(max_retries=3)
    ) as client:
        use_fake_time(client)
        yield client


def rate_limited() -> httpx.Response:
    return httpx.Response(429, json={"api_id": "r", "error": "too many requests"})


class _Cut(httpx.AsyncByteStream):
    """A body that breaks off after its first bytes, as when the peer hangs up."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b'{"api_id": "a", "trunk_id": "4274'
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


CREATE_CASES = [
    (
        "400",
        [httpx.Response(400, json={"api_id": "x", "error": "bad"})],
        BadRequestError,
        NOT_ACTED,
    ),
    ("429 until out of retries", [rate_limited()] * 4, RateLimitError, NOT_ACTED),
    ("connect refused", [httpx.ConnectError("refused")] * 4, APIConnectionError, NOT_ACTED),
    ("500", [httpx.Response(500)], ServerError, MAYBE),
    ("429 then 503", [rate_limited(), httpx.Response(503)], ServerError, MAYBE),
    ("read timeout", [httpx.ReadTimeout("slow")], APITimeoutError, MAYBE),
    ("dropped before answering", [httpx.RemoteProtocolError("gone")], APIConnectionError, MAYBE),
    ("201 truncated", [httpx.Response(201, content=b'{"api_id": "a", "trunk')], None, ACTED),
    ("201 HTML", [httpx.Response(201, text="<html>ok</html>")], None, ACTED),
    ("201 wrong shape", [httpx.Response(201, json=[1, 2])], None, ACTED),
    ("201 cut off mid-body", [httpx.Response(201, stream=_Cut())], None, ACTED),
]


@pytest.mark.parametrize(
    ("answers", "cls", "outcome"),
    [case[1:] for case in CREATE_CASES],
    ids=[case[0] for case in CREATE_CASES],
)
async def test_create_errors_say_what_the_server_did(
    router: respx.MockRouter,
    retrying: ZentrunkClient,
    answers: list[object],
    cls: type[ZentrunkError] | None,
    outcome: WriteOutcome,
) -> None:
    """Refused or never sent: did not act; 5xx or lost answer: may have; 2xx: did act."""
    route = router.post(ZT + "Trunk/").mock(side_effect=answers)
    with pytest.raises(cls or ResponseDecodeError) as info:
        await retrying.trunks.create(trunk_direction="outbound", ipacl_uuid=UUID)
    assert info.value.outcome is outcome
    assert ADVICE[outcome] in str(info.value)
    assert route.call_count == len(answers)  # never resent after it may have acted


async def test_update_errors_carry_the_outcome_too(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    router.post(TRUNK_URL).mock(side_effect=[httpx.Response(502)])
    with pytest.raises(ServerError) as info:
        await retrying.trunks.update(TRUNK_ID, name="x", trunk_direction="outbound")
    assert info.value.outcome is MAYBE


async def test_a_read_before_the_write_failing_means_the_write_did_not_act(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """trunks.update reads the direction first; if that read fails, the update was never sent."""
    router.get(TRUNK_URL).respond(404, json={"api_id": "x", "error": "not found"})
    update = router.post(TRUNK_URL).respond(202, json={"api_id": "u", "message": "ok"})
    with pytest.raises(NotFoundError) as info:
        await retrying.trunks.update(TRUNK_ID, name="renamed")
    assert info.value.outcome is NOT_ACTED
    assert ADVICE[NOT_ACTED] in str(info.value)
    assert update.call_count == 0


async def test_invalid_arguments_of_a_write_did_not_act(retrying: ZentrunkClient) -> None:
    """Always NOT_ACTED (nothing was sent); the message stays the argument's complaint."""
    with pytest.raises(InvalidArgumentError) as info:
        await retrying.trunks.create(trunk_direction="sideways", ipacl_uuid=UUID)
    assert info.value.outcome is NOT_ACTED
    assert "the server" not in str(info.value)


async def test_errors_of_reads_carry_no_outcome(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    router.get(TRUNK_URL).respond(404, json={"api_id": "x", "error": "not found"})
    with pytest.raises(NotFoundError) as info:
        await retrying.trunks.get(TRUNK_ID)
    assert info.value.outcome is None
    assert "the server" not in str(info.value)


LOST = [
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.ReadTimeout("timed out"),
    httpx.Response(500),
    httpx.Response(502, text="<html>bad gateway</html>"),
]


@pytest.mark.parametrize("first", LOST, ids=repr)
async def test_delete_retried_after_a_lost_answer_then_404_is_reported_deleted(
    router: respx.MockRouter, retrying: ZentrunkClient, first: object
) -> None:
    """The first attempt may have deleted it and it is gone: delete() returns, no NotFoundError."""
    route = router.delete(TRUNK_URL).mock(
        side_effect=[first, httpx.Response(404, json={"api_id": "n", "error": "not found"})]
    )
    assert await retrying.trunks.delete(TRUNK_ID) is None
    assert route.call_count == 2


async def test_delete_404_with_no_attempt_that_may_have_acted_is_not_found(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """A refused connection never carried the delete: the 404 after it is the truth."""
    router.delete(TRUNK_URL).mock(
        side_effect=[
            httpx.ConnectError("refused"),
            httpx.Response(404, json={"api_id": "n", "error": "not found"}),
        ]
    )
    with pytest.raises(NotFoundError) as info:
        await retrying.trunks.delete(TRUNK_ID)
    assert info.value.outcome is NOT_ACTED


async def test_delete_that_keeps_failing_may_have_acted(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """A 5xx, then a refused connection: the first may have deleted it, so not "did not act"."""
    router.delete(TRUNK_URL).mock(
        side_effect=[httpx.Response(500)] + [httpx.ConnectError("refused")] * 3
    )
    with pytest.raises(APIConnectionError) as info:
        await retrying.trunks.delete(TRUNK_ID)
    assert info.value.outcome is MAYBE
    assert info.value.attempts == 4


async def test_delete_whose_204_is_cut_off_is_done(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """The status said 2xx: the body does not matter to a delete."""
    route = router.delete(TRUNK_URL).mock(side_effect=[httpx.Response(200, stream=_Cut())])
    assert await retrying.trunks.delete(TRUNK_ID) is None
    assert route.call_count == 1


async def test_reconcile_recipe_finds_a_create_whose_answer_was_lost(
    router: respx.MockRouter, retrying: ZentrunkClient
) -> None:
    """The recipe of WriteOutcome's docstring: look the trunk up by its unique name."""
    router.post(ZT + "Trunk/").mock(side_effect=httpx.ReadTimeout("lost"))
    listed = {**TRUNK_LIVE_GET.get("object", TRUNK_LIVE_GET)}
    listed["name"] = "pbx-out"
    router.get(ZT + "Trunk/").respond(
        200,
        json={
            "api_id": "l",
            "meta": {"limit": 20, "offset": 0, "total_count": 1, "next": None, "previous": None},
            "objects": [listed],
        },
    )
    outcome = None
    try:
        created = await retrying.trunks.create(
            name="pbx-out", trunk_direction="outbound", ipacl_uuid=UUID
        )
        trunk_id = created.trunk_id
    except ZentrunkError as exc:
        outcome = exc.outcome
        if outcome is WriteOutcome.NOT_ACTED:
            raise
        found = [t async for t in retrying.trunks.list() if t.name == "pbx-out"]
        trunk_id = found[0].trunk_id
    assert outcome is WriteOutcome.MAY_HAVE_ACTED
    assert trunk_id == listed["trunk_id"]
