"""What every resource shares: its transport, its path, and list plumbing."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from contextlib import aclosing
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

from .._beside import Background
from .._config import DEFAULT_CONCURRENCY, MAX_PAGE_SIZE
from .._errors import InvalidArgumentError, WriteOutcome, ZentrunkError
from .._models import Page
from .._pagination import FetchPage, Pager, RecordStream
from .._transport import Transport

T = TypeVar("T")
P = ParamSpec("P")

#: Resource methods that change the account. An error escaping one always says
#: what became of the write (`WriteOutcome`), even one raised by a read made
#: first (``trunks.update`` reads the trunk's direction): the write was not sent.
WRITE_METHODS = frozenset({"create", "update", "delete", "route_number", "unroute_number"})


class Resource:
    """A collection under ``/v1/Account/{auth_id}/``; `path` ends with '/' as the API does."""

    path: ClassVar[str]
    name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in WRITE_METHODS & vars(cls).keys():
            setattr(cls, name, _reports_outcome(vars(cls)[name]))

    def __init__(self, transport: Transport, background: Background | None = None) -> None:
        self._transport = transport
        #: The client's task group while it is open (see _beside): list fan-outs run there.
        self._background = background

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    def _item_path(self, item_id: str) -> str:
        return f"{self.path}{item_id}/"

    def _page_fetcher(self, record: type[T], filters: Mapping[str, str]) -> FetchPage[T]:
        """A function fetching one page of this collection: (offset, limit) → Page."""
        page_type = Page[record]  # type: ignore[valid-type]
        endpoint = f"{self.name}.list"

        async def fetch(page_offset: int, page_limit: int) -> Page[T]:
            params = {**filters, "limit": str(page_limit), "offset": str(page_offset)}
            page: Page[T] = await self._transport.call(
                "GET", self.path, params=params, into=page_type, endpoint=endpoint
            )
            return page

        return fetch

    def _pager(
        self,
        record: type[T],
        filters: Mapping[str, str],
        *,
        limit: int = MAX_PAGE_SIZE,
        offset: int = 0,
        max_items: int | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        ordered: bool = True,
    ) -> Pager[T]:
        return Pager(
            self._page_fetcher(record, filters),
            limit=limit,
            offset=offset,
            max_items=max_items,
            concurrency=concurrency,
            ordered=ordered,
            background=self._background,
        )


class Matching(RecordStream[T]):
    """The records of a pager that pass a test, checked client-side as they stream.

    For questions the API has no filter for ("numbers routed to this trunk").
    Iterate it like a `Pager`; ``async with matching as records:`` closes the
    underlying pull when the block exits, as with a `Pager`.
    """

    def __init__(self, pager: Pager[T], keep: Callable[[T], bool]) -> None:
        self._pager = pager
        self._keep = keep

    def __repr__(self) -> str:
        return f"<Matching {self._pager!r}>"

    async def _records(self) -> AsyncGenerator[T, None]:
        # The pager's own generator is closed here, in this task (see _pagination).
        # Pager.__aiter__ returns its records generator (typed as an iterator).
        records = cast(AsyncGenerator[T, None], aiter(self._pager))
        async with aclosing(records):
            async for record in records:
                if self._keep(record):
                    yield record


def _reports_outcome(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    @functools.wraps(method)
    async def write(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(*args, **kwargs)
        except ZentrunkError as exc:
            # Raised before the write itself was sent. (An InvalidArgumentError says
            # so by its class, whose outcome is always NOT_ACTED; its message stays
            # in the user's words.)
            if "outcome" not in vars(exc) and not isinstance(exc, InvalidArgumentError):
                exc.outcome = WriteOutcome.NOT_ACTED
            raise

    return write


def compact(**fields: Any) -> dict[str, Any]:
    """The fields that were given: `None` means "leave it out" on the wire."""
    return {key: value for key, value in fields.items() if value is not None}


def query_value(value: object) -> str:
    """How the API spells a query value (JSON-style booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def require_changes(body: Mapping[str, Any], *, what: str) -> None:
    if not body:
        raise InvalidArgumentError(f"{what}: give at least one field to change")
