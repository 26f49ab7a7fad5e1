"""Pagination: order, bounds, fan-out, `next` parsing, errors and cancellation."""

from __future__ import annotations

import math
from collections.abc import Callable

import anyio
import httpx
import pytest
import respx

from zentrunk_async import NotFoundError, ResponseDecodeError, ZentrunkClient
from zentrunk_async._pagination import REORDER_WINDOW, next_offset

from .wire import ZT, cdr, list_body

pytestmark = pytest.mark.anyio


class CallList:
    """A CDR list of `total` records whose pages answer after `delay(offset)` seconds.

    Pages whose offset `held` selects wait for `gate` (an in-flight gauge: a test
    waits for a *condition* on `in_flight`, never for a time, then opens it).
    """

    def __init__(
        self,
        total: int,
        delay: object = None,
        fail_at: int | None = None,
        held: Callable[[int], bool] | None = None,
    ) -> None:
        self.total = total
        self.delay = delay
        self.fail_at = fail_at
        self.held = held
        self.gate = anyio.Event()
        self._changed = anyio.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self.offsets: list[int] = []
        self.finished: list[int] = []

    async def until(self, condition: Callable[[], bool]) -> None:
        """Wait until `condition()` holds: re-checked whenever a request starts or ends."""
        with anyio.fail_after(10):  # a bound for a broken test, not a timing
            while not condition():
                await self._changed.wait()

    def _count(self, step: int) -> None:
        self.in_flight += step
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        changed, self._changed = self._changed, anyio.Event()
        changed.set()

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        self.offsets.append(offset)
        self._count(+1)
        try:
            if self.held is not None and self.held(offset):
                await self.gate.wait()
            if callable(self.delay):
                await anyio.sleep(self.delay(offset))
            if offset == self.fail_at:
                return httpx.Response(404, json={"api_id": "x", "error": "gone"})
            objects = [cdr(n) for n in range(offset, min(offset + limit, self.total))]
            self.finished.append(offset)
            return httpx.Response(
                200, json=list_body(objects, offset=offset, total=self.total, limit=limit)
            )
        finally:
            self._count(-1)


def numbers(uuids: list[str]) -> list[int]:
    return [int(u.rsplit("-", 1)[1]) for u in uuids]


@pytest.mark.parametrize("concurrency", [1, 3, 8])
async def test_records_come_in_server_order_whatever_the_arrival_order(
    router: respx.MockRouter, zt: ZentrunkClient, concurrency: int
) -> None:
    """Later pages answering first do not reorder records (reorder buffer)."""
    pages = CallList(203, delay=lambda off: 0.02 if (off // 20) % 2 else 0.0)
    router.get(ZT + "Call/").mock(side_effect=pages)
    got = [c.call_uuid async for c in zt.calls.list(concurrency=concurrency)]
    assert numbers(got) == list(range(203))
    assert sorted(pages.offsets) == list(range(0, 203, 20))


async def test_fan_out_keeps_at_most_concurrency_requests_in_flight(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """After the first page, remaining pages are fetched concurrently, never above the cap."""
    pages = CallList(400, held=lambda off: off > 0)
    router.get(ZT + "Call/").mock(side_effect=pages)
    got: list[object] = []

    async def consume() -> None:
        got.extend(await zt.calls.list(concurrency=5).collect())

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await pages.until(lambda: pages.in_flight == 5)
        await anyio.wait_all_tasks_blocked()  # anything that could start a sixth request has run
        assert pages.in_flight == 5
        pages.gate.set()
    assert len(got) == 400
    assert pages.max_in_flight == 5


async def test_window_bounds_pages_held_when_consumer_is_slow(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A slow consumer stops the fetching: at most a window of pages ahead of it."""
    pages = CallList(2000)
    router.get(ZT + "Call/").mock(side_effect=pages)
    consumed = 0
    async with zt.calls.list(concurrency=4) as records:
        async for _ in records:
            consumed += 1
            if consumed % 20 == 0:
                await anyio.sleep(0.001)
                pages_consumed = consumed // 20
                assert len(pages.finished) <= pages_consumed + 4 * REORDER_WINDOW + 1
            if consumed == 400:
                break
    assert len(pages.offsets) <= 400 // 20 + 4 * REORDER_WINDOW + 1


async def test_unordered_mode_yields_every_record_once(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """ordered=False hands pages out as they arrive: same set, no duplicates."""
    pages = CallList(150, held=lambda off: off == 20)
    router.get(ZT + "Call/").mock(side_effect=pages)
    got: list[int] = []
    async for call in zt.calls.list(concurrency=4, ordered=False):
        got.append(numbers([call.call_uuid])[0])
        if len(got) == 40:  # pages 0 and 40 are in, page 20 still held: let it answer
            pages.gate.set()
    assert sorted(got) == list(range(150))
    assert got.index(20) >= 40  # the held page 20-39 came after another one


@pytest.mark.parametrize(
    ("max_items", "concurrency"), [(1, 4), (20, 4), (45, 1), (45, 8), (999, 8)]
)
async def test_max_items_bounds_records_and_requests(
    router: respx.MockRouter, zt: ZentrunkClient, max_items: int, concurrency: int
) -> None:
    """max_items stops the pull exactly there and asks only for what it needs."""
    pages = CallList(300)
    router.get(ZT + "Call/").mock(side_effect=pages)
    got = await zt.calls.list(max_items=max_items, concurrency=concurrency).collect()
    assert numbers([c.call_uuid for c in got]) == list(range(min(max_items, 300)))
    assert len(pages.offsets) == math.ceil(min(max_items, 300) / 20)


async def test_pages_expose_meta_and_api_id(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """.pages() yields page objects with objects, meta and api_id."""
    router.get(ZT + "Call/").mock(side_effect=CallList(45))
    pages = [page async for page in zt.calls.list(limit=20).pages()]
    assert [len(p.objects) for p in pages] == [20, 20, 5]
    assert [p.meta.offset for p in pages] == [0, 20, 40]
    assert pages[0].meta.total_count == 45
    assert pages[1].api_id == "list-20"


async def test_offset_and_limit_start_where_asked(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """offset/limit choose where the pull starts and the page size."""
    pages = CallList(50)
    router.get(ZT + "Call/").mock(side_effect=pages)
    got = await zt.calls.list(offset=7, limit=10).collect()
    assert numbers([c.call_uuid for c in got]) == list(range(7, 50))
    assert pages.offsets[0] == 7


async def test_empty_list(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """No records: one request, nothing yielded."""
    router.get(ZT + "Call/").respond(200, json=list_body([], offset=0, total=0))
    assert await zt.calls.list().collect() == []


async def test_error_in_one_page_stops_all_and_raises_itself(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """A failing page raises its own error (not an ExceptionGroup) and cancels the others."""
    pages = CallList(1000, held=lambda off: off > 60, fail_at=60)
    router.get(ZT + "Call/").mock(side_effect=pages)
    with anyio.fail_after(10):
        with pytest.raises(NotFoundError):
            async for _ in zt.calls.list(concurrency=6):
                pass
    assert pages.in_flight == 0  # stopped before the error reached us


async def test_cancellation_stops_every_request(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """Cancelling the consumer cancels every in-flight page request at once."""
    pages = CallList(1000, held=lambda off: off > 0)
    router.get(ZT + "Call/").mock(side_effect=pages)
    scope = anyio.CancelScope()

    async def consume() -> None:
        with scope:
            async for _ in zt.calls.list(concurrency=8):
                pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(consume)
        await pages.until(lambda: pages.in_flight == 8)
        scope.cancel()
    assert scope.cancelled_caught
    assert pages.in_flight == 0
    assert pages.finished == [0]


async def test_breaking_out_inside_async_with_stops_fetching(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """`async with pager as records` closes the fan-out in the consumer's own task."""
    pages = CallList(1000, held=lambda off: off >= 100)
    router.get(ZT + "Call/").mock(side_effect=pages)
    with anyio.fail_after(10):
        async with zt.calls.list(concurrency=8) as records:
            async for record in records:
                if record.call_uuid.endswith("000000000030"):
                    break
    assert pages.in_flight == 0


@pytest.mark.parametrize(
    ("link", "offset"),
    [
        ("v1/Account/MA1/Zentrunk/Credential/?limit=20&offset=20", 20),
        ("/v1/Account/MA1/Message/?limit=20&offset=40", 40),
        ("https://api.example/v1/Account/MA1/Zentrunk/Call/?offset=60&limit=20", 60),
        (None, None),
        ("", None),
        ("v1/Account/MA1/Zentrunk/Call/?limit=20", None),
    ],
)
def test_next_offset_reads_links_with_or_without_leading_slash(
    link: str | None, offset: int | None
) -> None:
    """`meta.next` is parsed by its query string, whatever its prefix."""
    assert next_offset(link) == offset


async def test_sequential_mode_follows_next_links(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """concurrency=1 walks meta.next (a link with a leading slash included)."""

    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        body = list_body(
            [cdr(n) for n in range(offset, min(offset + 20, 50))], offset=offset, total=50
        )
        meta = body["meta"]
        assert isinstance(meta, dict)
        if meta["next"]:
            meta["next"] = "/" + meta["next"]
        return httpx.Response(200, json=body)

    router.get(ZT + "Call/").mock(side_effect=page)
    got = await zt.calls.list(concurrency=1).collect()
    assert numbers([c.call_uuid for c in got]) == list(range(50))


async def test_plain_break_inside_an_open_client_leaves_nothing_running(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """Inside `async with ZentrunkClient()`, a bare `break` is safe: fetches stop, no errors."""
    pages = CallList(1000, held=lambda off: off >= 100)
    router.get(ZT + "Call/").mock(side_effect=pages)
    async for record in zt.calls.list(concurrency=8):
        if record.call_uuid.endswith("000000000030"):
            break
    # The abandoned generator is closed by the event loop, not by us: wait for
    # that condition (bounded), not for a length of time.
    await pages.until(lambda: pages.in_flight == 0)
    assert not pages.gate.is_set()  # the held requests were cancelled, never answered


async def test_fan_out_without_an_open_client_runs_in_the_generator(
    router: respx.MockRouter,
) -> None:
    """A client used without `async with` still fans out; `async with pager` closes it."""
    from zentrunk_async import RetryPolicy

    from .wire import AUTH_ID, HOST, TOKEN

    client = ZentrunkClient(
        AUTH_ID, TOKEN, base_url=HOST, rate_limit=None, retry=RetryPolicy(max_retries=0)
    )
    try:
        pages = CallList(300, held=lambda off: off > 0)
        router.get(ZT + "Call/").mock(side_effect=pages)
        got: list[object] = []

        async def consume() -> None:
            got.extend(await client.calls.list(concurrency=4).collect())

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
            await pages.until(lambda: pages.in_flight == 4)
            await anyio.wait_all_tasks_blocked()
            pages.gate.set()
        assert len(got) == 300
        assert pages.max_in_flight == 4
        async with client.calls.list(concurrency=4) as records:
            async for _ in records:
                break
        assert pages.in_flight == 0
    finally:
        await client.aclose()


# -- the count decides where a list ends; bounded whatever the server claims ---------------


def claimed_list(
    total: int, listed: Callable[[int, int], int] | None = None, calls: list[int] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """Pages claiming `total`, listing `listed(offset, limit)` records (default: all up to it)."""

    def page(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        limit = int(request.url.params["limit"])
        if calls is not None:
            calls.append(offset)
        count = listed(offset, limit) if listed else min(limit, max(0, total - offset))
        objects = [cdr(n) for n in range(offset, offset + count)]
        body = list_body(objects, offset=offset, total=0, limit=limit)
        meta = body["meta"]
        assert isinstance(meta, dict)
        meta["total_count"] = total
        return httpx.Response(200, json=body)

    return page


@pytest.mark.parametrize("concurrency", [1, 4])
async def test_a_short_page_before_the_total_is_not_the_end(
    router: respx.MockRouter, zt: ZentrunkClient, concurrency: int
) -> None:
    """Page 20 lists 19 records while total_count says 60: the pull goes on to 40-59."""
    router.get(ZT + "Call/").mock(
        side_effect=claimed_list(60, lambda off, lim: 19 if off == 20 else min(lim, 60 - off))
    )
    got = numbers([c.call_uuid async for c in zt.calls.list(concurrency=concurrency)])
    assert got == [*range(39), *range(40, 60)]


async def test_a_huge_count_is_planned_lazily(router: respx.MockRouter, zt: ZentrunkClient) -> None:
    """total_count 10**12: a few pages cost a few requests and no plan of every offset."""
    import tracemalloc

    asked: list[int] = []
    router.get(ZT + "Call/").mock(side_effect=claimed_list(10**12, calls=asked))
    tracemalloc.start()
    try:
        async with zt.calls.list(concurrency=4) as records:
            got = 0
            async for _ in records:
                got += 1
                if got == 200:
                    break
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert got == 200
    assert len(asked) <= 200 // 20 + 4 * REORDER_WINDOW + 1
    assert peak < 20_000_000  # a list of 5 * 10**10 offsets would be terabytes


@pytest.mark.parametrize("total", [10**12 + 1, 2**64, 10**400, -1])
async def test_an_absurd_count_is_refused(
    router: respx.MockRouter, zt: ZentrunkClient, total: int
) -> None:
    """A count no account could hold is a ResponseDecodeError, never OverflowError."""
    router.get(ZT + "Call/").mock(side_effect=claimed_list(total, lambda off, lim: 1))
    with pytest.raises(ResponseDecodeError, match="total_count"):
        await zt.calls.list().collect()


async def test_a_page_longer_than_its_limit_is_refused(
    router: respx.MockRouter, zt: ZentrunkClient
) -> None:
    """More records than asked for is not what the API promises."""
    router.get(ZT + "Call/").mock(side_effect=claimed_list(100, lambda off, lim: lim + 1))
    with pytest.raises(ResponseDecodeError, match="limit 10"):
        await zt.calls.list(limit=10).collect()
