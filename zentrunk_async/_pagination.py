"""Offset pagination that streams: sequential, or fanned out once the total is known.

Zentrunk lists are offset/limit pages of at most 20 records with a
`total_count` (zentrunk-api.md §10). The first page is fetched alone; once its
`total_count` is known the remaining offsets are planned — lazily, as a
`range`, so a count of 10**12 costs nothing until pages are asked for — and
fetched with at most `concurrency` requests in flight. The count decides where
the list ends: a page shorter than `limit` before it is not the end (a server
may drop a record from one page), an empty page is (the list shrank). A
count no account could hold, or a page longer than asked, is refused as
`ResponseDecodeError`. Pages are handed out in server order
through a reorder buffer whose size is bounded by a window of `concurrency`
pages (at most `concurrency` in flight, and at most twice that fetched but not
yet consumed), so memory stays O(concurrency × page size) whatever the total.

Fetch tasks live in an anyio task group owned by the iterating generator: an
error in any fetch, or the consumer's cancellation, cancels every request at
once. Breaking out of an `async for` early is best written as
``async with pager as records:`` (or with `max_items`), which closes the
generator — and so its task group — in the consumer's own task.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from contextlib import aclosing
from types import TracebackType
from typing import Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import anyio

from . import _validate as validate
from ._beside import Background, running_beside
from ._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from ._errors import ResponseDecodeError, ZentrunkError
from ._models import Page

T = TypeVar("T")

#: Fetches one page: (offset, limit) → Page.
FetchPage = Callable[[int, int], Awaitable[Page[T]]]

#: Pages fetched ahead of the consumer, as a multiple of `concurrency`. With a
#: window of exactly `concurrency`, one slow page stalls every request behind
#: it (head-of-line blocking: the window fills with pages waiting for it);
#: twice that keeps requests flowing past a slow page for the cost of
#: `concurrency` more pages (16 KB each) held at most.
REORDER_WINDOW = 2

#: A `total_count` above this is no account's: 10**12 CDRs in the API's 90 days
#: is over a hundred thousand calls a second. Planning is lazy up to it anyway.
MAX_TOTAL_COUNT = 10**12


def check_page(page: Page[T], offset: int, limit: int, *, endpoint: str = "list") -> Page[T]:
    """`page` if it is what an (offset, limit) request may get back, else `ResponseDecodeError`."""
    reason = None
    total = page.meta.total_count
    if not isinstance(total, int) or isinstance(total, bool) or not 0 <= total <= MAX_TOTAL_COUNT:
        reason = f"total_count {_short(total)} is not a count between 0 and {MAX_TOTAL_COUNT}"
    elif len(page.objects) > limit:
        reason = f"{len(page.objects)} records in a page of limit {limit}"
    if reason is None:
        return page
    raise ResponseDecodeError(
        reason,
        endpoint=endpoint,
        method="GET",
        url=f"(offset={offset}, limit={limit})",
        status_code=200,
        api_id=page.api_id,
    )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 30 else f"{text[:12]}...({len(text)} digits)"


class RecordStream(Generic[T]):
    """Records to stream: ``async for record in it``, or ``async with it as records:``.

    The ``async with`` form closes the underlying generator (and so any task
    group fetching for it) in the caller's own task when the block exits,
    which a plain ``break`` out of ``async for`` cannot promise. Subclasses
    provide `_records`.
    """

    _open: AsyncGenerator[T, None] | None = None

    def _records(self) -> AsyncGenerator[T, None]:
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[T]:
        return self._records()

    async def __aenter__(self) -> AsyncIterator[T]:
        self._open = self._records()
        return self._open

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._open is not None:
            await self._open.aclose()
            self._open = None

    async def collect(self) -> list[T]:
        """Every record in a list (about 1.9 KB per CDR in memory: prefer streaming)."""
        return [record async for record in self]


class Pager(RecordStream[T]):
    """What `list()` returns: an async iterable of records that also offers `.pages()`.

    ``async for record in pager`` streams records in server order (unless
    ``ordered=False``); ``async with pager as records`` does the same and
    guarantees the background fetches stop when the block exits.
    """

    def __init__(
        self,
        fetch: FetchPage[T],
        *,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
        background: Background | None = None,
    ) -> None:
        self._fetch = fetch
        self._background = background
        self.limit = validate.page_size(limit)
        self.offset = validate.non_negative_int(offset, field="offset")
        self.max_items = validate.positive_int(max_items, field="max_items")
        concurrency_checked = validate.positive_int(concurrency, field="concurrency")
        assert concurrency_checked is not None
        self.concurrency = concurrency_checked
        self.ordered = ordered

    def __repr__(self) -> str:
        return (
            f"<Pager offset={self.offset} limit={self.limit} max_items={self.max_items} "
            f"concurrency={self.concurrency} ordered={self.ordered}>"
        )

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """The pages themselves, with `.objects`, `.meta` and `.api_id`."""
        return self._pages()

    async def _records(self) -> AsyncGenerator[T, None]:
        remaining = self.max_items
        # Every nested generator is closed explicitly, in this task: left to the
        # garbage collector, its task group would be exited from another task.
        async with aclosing(self._pages()) as pages:
            async for page in pages:
                for record in page.objects:
                    if remaining is not None:
                        if remaining == 0:
                            return
                        remaining -= 1
                    yield record

    async def _pages(self) -> AsyncGenerator[Page[T], None]:
        first_limit = self._limit_at(self.offset)
        first = check_page(await self._fetch(self.offset, first_limit), self.offset, first_limit)
        yield first
        end = first.meta.total_count
        if self.max_items is not None:
            end = min(end, self.offset + self.max_items)
        if not first.objects or self.offset + first_limit >= end:
            return
        if self.concurrency == 1:
            async with aclosing(self._follow(first, first_limit, end)) as pages:
                async for page in pages:
                    yield page
            return
        # A range, never a list: planning costs nothing whatever the count.
        plan = range(self.offset + first_limit, end, self.limit)
        async with aclosing(self._fan_out(plan, end)) as pages:
            async for page in pages:
                yield page

    def _limit_at(self, offset: int) -> int:
        """The page size at `offset`: `limit`, or less where `max_items` ends."""
        if self.max_items is None:
            return self.limit
        return min(self.limit, self.offset + self.max_items - offset)

    async def _follow(self, page: Page[T], limit: int, end: int) -> AsyncGenerator[Page[T], None]:
        """One page at a time (concurrency 1): `meta.next`, else the following offset."""
        offset = self.offset
        while True:
            following = next_offset(page.meta.next)
            # A short page before the count ends nothing: go on by position.
            offset = following if following is not None and following > offset else offset + limit
            if offset >= end:
                return
            limit = min(self._limit_at(offset), end - offset)
            page = check_page(await self._fetch(offset, limit), offset, limit)
            if not page.objects:
                return  # the list shrank under us: nothing lies beyond
            yield page

    async def _fan_out(self, plan: range, end: int) -> AsyncGenerator[Page[T], None]:
        mailbox: _Mailbox[T] = _Mailbox(self.concurrency * REORDER_WINDOW)
        offsets = iter(plan)

        async def fetch_all() -> None:
            try:
                async with anyio.create_task_group() as tg:
                    for _ in range(min(self.concurrency, len(plan))):
                        tg.start_soon(self._fetch_from, offsets, end, mailbox)
            finally:
                mailbox.close()

        failure: Exception | None = None
        # The fetches stop before the block ends: no page lands after it.
        async with running_beside(self._background, fetch_all):
            for offset in plan:
                try:
                    page = await mailbox.take(offset if self.ordered else None)
                except Exception as exc:
                    failure = exc
                    break
                try:
                    yield page
                except GeneratorExit:
                    # Closed early by the consumer: leave the block normally so that
                    # the fetches are cancelled and no ExceptionGroup wraps the exit.
                    break
                mailbox.consumed()
                if not page.objects:
                    break  # the list shrank under us: nothing lies beyond
        if failure is not None:
            raise failure

    async def _fetch_from(self, offsets: Iterator[int], end: int, mailbox: _Mailbox[T]) -> None:
        """One of `concurrency` workers: the next offset while the window has room, until none."""
        while True:
            await mailbox.room()
            offset = next(offsets, None)
            if offset is None:
                return
            limit = min(self.limit, end - offset)
            try:
                mailbox.put(offset, check_page(await self._fetch(offset, limit), offset, limit))
            except Exception as exc:
                # Delivered, not raised: the consumer re-raises it as itself,
                # rather than wrapped in an ExceptionGroup by a task group.
                mailbox.fail(exc)
                return


class _Mailbox(Generic[T]):
    """Pages fetched ahead of the one consumer, and the window bounding them.

    Not an anyio memory stream and semaphores: each of their operations is a
    checkpoint, a trip through the event loop, and with them (and a task per
    page) a page paid five trips. Here a task waits only when it has to (no
    page yet, no room), and `concurrency` workers take the offsets in turn.
    """

    def __init__(self, window: int) -> None:
        self._pages: dict[int, Page[T]] = {}
        self._failure: Exception | None = None
        self._closed = False
        self._arrived: anyio.Event | None = None  # the consumer waits on it
        self._room: anyio.Event | None = None  # workers wait on it
        self._ahead = 0  # pages in flight or fetched, not yet consumed
        self._window = window

    async def room(self) -> None:
        """Wait until fewer than `window` pages are ahead of the consumer, and count one more."""
        while self._ahead >= self._window:
            if self._room is None:
                self._room = anyio.Event()
            await self._room.wait()
        self._ahead += 1

    def consumed(self) -> None:
        self._ahead -= 1
        if self._room is not None:
            self._room.set()
            self._room = None

    def put(self, offset: int, page: Page[T]) -> None:
        self._pages[offset] = page
        self._wake()

    def fail(self, failure: Exception) -> None:
        if self._failure is None:
            self._failure = failure
        self._wake()

    def close(self) -> None:
        """No worker will put anything any more."""
        self._closed = True
        self._wake()

    async def take(self, offset: int | None) -> Page[T]:
        """The page at `offset` (None: whichever came first); a failure raises at once."""
        pages = self._pages
        while True:
            if offset is None:
                if pages:
                    return pages.pop(next(iter(pages)))
            elif offset in pages:
                return pages.pop(offset)
            if self._failure is not None:
                raise self._failure
            if self._closed:
                raise ZentrunkError(
                    "the list's page fetches stopped early (was the client closed?)"
                )
            self._arrived = arrived = anyio.Event()
            await arrived.wait()

    def _wake(self) -> None:
        if self._arrived is not None:
            self._arrived.set()
            self._arrived = None


def next_offset(next_url: str | None) -> int | None:
    """The offset in a `meta.next` link, with or without a leading slash."""
    if not next_url or not isinstance(next_url, str):
        return None
    values = parse_qs(urlsplit(next_url).query).get("offset")
    if not values or not values[0].isdigit():
        return None
    return int(values[0])
