"""Pagers, pages and errors carry precise types."""

from __future__ import annotations

from collections.abc import AsyncIterator

from typing_extensions import assert_type

from zentrunk_async import (
    APIStatusError,
    CallRecord,
    ListMeta,
    Page,
    Pager,
    RateLimitError,
    Trunk,
    ZentrunkClient,
    ZentrunkError,
)


async def pager(zt: ZentrunkClient) -> None:
    trunks = zt.trunks.list(max_items=50, concurrency=4)
    async for trunk in trunks:
        assert_type(trunk, Trunk)
    assert_type(await trunks.collect(), list[Trunk])
    async with zt.calls.list() as records:
        assert_type(records, AsyncIterator[CallRecord])
    async for page in zt.calls.list().pages():
        assert_type(page, Page[CallRecord])
        assert_type(page.objects, list[CallRecord])
        assert_type(page.meta, ListMeta)
        assert_type(page.meta.total_count, int)
        assert_type(page.meta.next, str | None)
        assert_type(page.api_id, str | None)


async def errors(zt: ZentrunkClient) -> None:
    try:
        await zt.trunks.get("1")
    except RateLimitError as exc:
        assert_type(exc.retry_after, float | None)
    except APIStatusError as exc:
        assert_type(exc.status_code, int)
    except ZentrunkError as exc:
        assert_type(exc, ZentrunkError)


async def refused(pager: Pager[Trunk]) -> None:
    await pager.collect(1)  # type: ignore[call-arg]
    page: Page[CallRecord] = Page(objects=[], meta=ListMeta(limit=20, offset=0, total_count=0))
    wrong: list[Trunk] = page.objects  # type: ignore[assignment]
    del wrong
