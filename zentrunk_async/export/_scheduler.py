"""The export's one scheduler: every page request of every shard, through one in-flight window.

Each free place in the window gets the most useful request there is at that
moment, so no paced slot waits for a shard transition:

1. a shard's *head* (its first page, which tells its count) when the pages
   already known to be fetchable would not keep the window busy for two
   windows' worth — heads go out *before* the current shards run dry, so a
   new shard's pages are ready when the old ones end;
2. otherwise the next page of the oldest open shard (oldest first: shards
   finish, and free their memory, in order).

Pages within a shard arrive in any order; a shard is complete when every
offset below its count has answered. It is then checked: every page of the
pull reported the same `total_count` and the distinct calls reach it. If not
(calls landing late inside the window, a short page, a call counted but not
listed), the shard is pulled again and the union kept; after `MAX_PULLS` it
is split into smaller windows, pulled afresh, down to one second; a window
that still disagrees is a `Residue` and is never handed out. Memory is
bounded by `budget` records held in unfinished shards (the oldest shard may
always go on) and by `READY_MAX` finished shards waiting for the consumer.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from datetime import datetime, timezone

import anyio
import attrs
from anyio.streams.memory import MemoryObjectSendStream

from .._errors import ResponseDecodeError
from .._models import CallRecord, Page
from .._pagination import FetchPage, check_page
from .._window import InFlightWindow
from ._incomplete import Residue
from ._plan import Shard

#: Pulls of one window before it is split (a moving count usually settles in two).
MAX_PULLS = 3
#: A window whose count and records still disagree after its pulls becomes this many.
INCONSISTENT_SPLIT = 8
#: A size split never makes more pieces than this at once (children split again if needed).
MAX_SPLIT = 64
#: Shards whose head was requested and that are not finished yet (each holds >= 20 records).
MAX_OPEN = 64
#: Finished shards waiting for the consumer before the scheduler stops asking for more.
READY_MAX = 2
PAGE = 20

FetcherFactory = Callable[[dict[str, str]], FetchPage[CallRecord]]
_OLDEST = datetime.min.replace(tzinfo=timezone.utc)


@attrs.define(eq=False)
class _Pieces:
    """The pieces one shard was split into: their counts must add up to (about) its own."""

    expected: int
    reported: int = 0

    def add(self, total: int, shard: Shard) -> None:
        self.reported += total
        # Calls landing late inside the window may add a few; a sum far above
        # the whole is a server contradicting itself, and splitting further
        # would never end (every piece "holding" 2**40 calls, down to 1 s).
        if self.reported > self.expected + self.expected // 10 + 100:
            raise ResponseDecodeError(
                f"the pieces of a shard count {self.reported} calls, the shard itself "
                f"{self.expected} (ending {shard.end.isoformat()}): total_count is not a count",
                endpoint="calls.list",
                method="GET",
                url=f"(end_time__gte={shard.start.isoformat()})",
                status_code=200,
            )


@attrs.define(eq=False)
class _Pull:
    """One shard being pulled (possibly again): what was asked, what came back."""

    shard: Shard
    fetch: FetchPage[CallRecord]
    root: bool = False
    pieces: _Pieces | None = None
    #: Split by size when its head reports more than the budget (first pull only).
    size_check: bool = True
    pull: int = 1
    seen: dict[str, CallRecord] = attrs.Factory(dict)
    rank: dict[str, int] = attrs.Factory(dict)
    totals: set[int] = attrs.Factory(set)
    end: int | None = None  # the head's count: offsets below it are planned
    head_sent: bool = False
    next_offset: int = PAGE
    stopped: bool = False  # an empty page: nothing lies beyond, in this pull
    outstanding: int = 0
    pages: int = 0

    def available(self) -> int:
        """Pages of this pull that could be requested now."""
        if self.end is None or self.stopped or self.next_offset >= self.end:
            return 0
        return math.ceil((self.end - self.next_offset) / PAGE)

    def restart(self) -> None:
        self.pull += 1
        self.totals = set()
        self.end = None
        self.head_sent = False
        self.next_offset = PAGE
        self.stopped = False


@attrs.define
class Counters:
    records: int = 0
    pages: int = 0
    requests: int = 0
    shards_done: int = 0
    shards_total: int = 0
    estimated_total: int | None = None
    delivered: int = 0
    starved_seconds: float = 0.0


@attrs.define
class ShardBatch:
    """Every call of one shard, in the API's order (newest first), each exactly once."""

    shard: Shard
    records: list[CallRecord]
    pages: int
    #: The API's `total_count` for the shard that `records` was verified against.
    expected: int = 0


class Scheduler:
    """Pulls `shards` through `window`, hands complete ones to `make_batch` then `out`."""

    def __init__(
        self,
        fetcher: FetcherFactory,
        shards: list[Shard],
        window: InFlightWindow,
        counters: Counters,
        *,
        max_shard_records: int,
        on_page: Callable[[], None],
        clock: Callable[[], float],
    ) -> None:
        self._fetcher = fetcher
        self._pending: deque[_Pull] = deque(
            _Pull(shard, fetcher(shard.query()), root=True) for shard in shards
        )
        self._open: list[_Pull] = []
        self._ready: deque[ShardBatch] = deque()
        self._window = window
        self._counters = counters
        self._max_shard_records = max_shard_records
        self._budget = 2 * max_shard_records
        self._on_page = on_page
        self._clock = clock
        self.residues: list[Residue] = []
        self._failure: Exception | None = None
        self._event: anyio.Event | None = None
        self._pulled_pages = 0
        self._pulled_shards = 0

    # -- the loop -------------------------------------------------------------------------

    async def run(self, out: MemoryObjectSendStream[ShardBatch | Exception]) -> None:
        """Pull everything, sending finished batches to `out`; raises the first failure."""
        self._event = anyio.Event()
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._deliver, out)
            while self._failure is None:
                await self._window.acquire()
                if self._failure is not None:
                    # Set while this waited for a slot: the wake-up it sent is spent,
                    # and waiting for another below would wait forever.
                    self._window.release()
                    break
                request = self._next_request()
                if request is None:
                    self._window.release()
                    if self._finished():
                        break
                    started = self._clock()
                    await self._changed()
                    self._counters.starved_seconds += self._clock() - started
                    continue
                tg.start_soon(self._fetch, *request)
            if self._failure is not None:
                tg.cancel_scope.cancel()
        if self._failure is not None:
            raise self._failure

    def _finished(self) -> bool:
        return not self._pending and not self._open

    async def _changed(self) -> None:
        assert self._event is not None
        await self._event.wait()

    def _notify(self) -> None:
        event, self._event = self._event, anyio.Event()
        if event is not None:
            event.set()

    async def _deliver(self, out: MemoryObjectSendStream[ShardBatch | Exception]) -> None:
        while True:
            while not self._ready:
                if self._finished() or self._failure is not None:
                    return
                await self._changed()
            # Popped only once sent: it counts against READY_MAX while it waits.
            await out.send(self._ready[0])
            self._ready.popleft()
            self._notify()

    # -- what to ask for next -------------------------------------------------------------

    def _next_request(self) -> tuple[_Pull, int, int] | None:
        if len(self._ready) >= READY_MAX:
            return None  # the consumer is behind: wait for it
        for pull in self._open:
            if not pull.head_sent:  # a re-pull: its head before anything else
                return self._head(pull)
        held = sum(len(p.seen) for p in self._open) + PAGE * self._window.in_flight
        can_open = bool(self._pending) and len(self._open) < MAX_OPEN and held < self._budget
        if can_open:
            heads = sum(1 for p in self._open if p.end is None)
            known = sum(p.available() for p in self._open)
            if known + heads * self._pages_per_shard() < 2 * self._window.limit:
                return self._open_next()
        for pull in self._open:  # oldest first: it finishes, and frees its records, first
            if pull.available():
                return self._page(pull)
        if can_open or (self._pending and not self._open):
            return self._open_next()
        return None

    def _open_next(self) -> tuple[_Pull, int, int]:
        pull = self._pending.popleft()
        self._open.append(pull)
        return self._head(pull)

    def _pages_per_shard(self) -> int:
        if self._pulled_shards:
            return max(1, self._pulled_pages // self._pulled_shards)
        return max(1, self._max_shard_records // (2 * PAGE))

    def _head(self, pull: _Pull) -> tuple[_Pull, int, int]:
        pull.head_sent = True
        pull.outstanding += 1
        return pull, 0, PAGE

    def _page(self, pull: _Pull) -> tuple[_Pull, int, int]:
        assert pull.end is not None
        offset = pull.next_offset
        pull.next_offset += PAGE
        pull.outstanding += 1
        return pull, offset, min(PAGE, pull.end - offset)

    # -- one request ----------------------------------------------------------------------

    async def _fetch(self, pull: _Pull, offset: int, limit: int) -> None:
        ticket = self._window.begin()
        self._counters.requests += 1
        ok = False
        try:
            page = check_page(await pull.fetch(offset, limit), offset, limit, endpoint="calls.list")
            ok = True
            self._take(pull, offset, page)
        except Exception as exc:
            # Kept, not raised: the loop re-raises it as itself, not in an ExceptionGroup.
            if self._failure is None:
                self._failure = exc
        finally:
            self._window.end(ticket, ok=ok)
            self._window.release()
            self._notify()

    def _take(self, pull: _Pull, offset: int, page: Page[CallRecord]) -> None:
        pull.outstanding -= 1
        total = page.meta.total_count
        pull.totals.add(total)
        if offset == 0:
            pull.end = total
            self._count_root(pull, total)
            if pull.pieces is not None:
                pieces, pull.pieces = pull.pieces, None
                pieces.add(total, pull.shard)
            if pull.size_check and total > self._max_shard_records:
                # Pieces of about 4/5 of the bound: few enough that the last,
                # partly filled page of each costs little, with room for unevenness.
                parts = min(MAX_SPLIT, -(-5 * total // (4 * self._max_shard_records)))
                if self._split(pull, parts):
                    return
            pull.size_check = False
        if not page.objects:
            pull.stopped = True
        before = len(pull.seen)
        for index, record in enumerate(page.objects):
            pull.seen.setdefault(record.call_uuid, record)
            pull.rank[record.call_uuid] = offset + index
        self._counters.records += len(pull.seen) - before
        self._counters.pages += 1
        pull.pages += 1
        self._on_page()
        if pull.outstanding == 0 and pull.end is not None and pull.available() == 0:
            self._finish(pull)

    def _finish(self, pull: _Pull) -> None:
        assert pull.end is not None
        total = pull.end
        if len(pull.totals) == 1 and len(pull.seen) >= total:
            self._open.remove(pull)
            self._pulled_pages += pull.pages
            self._pulled_shards += 1
            records = sorted(
                pull.seen.values(),
                key=lambda r: (-(r.end_time or _OLDEST).timestamp(), pull.rank[r.call_uuid]),
            )
            self._counters.shards_done += 1
            self._ready.append(ShardBatch(pull.shard, records, pull.pages, total))
            return
        if pull.pull < MAX_PULLS:
            pull.restart()
            return
        if self._split(pull, INCONSISTENT_SPLIT, fresh=True):
            return
        self._open.remove(pull)
        self._counters.records -= len(pull.seen)
        self.residues.append(
            Residue(pull.shard.start, pull.shard.end, max(pull.totals), len(pull.seen))
        )

    def _split(self, pull: _Pull, parts: int, *, fresh: bool = False) -> bool:
        """Replace `pull` by pulls of smaller windows (False: one second cannot be cut)."""
        pieces = pull.shard.split(parts)
        if len(pieces) < 2:
            return False
        self._open.remove(pull)
        self._counters.records -= len(pull.seen)
        self._counters.shards_total += len(pieces) - 1
        group = _Pieces(max(pull.totals))
        children = [
            _Pull(piece, self._fetcher(piece.query()), size_check=not fresh, pieces=group)
            for piece in pieces
        ]
        # First in line: the windows already begun finish before new ones start.
        self._pending.extendleft(reversed(children))
        return True

    def _count_root(self, pull: _Pull, total: int) -> None:
        """Sum the first totals of the planned shards (their splits add nothing new)."""
        if not pull.root:
            return
        pull.root = False
        known = self._counters.estimated_total or 0
        self._counters.estimated_total = known + total
